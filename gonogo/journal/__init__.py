"""The evidence journal: runs, results and sign-offs in SQLite (default) or PostgreSQL, and
the release history (what is live where) with the deploy lock.

It records and reads facts; it knows no engine. It may import ``core`` and the utilities
(private files, identity) only: the engine, reports and commands come to it.

The names below are imported on first use: importing a submodule (``records``, ``lite``)
must not import SQLAlchemy, which ``store`` does.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gonogo.journal.records import RunRecord
    from gonogo.journal.run_journal import RunJournal
    from gonogo.journal.store import Store, open_store

__all__ = ["RunJournal", "RunRecord", "Store", "open_store"]

_HOMES = {"RunJournal": "run_journal", "RunRecord": "records", "Store": "store",
          "open_store": "store"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
