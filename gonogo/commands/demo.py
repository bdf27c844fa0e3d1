"""`gonogo demo`: the whole idea in one command, with nothing to install or configure.

Builds a throwaway workspace from ``gonogo/demo_data/workspace`` (a sample API and web
front end, an env file, and a checklist shaped like a real team's), starts the two
services on free 127.0.0.1 ports, then runs the gate twice: once with planted problems
(NO-GO) and once healthy (GO). No Docker, no PostgreSQL, no network.

The checklist is whichever file ``CHECKLIST`` names in the workspace; the demo only
loads it with ``load_config``, so a Markdown checklist can replace the YAML one by
adding it to ``demo_data/workspace`` and changing that constant.
"""

from __future__ import annotations

import argparse
import os
import secrets
import select
import shlex
import shutil
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO

from gonogo.core.errors import EXIT_GO, EXIT_NOGO, GonogoError, UsageError
from gonogo.targets.background import background_process, sigterm_as_interrupt

#: The checklist the demo runs, relative to the workspace.
CHECKLIST = "gonogo.yml"
#: Marks a folder as a demo workspace, so `--dir` may reuse it.
MARKER = ".gonogo-demo"
#: Package-data names that become dotfiles (setuptools' globs skip dotfiles).
DOT_PREFIX = "dot-"
TEXT_SUFFIXES = {".yml", ".yaml", ".md", ".py", ".sql", ".txt", ".html", ".production"}
START_TIMEOUT_S = 10.0

BROKEN_MODULE = "app/api/discounts.py"
BROKEN_SOURCE = '''"""Discount codes (half-finished: the build must catch this)."""


def apply(total_cents: int, code: str) -> int
    return total_cents
'''
FIXED_SOURCE = '''"""Discount codes."""


def apply(total_cents: int, code: str) -> int:
    return total_cents * 9 // 10 if code == "WELCOME10" else total_cents
'''
WEAK_JWT_SECRET = "dev-secret"
DB_DOWN_FLAG = "var/db-down"

PROBLEMS = (
    f"{BROKEN_MODULE} has a syntax error, so the API build fails (and lint is skipped)",
    f"JWT_SECRET in .env.production is the development value {WEAK_JWT_SECRET!r}",
    "the API's database is down: /health answers 503 until the retry window ends",
)


class DemoError(GonogoError):
    """The demo could not run as designed (a sample service did not start)."""

    exit_code = EXIT_NOGO


@dataclass
class Service:
    name: str
    port: int
    process: subprocess.Popen[bytes]


@dataclass
class Run:
    label: str
    verdict: str
    exit_code: int
    expected: str
    html: Path | None

    @property
    def as_designed(self) -> bool:
        return self.verdict == self.expected


def main(args: argparse.Namespace) -> int:
    started = time.monotonic()
    keep = bool(args.keep or args.dir)
    workspace = prepare_dir(args.dir)
    reports = workspace if keep else Path(tempfile.mkdtemp(prefix="gonogo-demo-report-"))
    out = sys.stdout
    try:
        with sigterm_as_interrupt():
            secret_values = _secrets()
            build_workspace(workspace, {"PYTHON": sys.executable, **secret_values})
            with running_services(workspace) as services:
                ports = {s.name: s.port for s in services}
                fill_placeholders(workspace, {f"{s.name.upper()}_PORT": str(s.port) for s in services})
                _intro(out, workspace, services, keep)
                runs = [
                    _run(workspace, out, 1, "planted problems", "NO-GO", reports, keep,
                         lambda: plant_problems(workspace)),
                    _run(workspace, out, 2, "problems fixed", "GO", reports, keep,
                         lambda: fix_problems(workspace, secret_values["JWT_SECRET"])),
                ]
        return _outro(out, runs, workspace, ports, keep, time.monotonic() - started)
    finally:
        if not keep:
            shutil.rmtree(workspace, ignore_errors=True)


# ---- the workspace -------------------------------------------------------------------


def prepare_dir(path: str | None) -> Path:
    """An empty folder (or an earlier demo workspace) to build in; a temp one by default."""
    if path is None:
        return Path(tempfile.mkdtemp(prefix="gonogo-demo-"))
    target = Path(path).expanduser().resolve()
    if target.exists():
        if not target.is_dir():
            raise UsageError(f"--dir {path}: exists and is not a folder")
        if any(target.iterdir()) and not (target / MARKER).exists():
            raise UsageError(f"--dir {path}: the folder is not empty and not a gonogo demo "
                             "workspace; pass a new or empty folder")
    target.mkdir(parents=True, exist_ok=True)
    return target


def template_root() -> Traversable:
    return resources.files("gonogo").joinpath("demo_data", "workspace")


def build_workspace(workspace: Path, values: dict[str, str]) -> None:
    """Copy the sample app and its checklist into ``workspace``, filling in ``{{NAME}}``
    placeholders from ``values`` (the ports are filled once the services run)."""
    _copy_tree(template_root(), workspace, values)
    (workspace / "var").mkdir(exist_ok=True)
    (workspace / MARKER).write_text("made by `gonogo demo`\n", encoding="utf-8")
    for stale in (BROKEN_MODULE, DB_DOWN_FLAG):
        (workspace / stale).unlink(missing_ok=True)


def _copy_tree(source: Traversable, target: Path, values: dict[str, str]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        name = entry.name
        if name == "__pycache__":
            continue
        if name.startswith(DOT_PREFIX):
            name = "." + name[len(DOT_PREFIX):]
        if entry.is_dir():
            _copy_tree(entry, target / name, values)
        elif Path(name).suffix in TEXT_SUFFIXES:
            (target / name).write_text(_fill(entry.read_text(encoding="utf-8"), values),
                                       encoding="utf-8")
        else:
            (target / name).write_bytes(entry.read_bytes())


def fill_placeholders(workspace: Path, values: dict[str, str]) -> None:
    for path in workspace.rglob("*"):
        if path.is_file() and path.suffix in TEXT_SUFFIXES and ".gonogo" not in path.parts:
            text = path.read_text(encoding="utf-8")
            filled = _fill(text, values)
            if filled != text:
                path.write_text(filled, encoding="utf-8")


class _Placeholders(string.Template):
    """``{{NAME}}`` in the sample files; names without a value stay as written.

    Not ``gonogo.interpolate``'s ``${NAME}``: the files are a gonogo checklist and env files
    whose own ``${name}`` (and ``$${...}`` escapes) gonogo interpolates when it loads them,
    so the values the demo fills in while building need a syntax that leaves those alone.
    """

    delimiter = "{{"
    # a string, as string.Template documents (typeshed has the compiled type it becomes)
    pattern = r"""
        \{\{(?:
          (?P<named>[A-Za-z_][A-Za-z0-9_]*)\}\}    # {{NAME}}
        | (?P<braced>(?!)) | (?P<escaped>(?!))  # string.Template's other forms: none here
        | (?P<invalid>)                         # any other {{ stays as written
        )"""  # type: ignore[assignment]


def _fill(text: str, values: dict[str, str]) -> str:
    return _Placeholders(text).safe_substitute(values)


def _secrets() -> dict[str, str]:
    return {
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
        "JWT_SECRET": secrets.token_urlsafe(48),
        "JWT_REFRESH_SECRET": secrets.token_urlsafe(48),
    }


def plant_problems(workspace: Path) -> None:
    (workspace / BROKEN_MODULE).write_text(BROKEN_SOURCE, encoding="utf-8")
    _set_env(workspace / ".env.production", "JWT_SECRET", WEAK_JWT_SECRET)
    (workspace / DB_DOWN_FLAG).write_text("planted by gonogo demo\n", encoding="utf-8")


def fix_problems(workspace: Path, jwt_secret: str) -> None:
    (workspace / BROKEN_MODULE).write_text(FIXED_SOURCE, encoding="utf-8")
    _set_env(workspace / ".env.production", "JWT_SECRET", jwt_secret)
    (workspace / DB_DOWN_FLAG).unlink(missing_ok=True)


def _set_env(path: Path, name: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [f"{name}={value}" if line.startswith(f"{name}=") else line for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---- the two services ----------------------------------------------------------------


@contextmanager
def running_services(workspace: Path) -> Iterator[list[Service]]:
    """Start the sample API and web app on free ports; stop their process groups after,
    whatever happens (errors, Ctrl-C)."""
    with ExitStack() as stack:
        yield [_start(stack, workspace, name) for name in ("api", "web")]


def _start(stack: ExitStack, workspace: Path, name: str) -> Service:
    """Start one service, stopped when ``stack`` closes (at once if it never says its port)."""
    log = workspace / "var" / f"{name}.log"
    with log.open("wb") as stderr:
        process = stack.enter_context(background_process(
            [sys.executable, f"app/{name}/server.py", "--port", "0", "--parent-pid", str(os.getpid())],
            cwd=workspace, stderr=stderr,
        ))
    return Service(name, _read_port(name, process, log), process)


def _read_port(name: str, process: subprocess.Popen[bytes], log: Path) -> int:
    """The port from the service's first line (``listening on http://127.0.0.1:PORT``)."""
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    line = b""
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, remaining))
        chunk = os.read(process.stdout.fileno(), 256) if ready else b""
        if not chunk:
            why = log.read_text(errors="replace").strip()[-500:] if log.exists() else ""
            state = "did not start in time" if process.poll() is None else "exited"
            raise DemoError(f"demo service {name} (app/{name}/server.py) {state}"
                             + (f": {why}" if why else ""))
        line += chunk
    return int(line.decode().strip().rsplit(":", 1)[1])


# ---- the two runs --------------------------------------------------------------------


def _run(
    workspace: Path,
    out: IO[str],
    number: int,
    label: str,
    expected: str,
    reports: Path,
    keep: bool,
    prepare: Callable[[], None],
) -> Run:
    from gonogo.config.model import READ_ONLY_KINDS
    from gonogo.error_handler import use_redactor
    from gonogo.gate import GateOptions, run_gate
    from gonogo.reports import ReportSpec
    from gonogo.sources import load_config

    prepare()
    _banner(out, f"Run {number} of 2 — {label}")
    if number == 1:
        out.write("Planted problems:\n" + "".join(f"  • {p}\n" for p in PROBLEMS) + "\n")
    else:
        out.write("Fixed: the syntax error, JWT_SECRET (a strong generated value), "
                  "the database (/health answers 200 again).\n\n")
    out.flush()
    config = load_config(workspace / CHECKLIST, process_env={})
    use_redactor(config.environment.redactor)
    # kept workspaces keep reports in the run folder; otherwise they outlive the workspace
    path = None if keep else str(reports / f"run-{number}-{expected.lower()}.html")
    outcome = run_gate(
        config,
        GateOptions(kinds=READ_ONLY_KINDS, reports=[ReportSpec("html", path)], command="demo",
                    stream=out, read_only=True),
    )
    verdict = outcome.record.verdict or "RUNNING"
    return Run(label, verdict, outcome.exit_code, expected,
               outcome.report_paths[0] if outcome.report_paths else None)


# ---- what the user reads -------------------------------------------------------------


def _banner(out: IO[str], title: str) -> None:
    out.write(f"\n━━━ {title} " + "━" * max(3, 60 - len(title)) + "\n\n")


def _intro(out: IO[str], workspace: Path, services: list[Service], keep: bool) -> None:
    out.write(
        "gonogo demo — a sample app (an API and a web front end on 127.0.0.1) and its\n"
        "production checklist, run as a go/no-go gate twice: broken, then healthy.\n\n"
        f"workspace: {workspace}{'' if keep else ' (removed afterwards; --keep keeps it)'}\n"
        f"checklist: {workspace / CHECKLIST}\n"
    )
    for s in services:
        out.write(f"service:   {s.name} http://127.0.0.1:{s.port} (pid {s.process.pid})\n")
    out.flush()


def _outro(
    out: IO[str], runs: list[Run], workspace: Path, ports: dict[str, int], keep: bool, elapsed: float
) -> int:
    _banner(out, "Demo summary")
    for i, run in enumerate(runs, 1):
        note = "as designed" if run.as_designed else f"UNEXPECTED (expected {run.expected})"
        out.write(f"  run {i} ({run.label}):".ljust(32) + f"{run.verdict:<7} exit {run.exit_code}  {note}\n")
    for i, run in enumerate(runs, 1):
        if run.html:
            out.write(f"  HTML report, run {i}: {run.html}\n")
    out.write(f"  services stopped; took {elapsed:.1f}s\n")
    if keep:
        python = shlex.quote(sys.executable)
        out.write(
            "\nThe workspace is kept. To run the gate yourself:\n"
            f"  cd {shlex.quote(str(workspace))}\n"
            f"  {python} app/api/server.py --port {ports['api']} &\n"
            f"  {python} app/web/server.py --port {ports['web']} &\n"
            "  gonogo check          # run the checklist again\n"
            "  gonogo runs           # the history of runs\n"
            "  gonogo show last      # the evidence of the last run\n"
        )
    else:
        out.write("\nThe workspace was removed; `gonogo demo --dir PATH` keeps one to explore.\n")
    out.flush()
    if all(run.as_designed for run in runs):
        return EXIT_GO
    out.write("gonogo demo: the runs did not end as designed (see above)\n")
    return EXIT_NOGO
