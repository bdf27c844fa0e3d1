"""Reading migration state natively, one reader per tool: what the database recorded
(its migrations table) against what the migration folder holds — no ORM CLI needed.

A utility below check types: it imports nothing of gonogo's but its own readers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from psycopg import AsyncConnection


@dataclass
class MigrationStatus:
    """What a reader found. Names are as the tool shows them (folder, file or revision)."""

    tool: str
    local: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    #: (name, reason) of migrations the database recorded as failed.
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: Applied migrations whose file changed since (checksum mismatch).
    modified: list[str] = field(default_factory=list)
    #: Applied in the database, absent from the folder.
    missing_locally: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.pending or self.failed or self.modified or self.missing_locally)


async def table_exists(conn: AsyncConnection[Any], table: str, schema: str | None) -> bool:
    name = f'"{schema}"."{table}"' if schema else f'"{table}"'
    cur = await conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,))
    row = await cur.fetchone()
    return bool(row and row[0])


def qualified(table: str, schema: str | None) -> Any:
    from psycopg import sql

    return sql.Identifier(schema, table) if schema else sql.Identifier(table)
