"""Benchmark: `gonogo backup` (pg_dump + manifest + restore_verify into a scratch database)
against the bare commands it wraps (`pg_dump -Fc`, then `createdb`, `pg_restore -j`, `dropdb`
for the scratch copy — the same work, without manifest, hashing and comparison), on a
`pgbench -i -s N` database. Prints the wall-time ratio and peak memory.

    GONOGO_TEST_PG_URL=postgresql://postgres@127.0.0.1:55432/postgres \
        .venv/bin/python bench/backup.py --scale 20 [--repeat 2] [--keep]

Peak RSS is reported twice: gonogo's own Python process (VmHWM, polled from /proc) and
the whole process tree (wait4's ru_maxrss, the largest of gonogo and its pg_dump /
pg_restore children). Targets: ratio <= 1.05 at ``--scale 20`` (issue 17, item 6),
gonogo's peak RSS <= 150 MB. The ratio is judged on the medians (the best runs are shown
too); beside them, the median seconds of each step: bare's four commands, and gonogo's
steps as its checks' evidence (``steps_s``) times them, so an overhead can be placed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: gonogo backup + restore-verify against bare pg_dump/pg_restore (issue 17, item 6)
RATIO = 1.05


def pg_bin(name: str) -> str:
    for directory in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (directory / name).is_file():
            return str(directory / name)
    found = shutil.which(name)
    if not found:
        sys.exit(f"bench: {name} not found")
    return found


def timed(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
          poll_hwm: bool = False) -> tuple[float, int, int]:
    """(seconds, tree peak RSS KiB, own peak RSS KiB) of one command."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    hwm = [0]
    stop = threading.Event()

    def poll() -> None:
        status = Path(f"/proc/{proc.pid}/status")
        while not stop.is_set():
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        hwm[0] = max(hwm[0], int(line.split()[1]))
            except OSError:
                return
            stop.wait(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    if poll_hwm:
        poller.start()
    output = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    stop.set()
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} failed ({proc.returncode}):\n{output.decode()[-2000:]}")
    return seconds, int(usage.ru_maxrss), hwm[0]


def psql(url: str, sql: str) -> None:
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True,
                   stdout=subprocess.DEVNULL,
                   env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", "-s", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--jobs", "-j", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    parser.add_argument("--keep", action="store_true", help="keep the pgbench database")
    args = parser.parse_args()
    server = os.environ.get("GONOGO_TEST_PG_URL")
    if not server:
        sys.exit("bench: set GONOGO_TEST_PG_URL (scripts/services.sh start postgres)")
    base = server.rsplit("/", 1)[0]
    db = f"gonogo_bench_s{args.scale}"
    url = f"{base}/{db}"
    work = Path(tempfile.mkdtemp(prefix="gonogo-bench-"))
    exists = subprocess.run(["psql", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'",
                             server], capture_output=True, text=True).stdout.strip() == "1"
    if not exists:
        print(f"creating {db} with pgbench -i -s {args.scale} …", flush=True)
        psql(server, f'CREATE DATABASE "{db}"')
        subprocess.run([pg_bin("pgbench"), "-i", "-q", "-s", str(args.scale), url], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    size = subprocess.run(["psql", "-tAc", f"SELECT pg_size_pretty(pg_database_size('{db}'))", server],
                          capture_output=True, text=True).stdout.strip()
    (work / "gonogo.yml").write_text(f"""\
version: 1
name: bench
phases:
  - id: backup
    kind: backup
    checks:
      - id: backup
        type: postgres.backup
        database_url: "{url}"
        path: dumps/backup_{{timestamp}}.dump
        retention: {{keep: 1}}
      - id: verify
        type: postgres.restore_verify
        backup: backup
        jobs: {args.jobs}
        needs: [backup]
""")
    env = {**os.environ, "NO_COLOR": "1"}
    # as installed, gonogo runs from bytecode: don't let PYTHONDONTWRITEBYTECODE (set in some
    # sandboxes) make every measured run compile the package again
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-x", "demo_data",
                    str(Path(__file__).resolve().parent.parent / "gonogo")], env=env, check=False)
    bare_times: list[float] = []
    gonogo_times: list[float] = []
    tree_peaks: list[int] = []
    own_peaks: list[int] = []
    bare_peaks: list[int] = []
    steps: dict[str, list[float]] = {}
    def bare_run(i: int) -> None:
        dump = work / "bare.dump"
        scratch = f"gonogo_bench_bare_{i}"
        psql(server, f'DROP DATABASE IF EXISTS "{scratch}"')
        t1, rss1, _ = timed(["pg_dump", "--format=custom", f"--file={dump}", "--dbname", url])
        t2, _, _ = timed(["createdb", "--maintenance-db", server, scratch])
        t3, rss3, _ = timed(["pg_restore", "--no-owner", "--no-privileges", f"--jobs={args.jobs}",
                             "--dbname", f"{base}/{scratch}", str(dump)])
        t4, _, _ = timed(["dropdb", "--maintenance-db", server, scratch])
        dump.unlink()
        bare_times.append(t1 + t2 + t3 + t4)
        for step, seconds in (("pg_dump", t1), ("createdb", t2), ("pg_restore", t3), ("dropdb", t4)):
            steps.setdefault(f"bare {step}", []).append(seconds)
        bare_peaks.append(max(rss1, rss3))

    def gonogo_run() -> None:
        t, tree, own = timed([sys.executable, "-m", "gonogo", "backup", "--report",
                              "json:report.json"], cwd=work, env=env, poll_hwm=True)
        for check in json.loads((work / "report.json").read_text())["checks"]:
            for step, seconds in (check["evidence"].get("steps_s") or {}).items():
                steps.setdefault(f"gonogo {check['id']}.{step}", []).append(seconds)
        gonogo_times.append(t)
        tree_peaks.append(tree)
        own_peaks.append(own)

    for i in range(args.repeat):
        # alternate who goes first: the one after a restore also meets its dirty pages
        if i % 2 == 0:
            bare_run(i)
            gonogo_run()
        else:
            gonogo_run()
            bare_run(i)
        t, own, tree = gonogo_times[-1], own_peaks[-1], tree_peaks[-1]
        print(f"  run {i + 1}: bare {bare_times[-1]:.2f}s, gonogo {t:.2f}s "
              f"(ratio {t / bare_times[-1]:.3f}); gonogo RSS {own / 1024:.1f} MB, "
              f"tree {tree / 1024:.1f} MB", flush=True)
    dumps = list((work / "dumps").glob("*.dump"))
    dump_size = dumps[0].stat().st_size if dumps else 0
    bare, ours = statistics.median(bare_times), statistics.median(gonogo_times)
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} (1, 5, 15 min)")
    print(f"\npgbench -s {args.scale}: database {size}, dump {dump_size / 1e6:.1f} MB, "
          f"pg_restore -j {args.jobs}, median of {args.repeat} (best in brackets)")
    print(f"bare pg_dump, createdb, pg_restore, dropdb: {bare:8.2f} s ({min(bare_times):.2f})   "
          f"(peak RSS {max(bare_peaks) / 1024:.1f} MB)")
    print(f"gonogo backup (dump+manifest+verify)    : {ours:8.2f} s ({min(gonogo_times):.2f})")
    print("median seconds per step (gonogo's counts run beside pg_dump, in its snapshot):")
    for step, values in steps.items():
        print(f"  {step:<40}: {statistics.median(values):8.3f}")
    ratio, peak = ours / bare, max(own_peaks) / 1024
    print(f"wall-time ratio of the medians          : {ratio:8.3f}   (best runs "
          f"{min(gonogo_times) / min(bare_times):.3f}; target <= {RATIO:.2f}) "
          f"{'met' if ratio <= RATIO else 'MISSED'}")
    print(f"gonogo Python process peak RSS          : {peak:8.1f} MB (target <= 150 MB) "
          f"{'met' if peak <= 150 else 'MISSED'}")
    print(f"gonogo tree peak RSS (incl. pg_dump/pg_restore children): {max(tree_peaks) / 1024:.1f} MB")
    shutil.rmtree(work, ignore_errors=True)
    if not args.keep:
        psql(server, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    return 0 if ratio <= RATIO and peak <= 150 else 1


if __name__ == "__main__":
    sys.exit(main())
