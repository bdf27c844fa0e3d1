"""Ten `gonogo deploy` of one environment started at once: how fast are the nine that do
not get the lock refused?

Each round starts 10 deploys (shell driver; the one that gets the lock blocks until
released) and measures, for every refused one, the time from its start to its exit with
"another deploy is running … lock held by …". Target: every refusal within 1 s — a
refused deploy never waits for the lock. For scale, the same figure for a lone deploy
refused while the lock is held (no contention) and for `gonogo --version`-like startup
(`gonogo lock status`).

    .venv/bin/python bench/lock.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 1.0
CONFIG = """\
version: 1
name: lock-bench
environments:
  production: {}
services:
  - name: api
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live; touch started; while [ ! -f go ]; do sleep 0.05; done'
    current: 'cat live 2>/dev/null || true'
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
    env["NO_COLOR"] = "1"
    return env


def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "gonogo", *args], cwd=root, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _timed(root: Path, *args: str) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "gonogo", *args], cwd=root, env=_env(),
                   capture_output=True, check=False)
    return time.monotonic() - started


def one_round(root: Path) -> tuple[list[float], float, float]:
    (root / "go").unlink(missing_ok=True)
    (root / "started").unlink(missing_ok=True)
    procs = [_start(root, "deploy", "--version", f"v{i}") for i in range(10)]
    started = time.monotonic()
    ended: dict[int, float] = {}
    while len(ended) < 9 and time.monotonic() - started < 60:
        for i, proc in enumerate(procs):
            if i not in ended and proc.poll() is not None:
                ended[i] = time.monotonic() - started
        time.sleep(0.005)
    refused = []
    for i, took in ended.items():
        _, err = procs[i].communicate()
        if procs[i].returncode != 2 or "lock held by" not in err:
            raise SystemExit(f"deploy {i} did not end refused: exit {procs[i].returncode}: {err}")
        refused.append(took)
    while not (root / "started").exists():
        time.sleep(0.02)
    lone = _timed(root, "deploy", "--version", "other")
    startup = _timed(root, "lock", "status")
    (root / "go").touch()
    for proc in procs:
        proc.communicate(timeout=120)
    return refused, lone, startup


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "gonogo.yml").write_text(CONFIG)
        (root / "go").touch()
        subprocess.run([sys.executable, "-m", "gonogo", "deploy", "--version", "v0"], cwd=root,
                       env=_env(), capture_output=True, check=True)
        refused: list[float] = []
        lones, startups = [], []
        for _ in range(args.rounds):
            r, lone, startup = one_round(root)
            refused += r
            lones.append(lone)
            startups.append(startup)
    worst = max(refused)
    print(f"refused deploys: {len(refused)} over {args.rounds} rounds of 10 at once; "
          f"median {statistics.median(refused):.2f} s, max {worst:.2f} s from start to exit")
    print(f"a lone deploy refused while the lock is held: median {statistics.median(lones):.2f} s;"
          f" `gonogo lock status`: median {statistics.median(startups):.2f} s")
    ok = worst <= TARGET_S
    print(f"target: every refusal within {TARGET_S:g} s — {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
