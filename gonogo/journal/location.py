"""Where a SQLite journal lives: a private state folder (0700) with ``state.db`` (0600) in it.

Shared by the SQLAlchemy ``store`` and the gate's ``lite`` store, which both open it.
"""

from __future__ import annotations

from pathlib import Path

from gonogo import private
from gonogo.core.errors import NoState, StateError


def prepare_state_dir(directory: Path, *, create: bool) -> Path:
    """The SQLite database of a state folder, made (0700/0600) when ``create``; NoState when
    only reading and nothing was recorded yet."""
    database = directory / "state.db"
    if not create:
        if not database.is_file():
            raise NoState(str(directory))
        _tighten_state(directory)  # best effort: reading needs no permission change
    else:
        try:
            private.private_dir(directory)
            private.touch(database)  # 0600 before SQLite makes it; -wal and -shm copy its mode
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise StateError(f"cannot create state directory {directory}: {reason}") from None
        if not _tighten_state(directory):
            raise StateError(f"cannot make the state in {directory} private: run `chmod 700 "
                             f"{directory}; chmod 600 {database}*` as its owner")
    private.note_state_dir(directory)
    return database


def make_run_dir(state_dir: Path, run_dir: Path) -> None:
    """A new run's folder (``output`` in it), private like the state folder it is in."""
    try:
        private.note_state_dir(private.private_dir(state_dir))
        private.make_dir(run_dir / "output")
    except OSError as exc:
        raise StateError(f"cannot create the run folder {run_dir}: "
                         f"{exc.strerror or exc}") from None


def _tighten_state(directory: Path) -> bool:
    """Narrow a state folder made by an older gonogo (0755, 0644) to 0700/0600."""
    ok = private.tighten(directory, private.DIR_MODE)
    ok = private.tighten(directory / "runs", private.DIR_MODE) and ok
    for name in ("state.db", "state.db-wal", "state.db-shm", "state.db-journal"):
        ok = private.tighten(directory / name, private.FILE_MODE) and ok
    return ok
