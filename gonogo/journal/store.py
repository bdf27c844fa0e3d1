"""State store on SQLAlchemy Core: one schema for SQLite (WAL) and PostgreSQL.

Captured output lives in files under ``runs/<run-id>/`` beside the config; the
database holds everything else. Each result is committed the moment it is recorded.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gonogo import private
from gonogo.core.errors import NoState, StateError
from gonogo.core.outcomes import CheckResult
from gonogo.identity import os_user
from gonogo.journal import audit, process
from gonogo.journal.location import make_run_dir, prepare_state_dir
from gonogo.journal.records import run_from_mapping
from gonogo.journal.run_journal import RunJournal as RunJournal
from gonogo.journal.run_journal import new_run_id as new_run_id
from gonogo.journal.schema import (
    DELETE_RESULT,
    INSERT_RESULT,
    RunRecord,
    add_missing_columns,
    connect_engine,
    create_tables,
    iso_or_none,
    result_from_row,
    result_values,
    results,
    runs,
    short_error,
    signoffs,
)


def open_store(location: str, runs_root: Path | None = None, *, create: bool = True) -> Store:
    """``location`` is a ``postgresql://`` URL or a directory (``.gonogo/``).

    ``create=False`` is for commands that only read: where nothing was recorded yet they
    get NoState, and no folder, file or table is made.
    """
    if "://" in location:
        url = location
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        root = runs_root or Path(".gonogo")
        if root.is_dir():
            private.note_state_dir(root)
        return Store(url, root / "runs", display=_hide_password(location), create=create,
                     state_dir=root)
    directory = Path(location)
    database = prepare_state_dir(directory, create=create)
    return Store(f"sqlite:///{database}", directory / "runs", display=str(directory),
                 create=create, state_dir=directory)


def _hide_password(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


class Store:
    def __init__(
        self, url: str, runs_dir: Path, display: str, *, create: bool = True,
        state_dir: Path | None = None,
    ) -> None:
        self.display = display
        self.runs_dir = runs_dir
        #: the local folder of run folders (and, for SQLite, the database): kept 0700
        self.state_dir = state_dir or runs_dir.parent
        self.engine: Engine = connect_engine(url, display)
        try:
            if not create and not sa.inspect(self.engine).has_table(runs.name):
                self.engine.dispose()
                raise NoState(display)
            # an existing store is brought up to date; only a new one gets its tables here
            create_tables(self.engine, [runs, results, signoffs])
            add_missing_columns(self.engine)
        except sa.exc.SQLAlchemyError as exc:
            self.engine.dispose()
            raise StateError(f"state store {display}: {short_error(exc)}") from None

    def close(self) -> None:
        self.engine.dispose()

    # ---- runs -----------------------------------------------------------------------

    def create_run(
        self,
        command: str,
        *,
        config_path: str | None = None,
        environment: str | None = None,
        version: str | None = None,
        meta: dict[str, Any] | None = None,
        run_id: str | None = None,
    ) -> RunJournal:
        started = datetime.now(UTC)
        rid = run_id or new_run_id(started)
        run_dir = self.runs_dir / rid
        make_run_dir(self.state_dir, run_dir)
        audit.ensure(self.engine)  # before the transaction: SQLite has one writer
        with self.engine.begin() as conn:
            audit.record(conn, command, (meta or {}).get("started_by") or os_user(), run_id=rid,
                         target=environment, detail={"version": version})
            conn.execute(
                runs.insert().values(
                    id=rid,
                    command=command,
                    config_path=config_path,
                    environment=environment,
                    version=version,
                    status="running",
                    started_at=iso_or_none(started),
                    user=os_user(),
                    meta=json.dumps(meta or {}),
                    **process.identity(),
                )
            )
        return RunJournal(self, rid, run_dir, fresh=True)

    def finish_run(self, run_id: str, verdict: str | None, code: int, status: str = "finished") -> None:
        audit.ensure(self.engine)
        with self.engine.begin() as conn:
            audit.record(conn, "run-finished", os_user(), run_id=run_id,
                         detail={"verdict": verdict, "exit_code": code, "status": status})
            conn.execute(
                runs.update()
                .where(runs.c.id == run_id)
                .values(verdict=verdict, exit_code=code, status=status,
                        finished_at=iso_or_none(datetime.now(UTC)))
            )

    def update_meta(self, run_id: str, **values: Any) -> None:
        record = self.load_run(run_id)
        meta = {**record.meta, **values}
        with self.engine.begin() as conn:
            conn.execute(runs.update().where(runs.c.id == run_id).values(meta=json.dumps(meta)))

    def list_runs(self, limit: int = 20, *, where: Sequence[sa.ColumnElement[bool]] = (),
                  offset: int = 0) -> list[RunRecord]:
        """Newest first (``where``: conditions on ``runs``, for the dashboard's filters and
        pages); each record's ``counts`` filled, its results not loaded."""
        with self.engine.connect() as conn:
            rows = conn.execute(runs.select().where(*where).order_by(runs.c.started_at.desc())
                                .limit(limit).offset(offset)).all()
            ids = [row._mapping["id"] for row in rows]
            tallies = conn.execute(
                sa.select(results.c.run_id, results.c.outcome, sa.func.count())
                .where(results.c.run_id.in_(ids))
                .group_by(results.c.run_id, results.c.outcome)
            ).all()
        records = [self._run_from_row(row) for row in rows]
        self._judge(records)
        by_id = {r.id: r for r in records}
        for run_id, outcome, n in tallies:
            by_id[run_id].counts[outcome] = n
        return records

    def resolve(self, ref: str) -> str:
        """A full run id from an id, a unique prefix, or ``last``."""
        with self.engine.connect() as conn:
            if ref in ("last", "latest", "@"):
                row = conn.execute(
                    sa.select(runs.c.id).order_by(runs.c.started_at.desc()).limit(1)
                ).first()
                if row is None:
                    raise StateError(f"no runs recorded yet in {self.display}")
                return str(row[0])
            rows = conn.execute(
                sa.select(runs.c.id).where(runs.c.id.like(ref.replace("%", "") + "%")).limit(3)
            ).all()
        ids = [str(r[0]) for r in rows]
        if ref in ids:
            return ref
        if len(ids) == 1:
            return ids[0]
        if not ids:
            raise StateError(f"no run {ref!r} in {self.display} (see `gonogo runs`)")
        raise StateError(f"run {ref!r} is ambiguous: {', '.join(ids)}…")

    def load_run(self, ref: str, *, conn: sa.Connection | None = None) -> RunRecord:
        """One run with its results and sign-offs; ``conn``: inside that transaction (as it
        stands there, not judged)."""
        if conn is None:
            run_id = self.resolve(ref)
            with self.engine.connect() as own:
                record = self._read_run(own, run_id)
            self._judge([record])
            return record
        return self._read_run(conn, ref)

    def _read_run(self, conn: sa.Connection, run_id: str) -> RunRecord:
        row = conn.execute(runs.select().where(runs.c.id == run_id)).one()
        result_rows = conn.execute(
            results.select().where(results.c.run_id == run_id).order_by(results.c.seq)
        ).all()
        signoff_rows = conn.execute(
            signoffs.select().where(signoffs.c.run_id == run_id).order_by(signoffs.c.id)
        ).all()
        record = self._run_from_row(row)
        record.results = [result_from_row(r) for r in result_rows]
        record.signoffs = [dict(r._mapping) for r in signoff_rows]
        return record

    def _run_from_row(self, row: Any) -> RunRecord:
        return run_from_mapping(row._mapping, self.runs_dir)

    def _judge(self, records: list[RunRecord]) -> None:
        """Tell the truth about runs left ``running``: one whose process on this host is gone
        was interrupted, and the journal is corrected to say so; one on another host is
        marked as such (nothing here can tell whether it lives).

        Read-only commands (`runs`, `show`, `report`) do this too: they create no state, but
        correcting the status of an existing row is recording a fact, the same fact for every
        reader. The update only applies while the row still names the dead process, so a
        `gonogo resume` that took the run over meanwhile is never overwritten; a store this
        process cannot write (another user's, read-only) is shown corrected all the same.
        """
        for record in records:
            if record.status != "running":
                continue
            reason = process.gone(record.host, record.pid, record.pid_start)
            if reason is None:
                if record.host and record.host != socket.gethostname():
                    record.elsewhere = True
                    record.status_note = (f"running on {record.host} (pid {record.pid}); "
                                          f"{socket.gethostname()} cannot tell whether it is "
                                          "still alive")
                continue
            record.status, record.status_note = "interrupted", reason
            record.meta = {**record.meta, "interrupted": reason}
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        runs.update()
                        .where((runs.c.id == record.id) & (runs.c.status == "running")
                               & (runs.c.pid == record.pid))
                        .values(status="interrupted", meta=json.dumps(record.meta, default=str)))
            except sa.exc.SQLAlchemyError:
                pass  # read-only here: still shown as interrupted

    def claim_run(self, run_id: str) -> None:
        """Mark a run ``running`` again, by this process (`gonogo resume`)."""
        with self.engine.begin() as conn:
            conn.execute(runs.update().where(runs.c.id == run_id)
                         .values(status="running", finished_at=None, exit_code=None,
                                 verdict=None, **process.identity()))

    # ---- results --------------------------------------------------------------------

    def record(
        self, run_id: str, seq: int, result: CheckResult, output_path: str | None,
        *, replace: bool = True,
    ) -> None:
        """Commit one result; ``replace=False`` when the run cannot hold it yet (one statement)."""
        values = result_values(result)
        values.update(run_id=run_id, seq=seq, output_path=output_path)
        with self.engine.begin() as conn:
            if replace:
                conn.execute(DELETE_RESULT, {"d_run_id": run_id, "d_check_id": result.id})
            conn.execute(INSERT_RESULT, values)
