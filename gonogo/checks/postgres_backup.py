"""``postgres.backup``: ``pg_dump`` in custom format straight to disk, with a manifest
(sha256, size, duration, server version, per-table row counts) written beside it.

The dump and the row counts come from one exported snapshot, so the manifest describes
exactly what the file holds even while the application keeps writing. pg_dump writes
``FILE.partial`` itself (``-f``), so no byte of the dump passes through Python; the file
gets its real name only once pg_dump exited 0 and the archive header checks out.
"""

from __future__ import annotations

import asyncio
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gonogo import faults, private
from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.postgres_common import (
    DUMP_MAGIC,
    MANIFEST_FORMAT,
    PARTIAL_SUFFIX,
    connect,
    count_and_checksum,
    database_name,
    display_url,
    find_tool,
    list_tables,
    manifest_path,
    process_problem,
    remember_source,
    server_version,
    sha256_file,
    sql_error,
    tool_connection,
    write_json_atomically,
)
from gonogo.core.errors import CheckError, CheckFailed
from gonogo.core.fields import DatabaseUrl
from gonogo.hookimpl import hookimpl
from gonogo.targets.local import run_process

DEFAULT_PATH = "backups/backup_{timestamp}.dump"
PLACEHOLDERS = ("{timestamp}", "{database}", "{env}")


class Retention(BaseModel):
    """Keep the newest ``keep`` dumps matching the path template; older ones are pruned only
    after a ``postgres.restore_verify`` of the new dump passed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    keep: int = Field(ge=1)


class PostgresBackup(Check):
    """Dump a database with pg_dump (custom format) and write a manifest beside the dump."""

    type_name = "postgres.backup"
    #: Not run by `check`: it runs pg_dump against the database and writes a dump file.
    changes_state = True
    example = {
        "database_url": "${DATABASE_URL}",
        "path": "backups/backup_{timestamp}.dump",
        "retention": {"keep": 7},
    }
    secret_fields = ("database_url",)

    database_url: DatabaseUrl
    path: str = DEFAULT_PATH
    retention: Retention | None = None
    #: Tables whose content checksum goes into the manifest (restore_verify compares it).
    checksum: list[str] = []
    compress: int | None = Field(default=None, ge=0, le=9)
    #: Directory holding pg_dump (default: PATH).
    pg_bin: str | None = None

    @field_validator("path")
    @classmethod
    def _template(cls, value: str) -> str:
        stripped = value
        for placeholder in PLACEHOLDERS:
            stripped = stripped.replace(placeholder, "")
        if "{" in stripped or "}" in stripped:
            raise ValueError(
                f"expected a path with placeholders {', '.join(PLACEHOLDERS)}, got {value!r}"
            )
        if value.endswith("/") or not value.strip():
            raise ValueError(f"expected a file path, got {value!r}")
        return value

    def describe(self) -> str:
        return f"postgres.backup: pg_dump {display_url(self.database_url)} to {self.path}"

    def target(self, ctx: CheckContext, at: datetime) -> Path:
        name = self.path.replace("{timestamp}", at.strftime("%Y%m%d_%H%M%S"))
        name = name.replace("{database}", database_name(self.database_url))
        name = name.replace("{env}", ctx.environment or "default")
        path = ctx.resolve(name)
        stem, n = path, 1
        while path.exists():  # two backups in one second: never overwrite a good one
            path = stem.with_name(f"{stem.stem}_{n}{stem.suffix}")
            n += 1
        return path

    def prune_glob(self, ctx: CheckContext) -> str:
        name = self.path.replace("{timestamp}", "*")
        name = name.replace("{database}", database_name(self.database_url))
        name = name.replace("{env}", ctx.environment or "default")
        return str(ctx.resolve(name))

    async def run(self, ctx: CheckContext) -> Evidence:
        started_at = datetime.now(UTC)
        dump = self.target(ctx, started_at)
        partial = dump.with_name(dump.name + PARTIAL_SUFFIX)
        try:
            private.make_dir(dump.parent)
        except OSError as exc:
            raise CheckError(f"cannot create {dump.parent}: {exc.strerror}") from None
        started = time.monotonic()
        #: seconds per step, in the evidence: where a backup's time goes
        steps: dict[str, float] = {}
        conn = await connect(self.database_url)
        done = False
        try:
            # a dump holds the whole database: 0600 from its first byte, wherever it goes
            # (pg_dump truncates an existing file and keeps its mode)
            private.touch(partial)
            major, version = await server_version(conn)
            pg_bin = ctx.resolve(self.pg_bin) if self.pg_bin else None
            tool = await find_tool("pg_dump", ctx.env, pg_bin, server_major=major)
            await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cur = await conn.execute("SELECT pg_export_snapshot()")
            row = await cur.fetchone()
            snapshot = str(row[0]) if row else ""
            dbname, env = tool_connection(self.database_url, ctx.env)
            argv = [tool.path, "--format=custom", f"--file={partial}", f"--snapshot={snapshot}"]
            if self.compress is not None:
                argv.append(f"--compress={self.compress}")
            argv += ["--dbname", dbname]
            ctx.progress(f"pg_dump {display_url(self.database_url)} → {partial.name}")
            steps["connect"] = round(time.monotonic() - started, 3)
            dumping = time.monotonic()
            dump_task = asyncio.ensure_future(run_process(argv, cwd=ctx.workdir, env=env))
            try:
                counts, checksums = await self._describe(conn)
                # taken in the dump's snapshot while pg_dump runs: no wall time of its own
                steps["counts"] = round(time.monotonic() - dumping, 3)
            except BaseException:
                dump_task.cancel()
                await asyncio.gather(dump_task, return_exceptions=True)
                raise
            result = await dump_task
            steps["pg_dump"] = round(time.monotonic() - dumping, 3)
            await conn.execute("COMMIT")
            if result.exit_code != 0:
                raise CheckFailed(
                    process_problem("pg_dump", result.exit_code, result.stderr),
                    {"output": result.stderr},
                )
            size = partial.stat().st_size if partial.exists() else 0
            with partial.open("rb") as handle:
                header = handle.read(len(DUMP_MAGIC))
            if size == 0 or header != DUMP_MAGIC:
                raise CheckFailed(f"pg_dump exited 0 but {partial.name} is not a custom-format dump")
            faults.point("backup.dumped")
            hashing = time.monotonic()
            digest = await asyncio.to_thread(sha256_file, partial)
            steps["sha256"] = round(time.monotonic() - hashing, 3)
            duration = time.monotonic() - started
            manifest: dict[str, Any] = {
                "format": MANIFEST_FORMAT,
                "file": dump.name,
                "sha256": digest,
                "size_bytes": size,
                "created_at": started_at.isoformat(timespec="seconds"),
                "duration_s": round(duration, 3),
                "database": database_name(self.database_url),
                "source": display_url(self.database_url),
                "server_version": version,
                "pg_dump_version": tool.version,
                "host": platform.node(),
                "run_id": ctx.run_id or None,
                "tables": counts,
                "checksums": checksums,
            }
            mpath = manifest_path(dump)
            write_json_atomically(mpath.with_name(mpath.name + PARTIAL_SUFFIX), manifest)
            os.chmod(partial, private.FILE_MODE)  # in case pg_dump made the file anew
            os.replace(partial, dump)
            faults.point("backup.before_manifest")  # the dump in place, its manifest not yet
            os.replace(mpath.with_name(mpath.name + PARTIAL_SUFFIX), mpath)
            done = True
        except CheckFailed:
            raise
        except OSError as exc:
            raise CheckFailed(f"cannot write the backup {dump.name}: {exc.strerror}") from None
        except CheckError:
            raise
        except Exception as exc:
            import psycopg

            if isinstance(exc, psycopg.Error):
                raise CheckError(f"{display_url(self.database_url)}: {sql_error(exc)}") from None
            raise
        finally:
            if not done:
                for leftover in (partial, manifest_path(dump).with_name(
                        manifest_path(dump).name + PARTIAL_SUFFIX)):
                    leftover.unlink(missing_ok=True)
            await conn.close()
        rows = sum(counts.values())
        shown = _relative(dump, ctx.workdir)
        summary = (
            f"{shown}: {_size(size)}, {len(counts)} tables, {rows:,} rows, "
            f"sha256 {digest[:12]}…, {duration:.1f}s"
        )
        data: dict[str, Any] = {
            "path": str(dump),
            "manifest": str(manifest_path(dump)),
            "sha256": digest,
            "size_bytes": size,
            "duration_s": round(duration, 3),
            "server_version": version,
            "tables": len(counts),
            "rows": rows,
            "source": display_url(self.database_url),
            "source_ref": remember_source(self.database_url),
            "steps_s": steps,
        }
        if self.retention is not None:
            data["retention"] = {"keep": self.retention.keep, "glob": self.prune_glob(ctx)}
        return Evidence(summary=summary, data=data)

    async def _describe(self, conn: Any) -> tuple[dict[str, int], dict[str, str]]:
        """(row counts, checksums) of the source, in the connection's snapshot."""
        tables = await list_tables(conn)
        wanted: list[str] = []
        for name in self.checksum:
            table = name if "." in name else f"public.{name}"
            if table not in tables:
                raise CheckError(f"checksum: no table {name!r} in {database_name(self.database_url)}")
            wanted.append(table)
        return await count_and_checksum(conn, tables, wanted)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [PostgresBackup]
