"""State store on SQLAlchemy Core: one schema for SQLite (WAL) and PostgreSQL.

Captured output lives in files under ``runs/<run-id>/`` beside the config; the
database holds everything else. Each result is committed the moment it is recorded.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gonogo import private
from gonogo.engine.outcomes import CheckResult, Outcome, Verdict
from gonogo.errors import NoState, StateError
from gonogo.journal import audit, process

metadata = sa.MetaData()

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("command", sa.String(32), nullable=False),
    sa.Column("config_path", sa.Text),
    sa.Column("environment", sa.String(128)),
    sa.Column("version", sa.String(256)),
    sa.Column("status", sa.String(32), nullable=False),  # running | finished | interrupted
    sa.Column("verdict", sa.String(16)),
    sa.Column("exit_code", sa.Integer),
    sa.Column("started_at", sa.String(40), nullable=False),
    sa.Column("finished_at", sa.String(40)),
    sa.Column("user", sa.String(128)),
    sa.Column("host", sa.String(255)),
    sa.Column("pid", sa.Integer),
    sa.Column("meta", sa.Text, nullable=False, default="{}"),
    # the process's start (boot id and start time): tells a reused pid from the run's own
    sa.Column("pid_start", sa.String(80)),
)

results = sa.Table(
    "results",
    metadata,
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.id"), primary_key=True),
    sa.Column("check_id", sa.String(255), primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("phase", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("duration_s", sa.Float, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("advisory", sa.Boolean, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("line", sa.Integer),
    sa.Column("started_at", sa.String(40)),
    sa.Column("finished_at", sa.String(40)),
    sa.Column("output_path", sa.Text),
)

signoffs = sa.Table(
    "signoffs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.id"), nullable=False),
    sa.Column("check_id", sa.String(255), nullable=False),
    sa.Column("by", sa.String(255), nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),  # approved | rejected | waived
    sa.Column("note", sa.Text),
    sa.Column("expires", sa.String(40)),
    sa.Column("previous_outcome", sa.String(16)),
    sa.Column("at", sa.String(40), nullable=False),
    # who really signed: ``by`` is free text, these come from the operating system
    sa.Column("os_user", sa.String(128)),
    sa.Column("host", sa.String(255)),
)

#: Columns added after the first release: (table, column), added to older state stores.
ADDED_COLUMNS = ((signoffs, "os_user"), (signoffs, "host"), (runs, "pid_start"))


# Built once: compiling a fresh statement per result cost more than the commit itself.
_DELETE_RESULT = results.delete().where(
    (results.c.run_id == sa.bindparam("d_run_id")) & (results.c.check_id == sa.bindparam("d_check_id"))
)
_INSERT_RESULT = results.insert()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="milliseconds") if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass
class RunRecord:
    """A run as stored: what reports and `show` read."""

    id: str
    command: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    verdict: str | None
    exit_code: int | None
    environment: str | None = None
    version: str | None = None
    config_path: str | None = None
    user: str | None = None
    host: str | None = None
    pid: int | None = None
    pid_start: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    results: list[CheckResult] = field(default_factory=list)
    signoffs: list[dict[str, Any]] = field(default_factory=list)
    run_dir: Path | None = None
    #: Outcome tallies when results were not loaded (``list_runs``).
    counts: dict[str, int] = field(default_factory=dict)
    #: Why the run is interrupted, or where it runs when this host cannot tell (see ``judge``).
    status_note: str | None = None
    #: Left ``running`` on another host: whether its process lives cannot be told from here.
    elsewhere: bool = False

    @property
    def resumable(self) -> bool:
        """An interrupted deploy or rollback (not a dry run) continues with `gonogo resume`."""
        return (self.status == "interrupted" and self.command in ("deploy", "rollback")
                and not self.meta.get("dry_run"))

    @property
    def resume_hint(self) -> str | None:
        return f"gonogo resume {self.id}" if self.resumable else None

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


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
        self.engine: Engine = _engine(url, display)
        try:
            if not create and not sa.inspect(self.engine).has_table(runs.name):
                self.engine.dispose()
                raise NoState(display)
            # an existing store is brought up to date; only a new one gets its tables here
            create_tables(self.engine)
            _add_missing_columns(self.engine)
        except sa.exc.SQLAlchemyError as exc:
            self.engine.dispose()
            raise StateError(f"state store {display}: {_short(exc)}") from None

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
        audit.ensure(self.engine)  # before the transaction: SQLite has one writer
        with self.engine.begin() as conn:
            audit.record(conn, command, (meta or {}).get("started_by") or _user(), run_id=rid,
                         target=environment, detail={"version": version})
            conn.execute(
                runs.insert().values(
                    id=rid,
                    command=command,
                    config_path=config_path,
                    environment=environment,
                    version=version,
                    status="running",
                    started_at=_iso(started),
                    user=_user(),
                    meta=json.dumps(meta or {}),
                    **process.identity(),
                )
            )
        return RunJournal(self, rid, run_dir, fresh=True)

    def finish_run(self, run_id: str, verdict: str | None, code: int, status: str = "finished") -> None:
        audit.ensure(self.engine)
        with self.engine.begin() as conn:
            audit.record(conn, "run-finished", _user(), run_id=run_id,
                         detail={"verdict": verdict, "exit_code": code, "status": status})
            conn.execute(
                runs.update()
                .where(runs.c.id == run_id)
                .values(verdict=verdict, exit_code=code, status=status,
                        finished_at=_iso(datetime.now(UTC)))
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
        record.results = [_result_from_row(r) for r in result_rows]
        record.signoffs = [dict(r._mapping) for r in signoff_rows]
        return record

    def _run_from_row(self, row: Any) -> RunRecord:
        m = row._mapping
        return RunRecord(
            id=m["id"],
            command=m["command"],
            status=m["status"],
            started_at=_dt(m["started_at"]) or datetime.now(UTC),
            finished_at=_dt(m["finished_at"]),
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
        values = _result_values(result)
        values.update(run_id=run_id, seq=seq, output_path=output_path)
        with self.engine.begin() as conn:
            if replace:
                conn.execute(_DELETE_RESULT, {"d_run_id": run_id, "d_check_id": result.id})
            conn.execute(_INSERT_RESULT, values)


def find_item(record: RunRecord, item: str) -> CheckResult:
    for result in record.results:
        if result.id == item:
            return result
    lowered = item.strip().lower()
    matches = [r for r in record.results if lowered and lowered in r.title.lower()]
    if len(matches) == 1:
        return matches[0]
    if item.isdigit():
        by_line = [r for r in record.results if r.line == int(item)]
        if len(by_line) == 1:
            return by_line[0]
    if len(matches) > 1:
        names = ", ".join(r.id for r in matches[:5])
        raise StateError(f"{item!r} matches several items of run {record.id}: {names}")
    pending = ", ".join(r.id for r in record.results if r.outcome == Outcome.PENDING) or "none"
    raise StateError(f"no item {item!r} in run {record.id} (pending items: {pending})")


def _result_values(result: CheckResult) -> dict[str, Any]:
    return {
        "check_id": result.id,
        "title": result.title,
        "phase": result.phase,
        "kind": result.kind,
        "type": result.type,
        "outcome": str(result.outcome),
        "summary": result.summary,
        "duration_s": result.duration_s,
        "evidence": json.dumps(result.evidence, default=str),
        "advisory": result.advisory,
        "attempts": result.attempts,
        "line": result.line,
        "started_at": _iso(result.started_at),
        "finished_at": _iso(result.finished_at),
    }


def _result_from_row(row: Any) -> CheckResult:
    m = row._mapping
    return CheckResult(
        id=m["check_id"],
        title=m["title"],
        phase=m["phase"],
        kind=m["kind"],
        type=m["type"],
        outcome=Outcome(m["outcome"]),
        summary=m["summary"],
        duration_s=m["duration_s"],
        evidence=json.loads(m["evidence"] or "{}"),
        advisory=bool(m["advisory"]),
        attempts=m["attempts"],
        line=m["line"],
        started_at=_dt(m["started_at"]),
        finished_at=_dt(m["finished_at"]),
        output_path=m["output_path"],
        position=m["seq"],
    )


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


def _engine(url: str, display: str) -> Engine:
    try:
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, connect_args={"timeout": 30})

            @sa.event.listens_for(engine, "connect")
            def _pragmas(dbapi_conn: Any, _record: Any) -> None:
                cursor = dbapi_conn.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.close()

            return engine
        return sa.create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise StateError(f"state store {display}: {_short(exc)}") from None


def create_tables(engine: Engine, tables: list[sa.Table] | None = None) -> None:
    """``create_all``, safe when several gonogo processes open a fresh store at once: its
    check-then-create is not atomic, so one that loses the race (``table … already
    exists``) tries again, and then finds the tables there."""
    for attempt in range(3):
        try:
            metadata.create_all(engine, tables=tables)
            return
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
            if attempt == 2:
                raise
            time.sleep(0.05 * (attempt + 1))


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _user() -> str:
    """The operating-system user this process runs as (effective uid).

    Not ``getpass.getuser()``: that believes ``$LOGNAME``/``$USER``, which anyone can set,
    and the audit trail must not be free text.
    """
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # no passwd entry in some containers
        return f"uid {uid}"


def _add_missing_columns(engine: Engine) -> None:
    """Add columns newer gonogo versions write to a store an older one made (additive only)."""
    inspector = sa.inspect(engine)
    present: dict[str, set[str]] = {}
    for table, name in ADDED_COLUMNS:
        if table.name not in present:
            present[table.name] = {c["name"] for c in inspector.get_columns(table.name)}
        if name in present[table.name]:
            continue
        column = table.c[name]
        kind = column.type.compile(dialect=engine.dialect)
        preparer = engine.dialect.identifier_preparer
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(f"ALTER TABLE {preparer.quote(table.name)} "
                                     f"ADD COLUMN {preparer.quote(name)} {kind}"))
        except sa.exc.SQLAlchemyError:
            # another gonogo process may have added it a moment ago
            columns = {c["name"] for c in sa.inspect(engine).get_columns(table.name)}
            if name not in columns:
                raise
        present[table.name].add(name)
