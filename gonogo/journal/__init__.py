"""The evidence journal: runs, results and sign-offs in SQLite (default) or PostgreSQL, and
the release history (what is live where) with the deploy lock.

It records and reads facts; it knows no engine. It may import ``core`` and the utilities
(private files, identity) only: the engine, reports and commands come to it.
"""

from gonogo.journal.schema import RunRecord
from gonogo.journal.store import RunJournal, Store, open_store

__all__ = ["RunJournal", "RunRecord", "Store", "open_store"]
