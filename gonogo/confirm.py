"""One way to ask before a command destroys something: `restore` (replaces a database),
`rollback` of a protected environment, `lock release --force`.

The rule, the same for all of them: ``--yes`` proceeds; a person at a terminal (stdin and
stdout both a TTY) is asked and only "y" or "yes" proceeds; anything else — another
answer, end of input, no terminal at all (CI, a pipe, cron) — changes nothing and exits 2.
Fail closed: a script that forgot ``--yes`` stops instead of overwriting production.
"""

from __future__ import annotations

import sys

from gonogo.core.errors import UsageError

NOT_CONFIRMED = "not confirmed; nothing changed"


def interactive() -> bool:
    """Whether a person can be asked: both ends of the conversation are a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def confirm(question: str, *, yes: bool, refusal: str) -> None:
    """Return when the destructive action may go ahead; raise UsageError (exit 2) otherwise.

    ``question`` is shown at a terminal followed by ``[y/N]``; ``refusal`` is the one-line
    error without a terminal and without ``--yes`` (it should say to pass ``--yes``).
    """
    if yes:
        return
    if not interactive():
        raise UsageError(refusal)
    sys.stdout.write(f"{question} [y/N] ")
    sys.stdout.flush()
    answer = sys.stdin.readline()  # "" at end of input: not a yes
    if answer.strip().lower() not in ("y", "yes"):
        raise UsageError(NOT_CONFIRMED)
