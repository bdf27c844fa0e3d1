"""The journal's tables and rows: runs, results and sign-offs as SQLAlchemy tables, creating
and upgrading them (additive columns only), the database engine, and results to rows and back.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gonogo.core.errors import StateError
from gonogo.core.outcomes import CheckResult

# the rows as records live in ``records`` (no SQLAlchemy: a gate's journal writes need none)
from gonogo.journal.records import RunRecord as RunRecord
from gonogo.journal.records import find_item as find_item
from gonogo.journal.records import iso_or_none as iso_or_none
from gonogo.journal.records import result_from_mapping
from gonogo.journal.records import result_values as result_values


def result_from_row(row: Any) -> CheckResult:
    return result_from_mapping(row._mapping)


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
    except ImportError as exc:
        if (exc.name or "").startswith("psycopg"):  # the driver comes with an extra
            raise StateError(f"state store {display}: the PostgreSQL driver is not installed "
                             "(pip install 'gonogo[postgres]')") from None
        raise StateError(f"state store {display}: {short_error(exc)}") from None
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
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
