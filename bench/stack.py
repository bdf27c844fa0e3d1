"""What users of the v-edfinance stack see while gonogo releases it: a request loop against
nginx during a deploy (or a rollback), and how long each phase of the release took.

Runs COMMAND (a `gonogo deploy …`, e.g. through examples/v-edfinance/scripts/stack.sh)
while worker threads keep requesting the homepage and the API through nginx, and optionally
sign in (`--logins N` workers POST /api/auth/login with the smoke user of `--env-file`).
Prints, for the whole command:

* requests sent and failed (a status ≥ 500 or no answer), by kind of failure
* the longest gap: the longest time with no successful request
* the error window: first failed request → last failed request
* per-phase times of the release, from the phase headings gonogo prints (`── Title (kind)`)

Targets (Kamal's promise of zero-downtime deploys): 0 failed requests during a good deploy;
at most 1 s of errors during a rollback.

    python3 bench/stack.py [--url http://127.0.0.1:18480] [--logins N] [--env-file F]
                           [--phase NAME] [--out FILE.json] -- COMMAND [ARG…]
    make stack-demo        runs it around the v2 deploy and the v3 rollback
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PHASE = re.compile(r"^── (?P<title>.+) \((?P<kind>[a-z]+)\) *$")


@dataclass
class Sample:
    at: float
    kind: str
    ok: bool
    status: int  # 0: no answer


@dataclass
class Loop:
    """Worker threads requesting through nginx until stopped; every answer is a sample."""

    url: str
    credentials: tuple[str, str] | None
    samples: list[Sample] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, kind: str, req: urllib.request.Request) -> None:
        status = 0
        try:
            with urllib.request.urlopen(req, timeout=5) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (OSError, ValueError):
            status = 0
        with self.lock:
            self.samples.append(Sample(time.monotonic(), kind, 0 < status < 500, status))

    def browse(self) -> None:
        while not self.stop.is_set():
            self.request("home", urllib.request.Request(self.url + "/"))
            self.request("api", urllib.request.Request(self.url + "/api/lessons"))
            time.sleep(0.02)

    def login(self) -> None:
        assert self.credentials is not None
        email, password = self.credentials
        body = json.dumps({"email": email, "password": password}).encode()
        while not self.stop.is_set():
            self.request("login", urllib.request.Request(
                self.url + "/api/auth/login", data=body, method="POST",
                headers={"Content-Type": "application/json"}))
            time.sleep(0.02)

    def start(self, browsers: int, logins: int) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.browse, daemon=True) for _ in range(browsers)]
        threads += [threading.Thread(target=self.login, daemon=True) for _ in range(logins)]
        for thread in threads:
            thread.start()
        return threads


def credentials(env_file: Path | None) -> tuple[str, str] | None:
    if env_file is None or not env_file.exists():
        return None
    values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    if "SMOKE_EMAIL" in values and "SMOKE_PASSWORD" in values:
        return values["SMOKE_EMAIL"], values["SMOKE_PASSWORD"]
    return None


def summarize(samples: list[Sample], started: float, ended: float) -> dict[str, object]:
    samples = sorted(samples, key=lambda s: s.at)
    failed = [s for s in samples if not s.ok]
    gap, last_ok = 0.0, started
    for sample in samples:
        if sample.ok:
            gap = max(gap, sample.at - last_ok)
            last_ok = sample.at
    gap = max(gap, ended - last_ok)
    by_kind: dict[str, int] = {}
    for sample in failed:
        key = f"{sample.kind} {sample.status or 'no answer'}"
        by_kind[key] = by_kind.get(key, 0) + 1
    return {
        "requests": len(samples),
        "failed": len(failed),
        "failed_by_kind": by_kind,
        "longest_gap_s": round(gap, 3),
        "error_window_s": round(failed[-1].at - failed[0].at, 3) if failed else 0.0,
    }


def run(command: list[str], loop: Loop) -> tuple[int, list[tuple[str, float]], float, float]:
    """Run the command, echoing its output and timing each phase heading it prints."""
    started = time.monotonic()
    phases: list[tuple[str, float]] = []
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, bufsize=1)
    assert process.stdout is not None
    for line in process.stdout:
        sys.stdout.write(line)
        match = PHASE.match(line.rstrip("\n"))
        if match:
            phases.append((match.group("title"), time.monotonic()))
    code = process.wait()
    return code, phases, started, time.monotonic()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:18480")
    parser.add_argument("--browsers", type=int, default=2)
    parser.add_argument("--logins", type=int, default=0)
    parser.add_argument("--env-file", type=Path,
                        default=Path(__file__).resolve().parent.parent
                        / "examples/v-edfinance/out/stack/env.production")
    parser.add_argument("--phase", default="release", help="a name for this measurement")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here too")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to measure after --")
    loop = Loop(args.url, credentials(args.env_file))
    if args.logins and loop.credentials is None:
        parser.error(f"--logins needs SMOKE_EMAIL and SMOKE_PASSWORD in {args.env_file}")
    threads = loop.start(args.browsers, args.logins)
    try:
        code, phases, started, ended = run(command, loop)
    finally:
        loop.stop.set()
        for thread in threads:
            thread.join(timeout=10)
    figures = summarize(loop.samples, started, ended)
    durations = [(title, (phases[i + 1][1] if i + 1 < len(phases) else ended) - at)
                 for i, (title, at) in enumerate(phases)]
    figures.update({"phase": args.phase, "exit_code": code, "total_s": round(ended - started, 1),
                    "phases": [{"title": t, "seconds": round(d, 1)} for t, d in durations]})
    print(f"\n== bench/stack.py: {args.phase} (exit {code}, {figures['total_s']}s)")
    print(f"requests: {figures['requests']}, failed: {figures['failed']}"
          + (f" ({', '.join(f'{k}: {n}' for k, n in figures['failed_by_kind'].items())})"  # type: ignore[attr-defined]
             if figures["failed"] else ""))
    print(f"longest gap without a successful request: {figures['longest_gap_s']}s; "
          f"error window: {figures['error_window_s']}s")
    for title, seconds in durations:
        print(f"  {seconds:6.1f}s  {title}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=1) + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
