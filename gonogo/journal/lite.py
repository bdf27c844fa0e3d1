"""A gate run's journal on a SQLite state store, written with the standard library's
``sqlite3`` instead of SQLAlchemy.

Why: importing SQLAlchemy (and compiling its statements per result) cost more than the rest
of a small gate's start-up together; a `gonogo check` only inserts a run, its results and
two audit rows, and reads the run back. The tables stay SQLAlchemy's (``schema``): this
store opens only a database whose tables already hold every column it writes
(``open_run_store`` checks with ``PRAGMA table_info``); a new or older one goes through
the full ``Store``, which creates or upgrades it, and PostgreSQL always does. The SQL is
the same SQLAlchemy emits for SQLite (``tests/journal/test_lite_store.py`` compares
what both write), with the same connection settings (WAL, ``synchronous=NORMAL``,
foreign keys, 30 s busy timeout) and one transaction per result.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gonogo.core.errors import StateError
from gonogo.core.outcomes import CheckResult
from gonogo.identity import os_user
from gonogo.journal import process
from gonogo.journal.location import make_run_dir, prepare_state_dir
from gonogo.journal.records import (
    RunRecord,
    audit_values,
    iso_or_none,
    result_from_mapping,
    result_values,
    run_from_mapping,
)
from gonogo.journal.run_journal import RunJournal, new_run_id

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from gonogo.journal.store import Store

#: What this store writes, per table: a database lacking any of them is opened by ``Store``.
COLUMNS = {
    "runs": ("id", "command", "config_path", "environment", "version", "status", "verdict",
             "exit_code", "started_at", "finished_at", "user", "host", "pid", "meta",
             "pid_start"),
    "results": ("run_id", "check_id", "seq", "title", "phase", "kind", "type", "outcome",
                "summary", "duration_s", "evidence", "advisory", "attempts", "line",
                "started_at", "finished_at", "output_path"),
    "signoffs": ("id", "run_id", "check_id", "by", "decision", "note", "expires",
                 "previous_outcome", "at", "os_user", "host"),
    "audit": ("id", "at", "actor", "action", "run_id", "target", "source", "detail"),
}


def _insert(table: str, names: tuple[str, ...]) -> str:
    columns = ", ".join(f'"{name}"' for name in names)
    return f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + n for n in names)})"


AUDIT_NAMES = ("at", "actor", "action", "run_id", "target", "source", "detail")
INSERT_AUDIT = _insert("audit", AUDIT_NAMES)
INSERT_RESULT = _insert("results", COLUMNS["results"])
DELETE_RESULT = "DELETE FROM results WHERE run_id = ? AND check_id = ?"


def open_run_store(location: str, runs_root: Path | None = None) -> Store | LiteStore:
    """The store a gate run records into: a ``LiteStore`` for a SQLite state folder whose
    tables are there and current, else the full ``Store`` (PostgreSQL, a new or older
    database: it creates and upgrades the tables)."""
    if "://" not in location:
        directory = Path(location)
        database = prepare_state_dir(directory, create=True)
        lite = LiteStore.open(database, directory)
        if lite is not None:
            return lite
    from gonogo.journal.store import open_store

    return open_store(location, runs_root)


class LiteStore:
    """The part of ``Store`` a gate run uses, over ``sqlite3``; anything else (``engine``)
    opens SQLAlchemy's engine on the same database when first asked for."""

    def __init__(self, conn: sqlite3.Connection, database: Path, state_dir: Path) -> None:
        self.conn = conn
        self.database = database
        self.display = str(state_dir)
        self.state_dir = state_dir
        self.runs_dir = state_dir / "runs"

    @classmethod
    def open(cls, database: Path, state_dir: Path) -> LiteStore | None:
        """None when the database lacks a table or column this store writes."""
        try:
            conn = sqlite3.connect(database, timeout=30)
            conn.row_factory = sqlite3.Row
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
                conn.execute(f"PRAGMA {pragma}")
            for table, names in COLUMNS.items():
                present = {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}
                if not present.issuperset(names):
                    conn.close()
                    return None
        except sqlite3.Error as exc:
            raise StateError(f"state store {state_dir}: {exc}") from None
        return cls(conn, database, state_dir)

    @functools.cached_property
    def engine(self) -> Engine:
        from gonogo.journal.schema import connect_engine

        return connect_engine(f"sqlite:///{self.database}", self.display)

    def close(self) -> None:
        self.conn.close()
        if "engine" in self.__dict__:
            self.engine.dispose()

    def _write(self, statements: list[tuple[str, Any]]) -> None:
        """One transaction (``with conn``: commit, or roll back on an error)."""
        try:
            with self.conn:
                for sql, params in statements:
                    self.conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise StateError(f"state store {self.display}: {exc}") from None

    def create_run(self, command: str, *, config_path: str | None = None,
                   environment: str | None = None, version: str | None = None,
                   meta: dict[str, Any] | None = None, run_id: str | None = None) -> RunJournal:
        started = datetime.now(UTC)
        rid = run_id or new_run_id(started)
        run_dir = self.runs_dir / rid
        make_run_dir(self.state_dir, run_dir)
        actor = (meta or {}).get("started_by") or os_user()
        audit = audit_values(command, actor, run_id=rid, target=environment,
                             detail={"version": version})
        row = {"id": rid, "command": command, "config_path": config_path,
               "environment": environment, "version": version, "status": "running",
               "started_at": iso_or_none(started), "user": os_user(),
               "meta": json.dumps(meta or {}), **process.identity()}
        self._write([(INSERT_AUDIT, audit), (_insert("runs", tuple(row)), row)])
        return RunJournal(self, rid, run_dir, fresh=True)

    def finish_run(self, run_id: str, verdict: str | None, code: int, status: str = "finished") -> None:
        audit = audit_values("run-finished", os_user(), run_id=run_id,
                             detail={"verdict": verdict, "exit_code": code, "status": status})
        self._write([
            (INSERT_AUDIT, audit),
            ("UPDATE runs SET verdict=?, exit_code=?, status=?, finished_at=? WHERE runs.id = ?",
             (verdict, code, status, iso_or_none(datetime.now(UTC)), run_id)),
        ])

    def update_meta(self, run_id: str, **values: Any) -> None:
        meta = {**self.load_run(run_id).meta, **values}
        self._write([("UPDATE runs SET meta=? WHERE runs.id = ?", (json.dumps(meta), run_id))])

    def record(self, run_id: str, seq: int, result: CheckResult, output_path: str | None,
               *, replace: bool = True) -> None:
        """Commit one result; ``replace=False`` when the run cannot hold it yet (one statement)."""
        values = result_values(result)
        values.update(run_id=run_id, seq=seq, output_path=output_path)
        statements: list[tuple[str, Any]] = [(INSERT_RESULT, values)]
        if replace:
            statements.insert(0, (DELETE_RESULT, (run_id, result.id)))
        self._write(statements)

    def load_run(self, run_id: str) -> RunRecord:
        """One run (by its full id, as this process created it) with its results and
        sign-offs."""
        try:
            row = self.conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise StateError(f"no run {run_id!r} in {self.display} (see `gonogo runs`)")
            results = self.conn.execute("SELECT * FROM results WHERE run_id = ? ORDER BY seq",
                                        (run_id,)).fetchall()
            signoffs = self.conn.execute("SELECT * FROM signoffs WHERE run_id = ? ORDER BY id",
                                         (run_id,)).fetchall()
        except sqlite3.Error as exc:
            raise StateError(f"state store {self.display}: {exc}") from None
        record = run_from_mapping(dict(row), self.runs_dir)
        record.results = [result_from_mapping(dict(r)) for r in results]
        record.signoffs = [dict(r) for r in signoffs]
        return record
