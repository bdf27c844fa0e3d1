"""Reading migration state natively, one reader per tool: what the database recorded
(its migrations table) against what the migration folder holds — no ORM CLI needed.

Each reader is a ``MigrationReader`` registered through the ``gonogo_migration_readers``
hook (the built-ins as a plugin's Liquibase reader would be); the ``migrations`` check's
``tool:`` names one. A utility below check types: it imports nothing of gonogo's but the
``hookimpl`` marker."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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


class ReadMigrations(Protocol):
    """``read(conn, directory, table=…, schema=…)``: compare the tool's history table (its
    default name when ``table`` is None, in ``schema`` or the search path) with ``directory``.
    Read-only: it must never write to the database or the folder."""

    def __call__(self, conn: AsyncConnection[Any], directory: Path, *, table: str | None = None,
                 schema: str | None = None) -> Awaitable[MigrationStatus]: ...


@dataclass(frozen=True)
class MigrationReader:
    """One migration tool gonogo can read natively (PostgreSQL)."""

    #: What ``tool:`` selects it by.
    name: str
    #: The migration folder when the check gives no ``dir:`` (relative to the config's root).
    default_dir: str
    read: ReadMigrations


#: The readers the plugin registry found (``gonogo.plugins.registry`` fills it at startup:
#: the registry sits above this package, the ``migrations`` check below the registry).
_READERS: Mapping[str, MigrationReader] | None = None


def use_readers(readers: Mapping[str, MigrationReader]) -> None:
    """Make ``readers`` the ones ``reader_for`` serves (called by the plugin registry)."""
    global _READERS
    _READERS = readers  # as given: the registry's imports a built-in reader when first asked


def reader_names() -> list[str]:
    """The tools a ``migrations`` check may name, in registration order."""
    if _READERS is None:  # a programming error: nothing validates a check before startup
        raise RuntimeError("migration readers asked for before the plugin registry was built")
    return list(_READERS)


def reader_for(tool: str) -> MigrationReader:
    """The registered reader of ``tool``; KeyError when none is."""
    reader_names()
    assert _READERS is not None
    return _READERS[tool]
