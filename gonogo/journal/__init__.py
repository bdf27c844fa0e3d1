"""The evidence journal: runs, results and sign-offs in SQLite (default) or PostgreSQL."""

from gonogo.journal.store import RunJournal, RunRecord, Store, open_store

__all__ = ["RunJournal", "RunRecord", "Store", "open_store"]
