"""Which migrations each release had: one row per release run and ``migrations`` check,
with the names its migration folder held when it was deployed — so `gonogo rollback` can
tell when the database is ahead of the release it returns to.

A table of its own (created beside the others on first use), so state stores written by
an older gonogo need no column migration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gonogo.core.errors import StateError
from gonogo.journal.schema import create_tables, metadata

release_migrations = sa.Table(
    "release_migrations",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("check_id", sa.String(255), primary_key=True),
    sa.Column("tool", sa.String(32), nullable=False),
    sa.Column("directory", sa.Text, nullable=False),
    sa.Column("names", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
)


@dataclass(frozen=True)
class ReleaseMigrations:
    """The migrations one release's folder held, as its ``migrations`` check read them."""

    run_id: str
    check_id: str
    tool: str
    directory: str
    names: tuple[str, ...]


class MigrationRecords:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        try:
            create_tables(engine, [release_migrations])
        except sa.exc.SQLAlchemyError as exc:
            raise StateError(f"state store: cannot create release_migrations: {exc}") from None

    def record(self, run_id: str, check_id: str, tool: str, directory: str,
               names: list[str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(release_migrations.delete().where(
                (release_migrations.c.run_id == run_id)
                & (release_migrations.c.check_id == check_id)))
            conn.execute(release_migrations.insert().values(
                run_id=run_id, check_id=check_id, tool=tool, directory=directory,
                names=json.dumps(names), recorded_at=datetime.now(UTC).isoformat()))

    def for_run(self, run_id: str) -> dict[str, ReleaseMigrations]:
        """check id → what the release of ``run_id`` had (empty: nothing recorded)."""
        with self.engine.connect() as conn:
            rows = conn.execute(release_migrations.select().where(
                release_migrations.c.run_id == run_id)).mappings().all()
        return {r["check_id"]: ReleaseMigrations(r["run_id"], r["check_id"], r["tool"],
                                                 r["directory"], tuple(json.loads(r["names"])))
                for r in rows}
