"""State store on SQLAlchemy Core: one schema for SQLite (WAL) and PostgreSQL.

Captured output lives in files under ``runs/<run-id>/`` beside the config; the
database holds everything else. Each result is committed the moment it is recorded.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gonogo import private
from gonogo.core.clock import from_iso
from gonogo.core.errors import EXIT_INTERRUPTED, NoState, StateError
from gonogo.core.outcomes import CheckResult, Verdict
from gonogo.identity import os_user
from gonogo.journal import process
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


def new_run_id(at: datetime) -> str:
    return at.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


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
    return Store(f"sqlite:///{database}", directory / "runs", display=str(directory),
                 create=create, state_dir=directory)


def _tighten_state(directory: Path) -> bool:
    """Narrow a state folder made by an older gonogo (0755, 0644) to 0700/0600."""
    ok = private.tighten(directory, private.DIR_MODE)
    ok = private.tighten(directory / "runs", private.DIR_MODE) and ok
    for name in ("state.db", "state.db-wal", "state.db-shm", "state.db-journal"):
        ok = private.tighten(directory / name, private.FILE_MODE) and ok
    return ok


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
        try:
            private.note_state_dir(private.private_dir(self.state_dir))
            private.make_dir(run_dir / "output")
        except OSError as exc:
            raise StateError(f"cannot create the run folder {run_dir}: "
                             f"{exc.strerror or exc}") from None
        with self.engine.begin() as conn:
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
        with self.engine.begin() as conn:
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

    def list_runs(self, limit: int = 20) -> list[RunRecord]:
        """Newest first; each record's ``counts`` filled, its results not loaded."""
        with self.engine.connect() as conn:
            rows = conn.execute(runs.select().order_by(runs.c.started_at.desc()).limit(limit)).all()
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
        m = row._mapping
        return RunRecord(
            id=m["id"],
            command=m["command"],
            status=m["status"],
            started_at=from_iso(m["started_at"]) or datetime.now(UTC),
            finished_at=from_iso(m["finished_at"]),
            verdict=m["verdict"],
            exit_code=m["exit_code"],
            environment=m["environment"],
            version=m["version"],
            config_path=m["config_path"],
            user=m["user"],
            host=m["host"],
            pid=m["pid"],
            pid_start=m["pid_start"],
            meta=(meta := json.loads(m["meta"] or "{}")),
            run_dir=self.runs_dir / m["id"],
            status_note=meta.get("interrupted") if m["status"] == "interrupted" else None,
        )

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


class RunJournal:
    """The engine's view of one run: record each result as it completes."""

    def __init__(self, store: Store, run_id: str, run_dir: Path, *, fresh: bool = False) -> None:
        self.store, self.run_id, self.run_dir = store, run_id, run_dir
        # ids this journal wrote to a run it created; any other id cannot be stored yet
        self._written: set[str] | None = set() if fresh else None

    def record(self, result: CheckResult, output: str | None) -> None:
        path = None
        if output:
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", result.id)
            file = self.run_dir / "output" / f"{safe}.log"
            private.write_text(file, output)
            path = str(file)
            result.output_path = path
        replace = self._written is None or result.id in self._written
        if self._written is not None:
            self._written.add(result.id)
        self.store.record(self.run_id, result.position, result, path, replace=replace)

    def finish(self, verdict: Verdict | None, code: int, status: str = "finished") -> None:
        self.store.finish_run(self.run_id, str(verdict) if verdict else None, code, status)

    def interrupted(self, why: str | None = None) -> None:
        """The one way a run ends interrupted (Ctrl-C, a signal): no verdict, exit 130,
        status ``interrupted``, and ``why`` kept for `runs` and `show` when given."""
        self.finish(None, EXIT_INTERRUPTED, status="interrupted")
        if why:
            self.store.update_meta(self.run_id, interrupted=why)
