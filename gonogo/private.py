"""Private by default: what gonogo writes is readable by its own user only.

Folders gonogo makes are 0700 and files 0600, set explicitly at creation (``os.open`` and
``mkdir`` modes) so a library caller with a loose umask is just as safe as the CLI, which
also runs under umask 077 (``use_private_umask``). Commands gonogo runs for the user (builds,
tests) get the user's own umask back: their files are the project's, not gonogo's, and a
build that left 0600 files would ship unreadable images.

This module also remembers the state folder the process uses, so a crash log can be put
beside the journal rather than at a guessable path. It imports nothing of gonogo's.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
PRIVATE_UMASK = 0o077

_user_umask: int | None = None
_state_dir: Path | None = None


def use_private_umask() -> None:
    """Make this process create files 0600 and folders 0700 (remembering the user's umask)."""
    global _user_umask
    previous = os.umask(PRIVATE_UMASK)
    if _user_umask is None:
        _user_umask = previous


def child_umask() -> int:
    """The umask for commands run on the user's behalf (``-1``: inherit, as ``Popen`` has it)."""
    return -1 if _user_umask is None else _user_umask


def make_dir(path: Path) -> Path:
    """``mkdir -p`` where every folder created is 0700 (``Path.mkdir(parents=True)`` gives
    the parents default modes). Existing folders are left as they are."""
    missing: list[Path] = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
    return path


def tighten(path: Path, mode: int) -> bool:
    """Take group and other permissions away from ``path`` (a folder or file gonogo owns).

    Returns False when ``path`` is still open to others (another user owns it); a missing
    ``path`` is fine. A symlink is never followed: gonogo does not make them.
    """
    try:
        info = path.lstat()
    except FileNotFoundError:
        return True
    if stat.S_ISLNK(info.st_mode) or not stat.S_IMODE(info.st_mode) & ~mode & 0o777:
        return True
    try:
        os.chmod(path, stat.S_IMODE(info.st_mode) & mode)
    except OSError:
        return False
    return True


def private_dir(path: Path) -> Path:
    """A folder of gonogo's state: created 0700, or made 0700 when it was wider."""
    make_dir(path)
    if not tighten(path, DIR_MODE):
        mode = stat.S_IMODE(path.stat().st_mode)
        raise PermissionError(
            f"{path} is open to other users (mode {mode:04o}) and cannot be made private; "
            f"run `chmod 700 {path}` as its owner"
        )
    return path


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """A file descriptor on ``path``, created 0600; an existing file is narrowed to 0600."""
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) & ~FILE_MODE:
            os.fchmod(fd, FILE_MODE)
    except OSError:
        os.close(fd)
        raise
    return fd


def write_text(path: Path, text: str, *, newline: str | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path``, 0600."""
    with os.fdopen(open_private(path), "w", encoding="utf-8", newline=newline) as handle:
        handle.write(text)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, 0600."""
    with os.fdopen(open_private(path), "wb") as handle:
        handle.write(data)


def write_new(path: Path, text: str) -> None:
    """Create ``path`` 0600 and write ``text``; fails if anything (a symlink too) is there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    # a crash log may quote a path that is not valid UTF-8: escape it rather than fail
    with os.fdopen(open_private(path, flags), "w", encoding="utf-8",
                   errors="backslashreplace") as handle:
        handle.write(text)


def touch(path: Path) -> None:
    """Create ``path`` empty and 0600 unless it exists; narrow it to 0600 if it does."""
    os.close(open_private(path, os.O_WRONLY | os.O_CREAT))


def note_state_dir(path: Path) -> None:
    """Remember the state folder this process uses (crash logs go there)."""
    global _state_dir
    _state_dir = path


def state_dir() -> Path | None:
    """The state folder this process opened, if any."""
    return _state_dir
