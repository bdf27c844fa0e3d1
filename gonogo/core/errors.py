"""The exceptions gonogo raises, and the exit codes they map to.

Exception tree::

    GonogoError                 an expected problem; printed as one line, never a traceback
    ├── UsageError              bad command-line use                                 (exit 2)
    ├── ConfigError             a config or checklist is wrong: file:line, path, expected/found (exit 2)
    ├── StateError              the state store is unreadable or a run/item is unknown (exit 2)
    │   └── NoState             nothing was recorded here yet (read-only commands create nothing)
    └── LockHeld                another deploy holds the environment's lock          (exit 2)

    CheckProblem                raised by a check type's ``run()``; the runner turns it into an outcome
    ├── CheckFailed             the claim is false                → ``failed`` (``warned`` if advisory)
    ├── CheckWarning            the claim holds with a caveat     → ``warned``
    └── CheckError              the claim could not be evaluated  → ``errored``

Anything else escaping a command is an internal error: exit 3 with a crash log.
"""

from __future__ import annotations

from typing import Any

EXIT_GO = 0
EXIT_NOGO = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_PENDING = 4
EXIT_ROLLED_BACK = 5
EXIT_ROLLBACK_FAILED = 6
#: Deployed and verified, but a ``post`` step failed: nothing was rolled back.
EXIT_POST_FAILED = 7
EXIT_INTERRUPTED = 130


class GonogoError(Exception):
    """An expected problem a person can act on; printed as one line."""

    exit_code = EXIT_USAGE


class UsageError(GonogoError):
    """The command line is wrong."""


class ConfigError(GonogoError):
    """A config or checklist error, located at file:line."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file, self.line, self.path, self.hint, self.detail = file, line, path, hint, message
        where = ""
        if file:
            where = f"{file}:{line}: " if line else f"{file}: "
        text = f"{where}{path}: {message}" if path else f"{where}{message}"
        if hint:
            text += f" (hint: {hint})"
        super().__init__(text)


class StateError(GonogoError):
    """The state store cannot serve the request (unknown run, unknown item, unreadable store)."""


class NoState(StateError):
    """No state store exists at ``location`` yet; read-only commands say so and create none."""

    def __init__(self, location: str) -> None:
        self.location = location
        super().__init__(f"no state at {location} (nothing has run here yet)")


class LockHeld(GonogoError):
    """Another run holds the deploy lock."""


class CheckProblem(Exception):
    """Base for what a check's ``run()`` raises; carries an optional evidence mapping."""

    def __init__(self, message: str, evidence: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.evidence = evidence or {}


class CheckFailed(CheckProblem):
    """The claim is false."""


class CheckWarning(CheckProblem):
    """The claim holds, but with a caveat worth a person's attention."""


class CheckError(CheckProblem):
    """The claim could not be evaluated (tool missing, unreachable dependency of the check itself)."""
