"""`gonogo serve` with a long history: 10,000 runs (200,000 results) in the state; p50/p95
server time of the overview, the runs list and a run page (target p95 ≤ 100 ms), and the
delay from a journal write to the SSE event reaching a client (target ≤ 500 ms).

    .venv/bin/python bench/serve.py [--runs 10000] [--results 20] [--requests 40] [--pg URL]

Server time is what the app reports in its ``Server-Timing`` header (routing, journal
queries, templates); the client's wall time over loopback is printed beside it.
Exit status 0 when every target is met.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from gonogo.core.outcomes import CheckResult, Outcome
from gonogo.journal import identity
from gonogo.journal.schema import results, runs
from gonogo.journal.store import open_store

PAGE_TARGET_MS = 100.0
SSE_TARGET_MS = 500.0
ENVIRONMENTS = ("production", "staging", "preview")


def fill(location: str, root: Path, n_runs: int, per_run: int) -> list[str]:
    store = open_store(location, runs_root=root / ".gonogo")
    start = datetime.now(UTC) - timedelta(days=200)
    rng = random.Random(7)
    ids: list[str] = []
    run_rows, result_rows = [], []
    for i in range(n_runs):
        at = start + timedelta(minutes=25 * i)
        rid = at.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
        ids.append(rid)
        verdict = rng.choices(["GO", "NO-GO", "PENDING"], weights=[80, 15, 5])[0]
        run_rows.append({
            "id": rid, "command": rng.choice(["check", "check", "deploy"]),
            "config_path": str(root / "gonogo.yml"), "environment": rng.choice(ENVIRONMENTS),
            "version": f"v{i}", "status": "finished", "verdict": verdict,
            "exit_code": {"GO": 0, "NO-GO": 1, "PENDING": 4}[verdict],
            "started_at": at.isoformat(timespec="milliseconds"),
            "finished_at": (at + timedelta(seconds=40)).isoformat(timespec="milliseconds"),
            "user": "ci", "host": "build-1", "pid": 1, "meta": "{}"})
        for j in range(per_run):
            outcome = ("pending" if verdict == "PENDING" and j == per_run - 1 else
                       "failed" if verdict == "NO-GO" and j == 3 else "passed")
            result_rows.append({
                "run_id": rid, "check_id": f"check-{j}", "seq": j,
                "title": f"Check number {j} of the deployment checklist", "phase": f"phase-{j // 5}",
                "kind": "preflight", "type": "manual" if outcome == "pending" else "command",
                "outcome": outcome, "summary": "exit 0" if outcome == "passed" else outcome,
                "duration_s": rng.random(), "evidence": json.dumps({"exit_code": 0}),
                "advisory": False, "attempts": 1, "line": 10 + j,
                "started_at": at.isoformat(), "finished_at": at.isoformat()})
        if len(result_rows) >= 20_000 or i == n_runs - 1:
            with store.engine.begin() as conn:
                conn.execute(runs.insert(), run_rows)
                conn.execute(results.insert(), result_rows)
            run_rows, result_rows = [], []
    store.close()
    return ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def timed(client: httpx.Client, path: str, n: int) -> tuple[list[float], list[float]]:
    server, wall = [], []
    client.get(path)  # warm: templates compiled, connections open
    for _ in range(n):
        began = time.perf_counter()
        response = client.get(path)
        wall.append((time.perf_counter() - began) * 1000)
        response.raise_for_status()
        server.append(float(response.headers["server-timing"].split("dur=")[1]))
    return server, wall


def sse_delays(url: str, token: str, location: str, root: Path, run_id: str, n: int) -> list[float]:
    store = open_store(location, runs_root=root / ".gonogo")
    delays: list[float] = []
    for i in range(n):
        got = threading.Event()
        ready = threading.Event()

        def listen(got: threading.Event = got, ready: threading.Event = ready) -> None:
            with httpx.stream("GET", f"{url}/runs/{run_id}/events", timeout=10,
                              headers={"Authorization": f"Bearer {token}"}) as stream:
                for line in stream.iter_lines():
                    if line.startswith("retry:"):
                        ready.set()
                    if line.startswith("event: update"):
                        got.set()
                        return

        thread = threading.Thread(target=listen, daemon=True)
        thread.start()
        ready.wait(10)
        time.sleep(0.3)
        result = CheckResult(id=f"late-{i}", title="written by the bench", phase="p", kind="verify",
                             type="command", outcome=Outcome.PASSED, summary="ok", duration_s=0.0,
                             finished_at=datetime.now(UTC), position=1000 + i)
        began = time.perf_counter()
        store.record(run_id, 1000 + i, result, None, replace=False)
        got.wait(10)
        delays.append((time.perf_counter() - began) * 1000)
        thread.join(5)
    store.close()
    return delays


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--results", type=int, default=20, help="results per run")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL state instead of SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gonogo-bench-serve-") as tmp:
        root = Path(tmp)
        location = args.pg or str(root / ".gonogo")
        state_line = f'state: "{args.pg}"\n' if args.pg else ""
        (root / "gonogo.yml").write_text(
            f"version: 1\nname: bench\n{state_line}phases:\n  - id: p\n    kind: preflight\n"
            "    checks:\n      - {id: ok, run: 'true'}\n")
        began = time.perf_counter()
        ids = fill(location, root, args.runs, args.results)
        print(f"filled {args.runs:,} runs / {args.runs * args.results:,} results "
              f"in {time.perf_counter() - began:.1f}s")
        store = open_store(location, runs_root=root / ".gonogo")
        token = identity.add(store.engine, "bench", "viewer", actor="bench")
        store.close()
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
        server = subprocess.Popen([sys.executable, "-m", "gonogo", "serve", "--port", str(port)],
                                  cwd=root, env=env)
        url = f"http://127.0.0.1:{port}"
        ok = True
        try:
            for _ in range(300):
                try:
                    if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            rng = random.Random(3)
            pages = {"overview /": ["/"], "runs list /runs": ["/runs"],
                     "runs list, filtered, page 20": ["/runs?environment=production&verdict=GO&page=20"],
                     "run page /runs/ID": [f"/runs/{rng.choice(ids)}" for _ in range(10)]}
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                              timeout=30) as client:
                for name, paths in pages.items():
                    server_ms: list[float] = []
                    wall_ms: list[float] = []
                    for path in paths:
                        s, w = timed(client, path, max(1, args.requests // len(paths)))
                        server_ms += s
                        wall_ms += w
                    p50, p95 = percentiles(server_ms)
                    w50, w95 = percentiles(wall_ms)
                    met = p95 <= PAGE_TARGET_MS
                    ok &= met
                    print(f"{name:32s} server p50 {p50:6.1f} ms  p95 {p95:6.1f} ms "
                          f"(client {w50:.1f}/{w95:.1f} ms)  target p95 ≤ {PAGE_TARGET_MS:.0f} ms "
                          f"{'ok' if met else 'MISSED'}")
            delays = sse_delays(url, token, location, root, ids[-1], 15)
            p50, p95 = percentiles(delays)
            met = p95 <= SSE_TARGET_MS
            ok &= met
            print(f"{'journal write → SSE event':32s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
                  f"target ≤ {SSE_TARGET_MS:.0f} ms {'ok' if met else 'MISSED'}")
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=15)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
