"""The ``hello`` migration reader: a folder of ``*.sql`` files against a ``hello_migrations``
table holding the name of each file applied.

    - {type: migrations, tool: hello, database_url: "${DATABASE_URL}", dir: migrations}

A reader only reads: it lists what the folder holds and what the database recorded, and
gonogo's ``migrations`` check decides (pending, missing locally, failed, modified → NO-GO).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from gonogo.plugin_api import MigrationStatus, qualified, table_exists

if TYPE_CHECKING:
    from psycopg import AsyncConnection

TABLE = "hello_migrations"


async def read(conn: AsyncConnection[Any], directory: Path, *, table: str | None = None,
               schema: str | None = None) -> MigrationStatus:
    from psycopg import sql  # installed with gonogo[postgres]; the check has checked

    status = MigrationStatus("hello")
    status.local = sorted(path.stem for path in directory.glob("*.sql") if path.is_file())
    name = table or TABLE
    applied: list[str] = []
    if await table_exists(conn, name, schema):
        cur = await conn.execute(sql.SQL("SELECT name FROM {} ORDER BY name").format(
            qualified(name, schema)))
        applied = [str(row[0]) for row in await cur.fetchall()]
    else:
        status.notes.append(f"table {name} does not exist: nothing was ever applied")
    status.applied = [m for m in status.local if m in applied]
    status.pending = [m for m in status.local if m not in applied]
    status.missing_locally = [m for m in applied if m not in status.local]
    return status
