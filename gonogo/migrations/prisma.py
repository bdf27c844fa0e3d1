"""Prisma: ``_prisma_migrations`` against ``prisma/migrations/<name>/migration.sql``.

Prisma records each migration's sha256 (of ``migration.sql``) in ``checksum``; a row with
neither ``finished_at`` nor ``rolled_back_at`` is a failed migration (``migrate deploy``
refuses to continue until it is resolved); a rolled-back row does not count as applied.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gonogo.hookimpl import hookimpl
from gonogo.migrations import MigrationReader, MigrationStatus, qualified, table_exists

if TYPE_CHECKING:
    from psycopg import AsyncConnection

TABLE = "_prisma_migrations"


def local_migrations(directory: Path) -> dict[str, Path]:
    """Migration folders (those holding a migration.sql), by name, in name order."""
    found = {p.parent.name: p for p in directory.glob("*/migration.sql") if p.is_file()}
    return dict(sorted(found.items()))


def checksum_matches(script: bytes, checksum: str) -> bool:
    """Prisma accepts the checksum of the script with either line ending style."""
    variants = {script, script.replace(b"\r\n", b"\n"), script.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")}
    return any(hashlib.sha256(v).hexdigest() == checksum.lower() for v in variants)


async def read(
    conn: AsyncConnection[Any], directory: Path, *, table: str | None = None, schema: str | None = None
) -> MigrationStatus:
    from psycopg import sql

    status = MigrationStatus("prisma")
    local = local_migrations(directory)
    status.local = list(local)
    name = table or TABLE
    rows: list[tuple[Any, ...]] = []
    if await table_exists(conn, name, schema):
        cur = await conn.execute(sql.SQL(
            "SELECT migration_name, checksum, finished_at, rolled_back_at, logs "
            "FROM {} ORDER BY started_at").format(qualified(name, schema)))
        rows = list(await cur.fetchall())
    else:
        status.notes.append(f"table {name} does not exist: nothing was ever applied")
    applied: dict[str, str] = {}
    failed: dict[str, str] = {}
    for migration, checksum, finished_at, rolled_back_at, logs in rows:
        if rolled_back_at is not None:
            continue
        if finished_at is None:
            first = next((line.strip() for line in str(logs or "").splitlines() if line.strip()), "")
            failed[migration] = first or "started but never finished"
        else:
            applied[migration] = str(checksum)
            failed.pop(migration, None)
    for migration, script in local.items():
        if migration in failed:
            status.failed.append((migration, failed[migration]))
        elif migration in applied:
            status.applied.append(migration)
            if not checksum_matches(script.read_bytes(), applied[migration]):
                status.modified.append(migration)
        else:
            status.pending.append(migration)
    for migration in list(applied) + list(failed):
        if migration not in local:
            status.missing_locally.append(migration)
    return status


@hookimpl
def gonogo_migration_readers() -> list[MigrationReader]:
    return [MigrationReader("prisma", "prisma/migrations", read)]
