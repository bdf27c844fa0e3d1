"""The journal's tables and rows: runs, results and sign-offs as SQLAlchemy tables, creating
and upgrading them (additive columns only), the database engine, and results to rows and back.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gonogo.core.clock import from_iso, iso
from gonogo.core.errors import StateError
from gonogo.core.outcomes import CheckResult, Outcome

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


# ---- releases, what is live where, and the deploy lock (gonogo.journal.releases) ----

releases = sa.Table(
    "releases",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("environment", sa.String(128), nullable=False),
    sa.Column("version", sa.String(256), nullable=False),
    # deploying | live | failed | rolled_back | rollback_failed | superseded
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("verified", sa.Boolean, nullable=False, default=False),
    sa.Column("command", sa.String(32), nullable=False, default="deploy"),
    sa.Column("started_at", sa.String(40), nullable=False),
    sa.Column("finished_at", sa.String(40)),
    sa.Column("user", sa.String(128)),
    sa.Column("host", sa.String(255)),
    sa.Column("services", sa.Text, nullable=False, default="{}"),
    sa.Column("note", sa.Text),
)

live_services = sa.Table(
    "live_services",
    metadata,
    sa.Column("environment", sa.String(128), primary_key=True),
    sa.Column("service", sa.String(255), primary_key=True),
    sa.Column("version", sa.String(256)),
    sa.Column("image", sa.Text),
    sa.Column("since", sa.String(40), nullable=False),
    sa.Column("user", sa.String(128)),
    sa.Column("run_id", sa.String(64)),
    # what the engine reported: live | starting | unhealthy | absent | unknown
    sa.Column("state", sa.String(32), nullable=False, default="live"),
)

deploy_locks = sa.Table(
    "deploy_locks",
    metadata,
    sa.Column("environment", sa.String(128), primary_key=True),
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("user", sa.String(128)),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("version", sa.String(256)),
    sa.Column("command", sa.String(32)),
    sa.Column("acquired_at", sa.String(40), nullable=False),
    sa.Column("expires_at", sa.String(40), nullable=False),
)

#: The release history's tables, created when a ReleaseStore opens.
TABLES = [releases, live_services, deploy_locks]

#: Columns added after the first release: (table, column), added to older state stores.
ADDED_COLUMNS = ((signoffs, "os_user"), (signoffs, "host"), (runs, "pid_start"))


# Built once: compiling a fresh statement per result cost more than the commit itself.
DELETE_RESULT = results.delete().where(
    (results.c.run_id == sa.bindparam("d_run_id")) & (results.c.check_id == sa.bindparam("d_check_id"))
)


INSERT_RESULT = results.insert()


def iso_or_none(value: datetime | None) -> str | None:
    return iso(value) if value else None


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
    def rerun_hint(self) -> str | None:
        """An interrupted restore or backup is not resumed but run again: a restore leaves
        its target as it was or fully restored (the next one drops the scratch database a
        killed one left), a backup writes its manifest last."""
        if self.status != "interrupted":
            return None
        source, target = self.meta.get("source"), self.meta.get("target")
        if self.command == "restore" and source and target:
            return f"gonogo restore --from {source} --to {target}"
        if self.command == "backup":
            return "gonogo backup" + (f" --env {self.environment}" if self.environment else "")
        return None

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


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


def result_values(result: CheckResult) -> dict[str, Any]:
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
        "started_at": iso_or_none(result.started_at),
        "finished_at": iso_or_none(result.finished_at),
    }


def result_from_row(row: Any) -> CheckResult:
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
        started_at=from_iso(m["started_at"]),
        finished_at=from_iso(m["finished_at"]),
        output_path=m["output_path"],
        position=m["seq"],
    )


def connect_engine(url: str, display: str) -> Engine:
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
        raise StateError(f"state store {display}: {short_error(exc)}") from None


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


def short_error(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def add_missing_columns(engine: Engine) -> None:
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
