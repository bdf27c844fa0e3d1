"""Turn exceptions into what a person should see: one line for expected problems,
"unexpected error" plus a redacted crash log for anything else (pre-commit's model)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from gonogo import private
from gonogo.core import errors
from gonogo.redact import Redactor

#: Secrets known to the running command; crash logs are redacted with it.
ACTIVE_REDACTOR = Redactor()


def run_command(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        return func(args)
    except errors.GonogoError as exc:
        print(f"gonogo: error: {ACTIVE_REDACTOR.text(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("gonogo: interrupted", file=sys.stderr)
        return errors.EXIT_INTERRUPTED
    except BrokenPipeError:
        return errors.EXIT_INTERRUPTED
    except Exception as exc:
        print(f"gonogo: unexpected error: {type(exc).__name__}: {ACTIVE_REDACTOR.text(str(exc))}",
              file=sys.stderr)
        try:
            path = write_crash_log(exc)
        except OSError as problem:
            print(f"gonogo: no crash log could be written ({ACTIVE_REDACTOR.text(str(problem))}); "
                  "set GONOGO_CRASH_DIR to a writable folder and run again for one",
                  file=sys.stderr)
        else:
            print(f"gonogo: a crash log with details is at {path} — please attach it to a bug "
                  "report", file=sys.stderr)
        return errors.EXIT_INTERNAL


def crash_dir() -> Path:
    """Where crash logs go: ``$GONOGO_CRASH_DIR``; else ``crash/`` in the state folder the
    command opened, or in ``./.gonogo`` when that exists; else ``$XDG_STATE_HOME/gonogo``
    (default ``~/.local/state/gonogo``). Never a shared folder such as /tmp: a crash log
    names files and commands of the project."""
    override = os.environ.get("GONOGO_CRASH_DIR")
    if override:
        return Path(override)
    state = private.state_dir()
    if state is None:
        with contextlib.suppress(OSError):  # the working directory may be gone
            state = Path.cwd() / ".gonogo"
    if state is not None and state.is_dir():
        return state / "crash"
    return user_state_dir()


def user_state_dir() -> Path:
    """``$XDG_STATE_HOME/gonogo``; the spec says to ignore a relative ``$XDG_STATE_HOME``."""
    base = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(base):
        try:
            base = str(Path.home() / ".local" / "state")
        except RuntimeError as exc:  # no $HOME and no passwd entry
            raise OSError(str(exc)) from None
    return Path(base) / "gonogo"


def write_crash_log(exc: BaseException) -> Path:
    """Write a redacted crash log (0600, in a 0700 folder); OSError when none can be."""
    import platform  # these, like the version, only when there is a crash (~15 ms of imports)
    import traceback

    from gonogo import __version__  # package metadata: read only when there is a crash

    text = (
        f"gonogo {__version__} crash at {datetime.now(UTC).isoformat()}\n"
        f"python {sys.version.split()[0]} on {platform.platform()}\n"
        f"argv: {' '.join(sys.argv)}\n\n"
        + "".join(traceback.format_exception(exc))
    )
    stem = f"crash-{datetime.now(UTC):%Y%m%d-%H%M%S}-{os.getpid()}"
    chosen = os.environ.get("GONOGO_CRASH_DIR")
    problem: OSError | None = None
    tried: set[Path] = set()
    for where in (crash_dir, user_state_dir):
        try:
            directory = where()
            if directory in tried:
                continue
            tried.add(directory)
            private.make_dir(directory)
            if str(directory) != chosen:  # gonogo's own folder: keep it private
                private.tighten(directory, private.DIR_MODE)
            return _write_new_log(directory, stem, ACTIVE_REDACTOR.text(text))
        except OSError as exc2:
            place = f"{exc2.filename}: " if exc2.filename else ""
            problem = problem or OSError(f"{place}{exc2.strerror or exc2}")
    assert problem is not None
    raise problem


def _write_new_log(directory: Path, stem: str, text: str) -> Path:
    """A new file (0600, never through a symlink); a second crash in one second gets ``-1``."""
    for n in range(100):
        path = directory / (f"{stem}.log" if n == 0 else f"{stem}-{n}.log")
        try:
            private.write_new(path, text)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{directory / stem}*.log: too many crash logs")


def use_redactor(redactor: Redactor) -> None:
    """Make crash logs and error lines of this process redact ``redactor``'s secrets."""
    global ACTIVE_REDACTOR
    ACTIVE_REDACTOR = redactor


def warn(message: str) -> None:
    """One ``gonogo: warning: …`` line on stderr, for a problem that does not stop the command."""
    print(f"gonogo: warning: {ACTIVE_REDACTOR.text(message)}", file=sys.stderr)
