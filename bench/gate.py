"""Benchmark of the gate, run as a user runs it: the real CLI in a subprocess.

Scenarios (issue 2, item 10; targets tightened by issue 17, item 6):

  (a) 200 checks — 100 ``http`` against a local server that answers after 100 ms,
      50 ``command`` running ``sleep 0.2``, 50 ``file`` — gonogo's wall time, the serial
      sum of the checks' own durations (measured by a ``--jobs 1`` run), and the same
      checks as pytest-testinfra tests run serially (how a team would otherwise script them);
  (b) 1,000 trivial checks end to end, start-up included;
  (c) ``gonogo --help`` start-up.

Targets (2-core machine): (a) <= 1.5 s wall and >= 15x faster than testinfra in the
same run; (b) <= 0.5 s; (c) <= 0.1 s. Each figure is the median of several runs.
Wall time of a loaded shared machine measures the neighbours: each row also prints
gonogo's CPU time (user + system of the process and its children) and the load average.

    .venv/bin/python bench/gate.py [--repeat N] [--no-testinfra] [--json PATH]

This prints figures; it is not a test and asserts nothing about timing.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HTTP_DELAY_S = 0.1
N_HTTP, N_COMMAND, N_FILE = 100, 50, 50
N_TRIVIAL = 1000


@dataclass
class Row:
    scenario: str
    figure: str
    value: float
    target: str
    met: bool | None  # None: informational
    cpu: float | None = None  # median CPU time of the measured runs (process + children)


# ---- a local server that answers after 100 ms, concurrently ----------------------------


class _SlowHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        time.sleep(HTTP_DELAY_S)
        body = b'{"status": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # 100 simultaneous connects must not overflow the backlog


@contextmanager
def slow_server() -> Iterator[str]:
    httpd = _Server(("127.0.0.1", 0), _SlowHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


# ---- configs -------------------------------------------------------------------------


def mixed_config(root: Path, base_url: str) -> Path:
    """(a): 100 http + 50 command + 50 file checks in one preflight phase, jobs 200."""
    data = root / "files"
    data.mkdir(parents=True, exist_ok=True)
    lines = ["version: 1", "name: bench-mixed", "defaults: {jobs: 200}", "phases:",
             "  - id: bench", "    kind: preflight", "    checks:"]
    for i in range(N_HTTP):
        lines.append(f"      - {{id: http-{i}, type: http, url: '{base_url}/health?i={i}', "
                     "expect: {status: 200}}")
    for i in range(N_COMMAND):
        lines.append(f"      - {{id: cmd-{i}, run: sleep 0.2}}")
    for i in range(N_FILE):
        (data / f"f{i}.txt").write_text("ok\n")
        lines.append(f"      - {{id: file-{i}, type: file, path: files/f{i}.txt}}")
    path = root / "gonogo.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


def trivial_config(root: Path) -> Path:
    """(b): 1,000 file checks of one existing file (default jobs)."""
    (root / "present.txt").write_text("ok\n")
    lines = ["version: 1", "name: bench-trivial", "phases:",
             "  - id: bench", "    kind: preflight", "    checks:"]
    lines += [f"      - {{id: f{i}, type: file, path: present.txt}}" for i in range(N_TRIVIAL)]
    path = root / "gonogo.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


def testinfra_file(root: Path, base_url: str) -> Path:
    """(a) as pytest-testinfra tests: the same 200 checks, one test each, run serially."""
    text = f'''"""The benchmark's 200 checks written as pytest-testinfra tests."""
import pytest

URL = "{base_url}/health"


@pytest.mark.parametrize("i", range({N_HTTP}))
def test_http(host, i):
    cmd = host.run("curl -s -o /dev/null -w %s %s", "%{{http_code}}", "%s?i=%d" % (URL, i))
    assert cmd.stdout.strip() == "200"


@pytest.mark.parametrize("i", range({N_COMMAND}))
def test_command(host, i):
    assert host.run("sleep 0.2").rc == 0


@pytest.mark.parametrize("i", range({N_FILE}))
def test_file(host, i):
    assert host.file("{root / "files"}/f%d.txt" % i).exists
'''
    path = root / "test_bench_testinfra.py"
    path.write_text(text)
    return path


# ---- measuring -----------------------------------------------------------------------


def gonogo_argv() -> list[str]:
    script = Path(sys.executable).with_name("gonogo")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gonogo"]


#: Where the measured processes cache bytecode (set by ``main``). An installed package has
#: its .pyc files; ``PYTHONDONTWRITEBYTECODE`` would make every run compile gonogo again.
PYCACHE: Path | None = None


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
    env["NO_COLOR"] = "1"
    if PYCACHE is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


#: CPU time (user + system, with its children) of each ``timed`` run, in order
CPU_TIMES: list[float] = []


def timed(argv: Sequence[str], cwd: Path, expect_rc: int = 0) -> float:
    """Wall time of one subprocess run (output captured, as in CI); its CPU time goes to
    ``CPU_TIMES``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(list(argv), cwd=cwd, env=clean_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_TIMES.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    if proc.returncode != expect_rc:
        sys.exit(f"bench: {' '.join(argv)} exited {proc.returncode}, expected {expect_rc}:\n"
                 f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def median_of(repeat: int, run: Callable[[], float]) -> tuple[float, list[float]]:
    samples = [run() for _ in range(repeat)]
    return statistics.median(samples), samples


def last_cpu(repeat: int) -> float:
    """The median CPU time of the last ``repeat`` timed runs."""
    return statistics.median(CPU_TIMES[-repeat:])


def serial_sum(report: Path) -> float:
    data = json.loads(report.read_text())
    return float(sum(c["duration_s"] for c in data["checks"]))


# ---- scenarios -----------------------------------------------------------------------


def scenario_a(work: Path, repeat: int, testinfra: bool, serial: bool) -> list[Row]:
    root = work / "a"
    root.mkdir()
    rows: list[Row] = []
    with slow_server() as base_url:
        config = mixed_config(root, base_url)
        report = root / "last.json"
        argv = [*gonogo_argv(), "check", "-c", str(config), "--report", f"json:{report}"]
        timed(argv, root)  # warm-up: creates the state database, fills OS caches
        wall, samples = median_of(repeat, lambda: timed(argv, root))
        rows.append(Row("(a) 200 mixed checks", "gonogo wall time", wall, "<= 1.5 s", wall <= 1.5,
                        last_cpu(repeat)))
        if serial:
            # the same checks one at a time: their durations' sum is the serial cost
            serial_wall = timed([*argv, "--jobs", "1"], root)
            rows.append(Row("(a) 200 mixed checks", "serial sum (--jobs 1)", serial_sum(report),
                            "", None))
            rows.append(Row("(a) 200 mixed checks", "gonogo --jobs 1 wall time", serial_wall,
                            "", None))
        if testinfra:
            test_file = testinfra_file(root, base_url)
            pytest_argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                           "-o", "addopts=", str(test_file)]
            t_wall, _ = median_of(max(1, min(repeat, 2)), lambda: timed(pytest_argv, root))
            rows.append(Row("(a) 200 mixed checks", "pytest-testinfra, serial", t_wall, "", None,
                            last_cpu(max(1, min(repeat, 2)))))
            speedup = t_wall / wall
            rows.append(Row("(a) 200 mixed checks", "speed-up vs testinfra (x)", speedup,
                            ">= 15x", speedup >= 15))
    print(f"  (a) samples: {', '.join(f'{s:.2f}' for s in samples)}", file=sys.stderr)
    return rows


def scenario_b(work: Path, repeat: int) -> list[Row]:
    root = work / "b"
    root.mkdir()
    config = trivial_config(root)
    argv = [*gonogo_argv(), "check", "-c", str(config)]
    timed(argv, root)
    wall, samples = median_of(repeat, lambda: timed(argv, root))
    print(f"  (b) samples: {', '.join(f'{s:.2f}' for s in samples)}", file=sys.stderr)
    return [Row("(b) 1,000 trivial checks", "end-to-end wall time", wall, "<= 0.5 s", wall <= 0.5,
                last_cpu(repeat))]


def scenario_c(work: Path) -> list[Row]:
    argv = [*gonogo_argv(), "--help"]
    timed(argv, work)
    wall, _ = median_of(10, lambda: timed(argv, work))
    return [Row("(c) start-up", "`gonogo --help`", wall, "<= 0.1 s", wall <= 0.1, last_cpu(10))]


def print_table(rows: list[Row]) -> None:
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} (1, 5, 15 min): "
          "on a loaded machine read the CPU column beside the wall time")
    head = f"{'scenario':<26} {'figure':<28} {'value':>9}  {'cpu':>7}  {'target':<8} result"
    print(head)
    print("-" * len(head))
    for r in rows:
        unit = "x" if r.figure.endswith("(x)") else "s"
        result = "" if r.met is None else ("met" if r.met else "MISSED")
        cpu = f"{r.cpu:6.2f}s" if r.cpu is not None else ""
        print(f"{r.scenario:<26} {r.figure:<28} {r.value:>8.2f}{unit}  {cpu:>7}  {r.target:<8} {result}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median reported)")
    parser.add_argument("--no-testinfra", action="store_true", help="skip the testinfra comparison")
    parser.add_argument("--no-serial", action="store_true", help="skip the --jobs 1 run of (a)")
    parser.add_argument("--only", choices=["a", "b", "c"], action="append", default=[])
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    testinfra = not args.no_testinfra
    if testinfra:
        if importlib.util.find_spec("testinfra") is None:
            print("bench: pytest-testinfra is not installed; skipping the comparison "
                  "(pip install pytest-testinfra)", file=sys.stderr)
            testinfra = False
        if shutil.which("curl") is None:
            print("bench: curl not found; skipping the testinfra comparison", file=sys.stderr)
            testinfra = False
    wanted = set(args.only) or {"a", "b", "c"}
    print(f"gonogo bench · python {sys.version.split()[0]} · {os.cpu_count()} CPUs · "
          f"median of {args.repeat}", file=sys.stderr)
    rows: list[Row] = []
    global PYCACHE
    with tempfile.TemporaryDirectory(prefix="gonogo-bench-") as tmp:
        work = Path(tmp)
        PYCACHE = work / "pycache"  # warmed by each scenario's first, unmeasured run
        if "a" in wanted:
            rows += scenario_a(work, args.repeat, testinfra, not args.no_serial)
        if "b" in wanted:
            rows += scenario_b(work, args.repeat)
        if "c" in wanted:
            rows += scenario_c(work)
    print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps([r.__dict__ for r in rows], indent=2) + "\n")
    return 0 if all(r.met is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
