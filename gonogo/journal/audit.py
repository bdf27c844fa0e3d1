"""The audit trail: one append-only row per action (check, deploy, rollback, sign-off, waiver,
lock release, token created or revoked) with who, when and from where.

Its own ``MetaData`` so that the store can write to it without this module importing the
store; the table is created on first use per engine. Nothing updates or deletes a row: the
web dashboard only reads it.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gonogo.journal.records import audit_values
from gonogo.journal.records import cli_source as cli_source

audit_metadata = sa.MetaData()

audit = sa.Table(
    "audit",
    audit_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(40), nullable=False, index=True),
    sa.Column("actor", sa.String(255), nullable=False),  # web identity or OS user
    sa.Column("action", sa.String(32), nullable=False, index=True),
    sa.Column("run_id", sa.String(64)),
    sa.Column("target", sa.Text),  # the item, environment or user acted on
    sa.Column("source", sa.String(255), nullable=False),  # "cli on HOST" or a client address
    sa.Column("detail", sa.Text, nullable=False, default="{}"),
)

#: Every action the trail records (the audit page filters by these).
ACTIONS = ("check", "deploy", "rollback", "demo", "backup", "run-finished", "sign-off",
           "reject", "waiver", "lock-release", "token-created", "token-revoked")

_created: weakref.WeakSet[Engine] = weakref.WeakSet()  # an id() could be reused
_created_guard = threading.Lock()


def ensure(engine: Engine) -> None:
    """Create the table once per engine (``checkfirst``: safe when it exists)."""
    if engine in _created:
        return
    with _created_guard:
        for attempt in range(3):
            try:
                audit_metadata.create_all(engine)
                break
            except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
                if attempt == 2:  # another process lost the same race: the table is there
                    raise
        _created.add(engine)


def record(target_conn: Engine | sa.Connection, action: str, actor: str, *,
           source: str | None = None, run_id: str | None = None, target: str | None = None,
           detail: dict[str, Any] | None = None) -> None:
    """Append one row; with a connection, inside that transaction (it commits with it)."""
    engine = target_conn if isinstance(target_conn, Engine) else target_conn.engine
    ensure(engine)
    values = audit_values(action, actor, source=source, run_id=run_id, target=target,
                          detail=detail)
    if isinstance(target_conn, Engine):
        with target_conn.begin() as conn:
            conn.execute(audit.insert().values(**values))
    else:
        target_conn.execute(audit.insert().values(**values))


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor: str | None = None
    run_id: str | None = None
    since: str | None = None  # ISO date or time
    until: str | None = None


def rows(engine: Engine, where: AuditFilter, *, limit: int | None = 200,
         offset: int = 0) -> list[dict[str, Any]]:
    """Newest first."""
    return list(_select(engine, where, limit=limit, offset=offset))


def _select(engine: Engine, where: AuditFilter, *, limit: int | None,
            offset: int) -> Iterator[dict[str, Any]]:
    ensure(engine)
    query = audit.select().order_by(audit.c.id.desc())
    if where.action:
        query = query.where(audit.c.action == where.action)
    if where.actor:
        query = query.where(audit.c.actor == where.actor)
    if where.run_id:
        query = query.where(audit.c.run_id == where.run_id)
    if where.since:
        query = query.where(audit.c.at >= where.since)
    if where.until:
        query = query.where(audit.c.at < where.until)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    with engine.connect() as conn:
        for row in conn.execute(query):
            item = dict(row._mapping)
            item["detail"] = json.loads(item["detail"] or "{}")
            yield item
