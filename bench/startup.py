"""Start-up and small-gate speed, measured as installed: a wheel of this checkout installed
(bytecode compiled, as pip does) into a venv of its own, run as a user runs it.

Figures (median of ``--repeat`` runs, wall time of the real CLI in a subprocess):

  help     ``gonogo --help``                                    target <= 0.10 s
  gate10   ``gonogo check`` of a 10-check gate (5 command, 5 file)   target <= 0.25 s
  gate1000 ``gonogo check`` of 1,000 trivial ``file`` checks     target <= 0.50 s

each with its CPU time too (a busy shared machine stretches wall time), and, to show
where the time goes, the import time of the modules a gate loads.

    .venv/bin/python bench/startup.py [--repeat 7] [--venv PATH]

The venv (default ``.bench-venv``) keeps its dependencies between runs; gonogo itself is
reinstalled from a fresh wheel each time. This prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"help": 0.10, "gate10": 0.25, "gate1000": 0.50}


def installed_venv(venv: Path, source: Path) -> Path:
    """The venv's python, with a wheel of ``source`` freshly installed into it."""
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    with tempfile.TemporaryDirectory() as wheels:
        subprocess.run([str(python), "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, str(source)],
                       check=True)
        (wheel,) = Path(wheels).glob("gonogo-*.whl")
        # dependencies once (kept), gonogo itself every time; pip compiles the bytecode
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall",
                        str(wheel)], check=True)
    return python


def config(checks: list[str]) -> str:
    return ("version: 1\nname: startup\nphases:\n  - id: pre\n    kind: preflight\n    checks:\n"
            + "".join(checks))


def gate10() -> str:
    commands = [f"      - {{id: c{i}, run: 'true'}}\n" for i in range(5)]
    files = [f"      - {{id: f{i}, type: file, path: gonogo.yml}}\n" for i in range(5)]
    return config(commands + files)


def gate1000() -> str:
    return config([f"      - {{id: f{i}, type: file, path: gonogo.yml}}\n" for i in range(1000)])


def timed(argv: list[str], cwd: Path, repeat: int) -> tuple[float, float, list[float]]:
    """Median wall time, median CPU time (user + system of the process and its children:
    on a busy shared machine wall time mostly measures the neighbours), and the walls."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GONOGO_CONFIG", None)
    walls, cpus = [], []
    for _ in range(repeat + 1):  # the first run warms the page cache and is dropped
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if done.returncode != 0:
            sys.exit(f"bench: {' '.join(argv)} exited {done.returncode}:\n{done.stdout[-800:]}{done.stderr[-800:]}")
    return statistics.median(walls[1:]), statistics.median(cpus[1:]), walls[1:]


def import_costs(python: Path) -> list[tuple[str, float]]:
    """Cumulative import time of what a `check` loads, from ``python -X importtime``."""
    code = "import gonogo.cli, gonogo.commands.check, gonogo.gate"
    with tempfile.TemporaryDirectory() as elsewhere:  # not this checkout's gonogo (cwd is on sys.path)
        done = subprocess.run([str(python), "-X", "importtime", "-c", code], capture_output=True,
                              text=True, cwd=elsewhere)
    # gonogo.config.model holds most of it: the pydantic modules it pulls in (pydantic itself
    # is lazy, so "pydantic" alone reads small) and the config models it builds
    wanted = ("gonogo.gate", "gonogo.journal.lite", "sqlalchemy", "pydantic", "gonogo.config.load",
              "gonogo.checks.base", "asyncio", "rich", "httpx", "jinja2", "yaml",
              "gonogo.config.model", "gonogo.config.docker_model", "pydantic.main", "pydantic.types",
              "importlib.metadata", "gonogo.plugins", "gonogo.error_handler")
    costs: dict[str, float] = {}
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() in wanted and parts[1].strip().isdigit():
            costs[parts[2].strip()] = max(costs.get(parts[2].strip(), 0), int(parts[1]) / 1e6)
    return sorted(costs.items(), key=lambda item: -item[1])


#: Run in the venv with a gate's folder as cwd: `gonogo check`, then the names of every module
#: it imported that is not gonogo's own, in import order, on the last line of stderr.
LIST_LIBRARIES = """
import sys
from gonogo.cli import main
try:
    main(["check"])
finally:
    own = ("gonogo", "__main__")
    names = [n for n in list(sys.modules) if n.split(".")[0] not in own]
    print(" ".join(names), file=sys.stderr)
"""


def library_floor(python: Path, folder: Path, repeat: int) -> tuple[int, float, float]:
    """The share of a gate's time no change to gonogo's own code can remove: a Python that
    imports only the libraries the gate imports (stdlib and third-party: asyncio, pydantic,
    yaml, sqlite3, pluggy, importlib.metadata, …), in the same order, and does nothing else.
    (Number of modules, median wall, median CPU.)"""
    done = subprocess.run([str(python), "-c", LIST_LIBRARIES], cwd=folder, capture_output=True,
                          text=True, env={**os.environ, "NO_COLOR": "1"})
    names = done.stderr.strip().splitlines()[-1].split()
    script = folder / "libraries_only.py"
    # a few internal modules cannot be imported on their own: skipped
    # with the same garbage-collector settings as gonogo's start-up (gonogo/cli.py)
    script.write_text("import gc, importlib\ngc.disable()\n"
                      f"for name in {names!r}:\n"
                      "    try:\n        importlib.import_module(name)\n"
                      "    except Exception:\n        pass\n"
                      "gc.freeze()\n")
    wall, cpu, _ = timed([str(python), str(script)], folder, repeat)
    return len(names), wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--venv", type=Path, default=ROOT / ".bench-venv")
    parser.add_argument("--source", type=Path, default=ROOT,
                        help="the tree to build the wheel from (another one to compare: "
                             "`git archive main | tar -x -C DIR`)")
    args = parser.parse_args()
    python = installed_venv(args.venv, args.source)
    gonogo = str(python.parent / "gonogo")
    print(f"gonogo start-up bench · python {sys.version.split()[0]} · {os.cpu_count()} CPUs · "
          f"wheel of {args.source} installed in {args.venv}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows.append(("help", "gonogo --help", *timed([gonogo, "--help"], work, args.repeat)))
        for name, text, what in (("gate10", gate10(), "10-check gate"),
                                 ("gate1000", gate1000(), "1,000 trivial checks")):
            folder = work / name
            folder.mkdir()
            (folder / "gonogo.yml").write_text(text)
            rows.append((name, what, *timed([gonogo, "check"], folder, args.repeat)))
        modules, floor_wall, floor_cpu = library_floor(python, work / "gate10", args.repeat)
    print(f"load average {os.getloadavg()[0]:.1f}: on a loaded machine read the CPU column")
    print(f"{'figure':<24} {'wall':>8} {'cpu':>8}  {'target':<8} result   wall samples")
    for name, what, wall, cpu, samples in rows:
        ok = "ok" if wall <= TARGETS[name] else "ok (cpu)" if cpu <= TARGETS[name] else "OVER"
        print(f"{what:<24} {wall:>7.3f}s {cpu:>7.3f}s  <= {TARGETS[name]:.2f}s {ok:<8} "
              + " ".join(f"{s:.3f}" for s in samples))
    gate_wall = next(row[2] for row in rows if row[0] == "gate10")
    print(f"{'libraries alone':<24} {floor_wall:>7.3f}s {floor_cpu:>7.3f}s  (python importing the "
          f"{modules} stdlib and third-party modules the 10-check gate imports, nothing else)")
    print(f"{'gonogo own share':<24} {gate_wall - floor_wall:>7.3f}s           (10-check gate minus "
          "the libraries alone: what changes to gonogo's code can still cut)")
    print("import time (cumulative) of what `gonogo check` loads:")
    for module, seconds in import_costs(python):
        print(f"  {module:<24} {seconds:.3f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
