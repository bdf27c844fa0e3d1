"""Flyway: ``flyway_schema_history`` against ``V<version>__<description>.sql`` (and
repeatable ``R__<description>.sql``) files.

Flyway's checksum is a CRC-32 of the file's lines without their line endings (BOM
stripped), stored as a signed 32-bit integer; it is recomputed here the same way.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gonogo.hookimpl import hookimpl
from gonogo.migrations import MigrationReader, MigrationStatus, qualified, table_exists

if TYPE_CHECKING:
    from psycopg import AsyncConnection

TABLE = "flyway_schema_history"
VERSIONED = re.compile(r"^V(?P<version>[0-9][0-9._]*?)__(?P<description>.+)\.sql$", re.I)
REPEATABLE = re.compile(r"^R__(?P<description>.+)\.sql$", re.I)


def flyway_checksum(data: bytes) -> int:
    text = data.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    crc = 0
    for line in text.splitlines():
        crc = zlib.crc32(line.encode("utf-8"), crc)
    return crc - (1 << 32) if crc >= (1 << 31) else crc


def version_key(version: str) -> tuple[int, ...]:
    parts = [int(p) for p in re.split(r"[._]", version) if p != ""]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _description(text: str) -> str:
    return text.replace("_", " ")


async def read(
    conn: AsyncConnection[Any], directory: Path, *, table: str | None = None, schema: str | None = None
) -> MigrationStatus:
    from psycopg import sql

    status = MigrationStatus("flyway")
    versioned: dict[tuple[int, ...], Path] = {}
    repeatable: dict[str, Path] = {}
    for path in sorted(directory.rglob("*.sql")):
        if match := VERSIONED.match(path.name):
            versioned[version_key(match["version"])] = path
        elif match := REPEATABLE.match(path.name):
            repeatable[_description(match["description"])] = path
    order = sorted(versioned)
    status.local = [versioned[v].name for v in order] + [p.name for p in repeatable.values()]
    name = table or TABLE
    rows: list[tuple[Any, ...]] = []
    if await table_exists(conn, name, schema):
        cur = await conn.execute(sql.SQL(
            "SELECT version, description, type, script, checksum, success FROM {} "
            "ORDER BY installed_rank").format(qualified(name, schema)))
        rows = list(await cur.fetchall())
    else:
        status.notes.append(f"table {name} does not exist: nothing was ever applied")
    applied: dict[tuple[int, ...], int | None] = {}
    repeat_applied: dict[str, int | None] = {}
    baseline: tuple[int, ...] | None = None
    for version, description, kind, script, checksum, success in rows:
        kind = str(kind or "").upper()
        if kind == "BASELINE" and version is not None:
            baseline = version_key(str(version))
            continue
        if kind in ("SCHEMA", "DELETE") or kind.startswith("UNDO"):
            continue
        if not success:
            status.failed.append((str(script), f"failed (type {kind}, version {version})"))
            continue
        if version is None:
            repeat_applied[str(description)] = checksum
        else:
            applied[version_key(str(version))] = checksum
    latest = max(applied) if applied else ()
    failed_scripts = {s for s, _ in status.failed}
    for key in order:
        path = versioned[key]
        if path.name in failed_scripts:
            continue
        if key in applied:
            status.applied.append(path.name)
            if applied[key] is not None and applied[key] != flyway_checksum(path.read_bytes()):
                status.modified.append(path.name)
        elif baseline is not None and key <= baseline:
            continue
        else:
            status.pending.append(path.name + (" (out of order)" if key < latest else ""))
    for description, path in repeatable.items():
        if description not in repeat_applied:
            status.pending.append(path.name)
        elif repeat_applied[description] != flyway_checksum(path.read_bytes()):
            status.pending.append(path.name + " (changed, will re-run)")
        else:
            status.applied.append(path.name)
    for key in applied:
        if key not in versioned:
            status.missing_locally.append(".".join(str(p) for p in key) or "0")
    return status


@hookimpl
def gonogo_migration_readers() -> list[MigrationReader]:
    return [MigrationReader("flyway", "db/migration", read)]
