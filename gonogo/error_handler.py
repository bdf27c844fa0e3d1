"""Turn exceptions into what a person should see: one line for expected problems,
"unexpected error" plus a redacted crash log for anything else (pre-commit's model)."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from gonogo import __version__, errors
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
        path = write_crash_log(exc)
        print(
            f"gonogo: unexpected error: {type(exc).__name__}: {ACTIVE_REDACTOR.text(str(exc))}\n"
            f"gonogo: a crash log with details is at {path} — please attach it to a bug report",
            file=sys.stderr,
        )
        return errors.EXIT_INTERNAL


def crash_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("GONOGO_CRASH_DIR") or Path(base) / "gonogo")


def write_crash_log(exc: BaseException) -> Path:
    text = (
        f"gonogo {__version__} crash at {datetime.now(UTC).isoformat()}\n"
        f"python {sys.version.split()[0]} on {platform.platform()}\n"
        f"argv: {' '.join(sys.argv)}\n\n"
        + "".join(traceback.format_exception(exc))
    )
    directory = crash_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"crash-{datetime.now(UTC):%Y%m%d-%H%M%S}-{os.getpid()}.log"
        path.write_text(ACTIVE_REDACTOR.text(text), encoding="utf-8")
    except OSError:
        path = Path(f"/tmp/gonogo-crash-{os.getpid()}.log")
        path.write_text(ACTIVE_REDACTOR.text(text), encoding="utf-8")
    return path


def use_redactor(redactor: Redactor) -> None:
    """Make crash logs and error lines of this process redact ``redactor``'s secrets."""
    global ACTIVE_REDACTOR
    ACTIVE_REDACTOR = redactor


def warn(message: str) -> None:
    """One ``gonogo: warning: …`` line on stderr, for a problem that does not stop the command."""
    print(f"gonogo: warning: {ACTIVE_REDACTOR.text(message)}", file=sys.stderr)
