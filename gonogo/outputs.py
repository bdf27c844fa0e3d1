"""Writing a file a person named (``-o PATH``): whole or not at all, and any problem with
the path (no such folder, a directory, a name too long, no permission, a full disk) is one
line naming it — a usage error, exit 2 — never a traceback."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from gonogo import private
from gonogo.core.errors import UsageError


def refuse_overwrite(path: Path, force: bool) -> None:
    """A usage error when ``path`` exists and ``force`` is not set, checked before any work."""
    try:
        exists = path.exists() or path.is_symlink()
    except OSError as exc:  # a name too long, a loop of links
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    if exists and not force:
        raise UsageError(f"{path} exists; pass --force to overwrite it")


def write_output(path: Path, text: str, *, make_parents: bool = False, what: str = "") -> None:
    """Write ``text`` to ``path`` (0600) through a temporary file beside it, then rename;
    ``what`` names the file in an error ("report" → "cannot write report PATH")."""
    if not path.name or path.name in (".", ".."):
        raise UsageError(f"cannot write {what}{path}: expected a file name")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if make_parents:
            private.make_dir(path.parent)
        if path.exists() and not path.is_file():  # /dev/stdout, a FIFO: write into it, never replace it
            with open(path, "w", encoding="utf-8", newline="") as out:
                out.write(text)
            return
        private.write_text(tmp, text, newline="")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise UsageError(f"cannot write {what}{path}: {exc.strerror or exc}") from None
