"""``postgres.restore_verify``: prove a dump restores. The file is checked against its
manifest (size, sha256), restored with ``pg_restore -j`` into a scratch database
(``gonogo_verify_<run>``), and the copy is compared with what the manifest recorded of
the source: the set of tables, their row counts, and content checksums. The scratch
database is dropped afterwards, also when the check fails, times out or is interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field, model_validator

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.postgres_common import (
    CONNECT_TIMEOUT_S,
    connect,
    connection_problem,
    count_and_checksum,
    display_url,
    find_tool,
    libpq_url,
    list_tables,
    manifest_path,
    process_problem,
    read_manifest,
    recall_source,
    scratch_name,
    sha256_file,
    sql_error,
    tool_connection,
    with_database,
)
from gonogo.core.errors import CheckError, CheckFailed
from gonogo.core.fields import DatabaseUrl
from gonogo.hookimpl import hookimpl
from gonogo.targets.local import run_process

SHOW_DIFFERENCES = 5
T = TypeVar("T")


def default_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


async def verify_dump_file(dump: Path) -> dict[str, Any]:
    """The dump's manifest, once the file's size and sha256 match it; else CheckFailed."""
    if not dump.is_file():
        raise CheckFailed(f"backup file {dump} does not exist")
    manifest = read_manifest(dump)
    size = dump.stat().st_size
    if size != manifest["size_bytes"]:
        raise CheckFailed(
            f"{dump.name} is {size:,} bytes but its manifest says {manifest['size_bytes']:,}: "
            "the file is truncated or was changed after the backup"
        )
    digest = await asyncio.to_thread(sha256_file, dump)
    if digest != manifest["sha256"]:
        raise CheckFailed(
            f"{dump.name} has sha256 {digest[:16]}… but its manifest says "
            f"{str(manifest['sha256'])[:16]}…: the file is corrupted or was changed after the backup"
        )
    return manifest


def compare(
    expected: Mapping[str, int],
    found: Mapping[str, int],
    expected_sums: Mapping[str, str],
    found_sums: Mapping[str, str],
) -> list[str]:
    """What differs between the source (manifest) and the restored copy, one phrase each."""
    problems: list[str] = []
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    if missing:
        problems.append("missing tables: " + _few(missing))
    if extra:
        problems.append("unexpected tables: " + _few(extra))
    counts = [
        f"{t} {expected[t]:,} in the backup, {found[t]:,} restored"
        for t in sorted(set(expected) & set(found))
        if expected[t] != found[t]
    ]
    if counts:
        problems.append("row counts differ: " + _few(counts))
    sums = [t for t in sorted(expected_sums) if found_sums.get(t) != expected_sums[t]]
    if sums:
        problems.append("content checksums differ: " + _few(sums))
    return problems


def _few(items: list[str]) -> str:
    shown = ", ".join(items[:SHOW_DIFFERENCES])
    more = len(items) - SHOW_DIFFERENCES
    return shown + (f" (and {more} more)" if more > 0 else "")


@dataclass
class RestoreReport:
    tables: dict[str, int]
    checksums: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    output: str = ""
    #: How long counting (and checksumming) the restored copy took.
    count_seconds: float = 0.0


async def pg_restore_into(
    dump: Path,
    target_url: str,
    env: Mapping[str, str],
    *,
    pg_bin: Path | None,
    jobs: int,
    archive_major: int | None,
    extra: tuple[str, ...] = ("--no-owner", "--no-privileges"),
    checksum_tables: tuple[str, ...] = (),
) -> RestoreReport:
    """Run pg_restore into an existing database, then count rows (and checksum tables) there."""
    tool = await find_tool("pg_restore", env, pg_bin, archive_major, against="the dump's pg_dump")
    conninfo, child_env = tool_connection(target_url, env)
    argv = [tool.path, *extra, f"--jobs={jobs}", "--dbname", conninfo, str(dump)]
    started = time.monotonic()
    result = await run_process(argv, env=child_env)
    seconds = time.monotonic() - started
    if result.exit_code != 0:
        raise CheckFailed(
            process_problem("pg_restore", result.exit_code, result.stderr),
            {"output": result.stderr},
        )
    counting = time.monotonic()
    conn = await connect(target_url)
    try:
        counts, sums = await count_and_checksum(conn, await list_tables(conn), checksum_tables)
    finally:
        await conn.close()
    return RestoreReport(counts, sums, seconds, result.stderr, time.monotonic() - counting)


def drop_database(server_url: str, name: str) -> str | None:
    """Drop ``name`` (forcing out connections); the problem as text if it could not be dropped.
    Synchronous on purpose: it runs in ``finally`` even while the task is being cancelled."""
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(libpq_url(server_url), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            try:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)))
            except psycopg.errors.SyntaxError:  # before PostgreSQL 13
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        return sql_error(exc)
    return None


class PostgresRestoreVerify(Check):
    """Restore a dump into a scratch database and compare it with the backup's manifest."""

    type_name = "postgres.restore_verify"
    #: Not run by `check`: it creates (and drops) a scratch database on the server.
    changes_state = True
    example = {"backup": "backup"}
    secret_fields = ("database_url",)

    #: Id of the postgres.backup step of this run whose dump is verified.
    backup: str | None = None
    #: A dump already on disk (its manifest beside it).
    path: str | None = None
    #: Server to create the scratch database on (default: the backup's server).
    database_url: DatabaseUrl | None = None
    jobs: int = Field(default_factory=default_jobs, ge=1)
    #: Tables whose content checksum must match (the backup must have recorded it).
    checksum: list[str] = []
    pg_bin: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> PostgresRestoreVerify:
        if (self.backup is None) == (self.path is None):
            raise ValueError("expected either backup: (the id of a postgres.backup step) or path: "
                             "(a dump on disk), not both or neither")
        if self.path is not None and not self.database_url:
            raise ValueError("path: needs database_url: (the server to restore a scratch copy on)")
        return self

    def describe(self) -> str:
        source = f"backup {self.backup}" if self.backup else self.path
        return f"postgres.restore_verify: restore {source} into a scratch database and compare"

    def _locate(self, ctx: CheckContext) -> tuple[Path, str, dict[str, Any]]:
        """(dump, server URL for the scratch database, the backup step's evidence)."""
        if self.path is not None:
            return ctx.resolve(self.path), str(self.database_url), {}
        step = str(self.backup)
        result = ctx.results.get(step)
        if result is None:
            raise CheckError(f"backup step {step!r} has not run before this check: "
                             f"add `needs: [{step}]`")
        evidence: dict[str, Any] = dict(getattr(result, "evidence", {}) or {})
        outcome = str(getattr(result, "outcome", ""))
        if outcome not in ("passed", "warned"):
            raise CheckFailed(f"backup step {step!r} did not produce a backup ({outcome})")
        if "path" not in evidence or "manifest" not in evidence:
            raise CheckError(f"{step!r} is not a postgres.backup step")
        server = self.database_url or recall_source(evidence.get("source_ref"))
        if server is None:
            raise CheckError(f"the server of backup {step!r} is not known to this process: "
                             "set database_url: on this check")
        return Path(evidence["path"]), server, evidence

    async def run(self, ctx: CheckContext) -> Evidence:
        dump, server, backup = self._locate(ctx)
        steps: dict[str, float] = {}
        scratch = _Scratch(server, scratch_name(ctx.run_id))
        name = scratch.name
        drop_problem: str | None = None
        try:
            # The scratch database is made while the dump is checked against its manifest
            # (re-reading a large dump takes seconds); pg_restore runs only once both are
            # done, and a problem with the file is reported first, as when they ran in turn.
            checked, made = await asyncio.gather(
                _timed(steps, "check_file", lambda: verify_dump_file(dump)),
                _timed(steps, "create_scratch", scratch.create),
                return_exceptions=True,
            )
            if isinstance(checked, BaseException):
                raise checked
            if isinstance(made, BaseException):
                raise made
            manifest = checked
            wanted = tuple(t if "." in t else f"public.{t}" for t in self.checksum)
            expected_sums: dict[str, str] = dict(manifest.get("checksums") or {})
            for table in wanted:
                if table not in expected_sums:
                    raise CheckError(f"the manifest of {dump.name} has no checksum of {table}: list "
                                     "it under the backup's checksum: so it is taken with the dump")
            ctx.progress(f"restoring {dump.name} into {name}")
            report = await pg_restore_into(
                dump, with_database(server, name), ctx.env,
                pg_bin=ctx.resolve(self.pg_bin) if self.pg_bin else None,
                jobs=self.jobs,
                archive_major=_major(manifest.get("pg_dump_version")),
                checksum_tables=tuple(expected_sums),
            )
            steps["pg_restore"] = round(report.seconds, 3)
            steps["count"] = round(report.count_seconds, 3)
        finally:
            if scratch.attempted:
                dropping = time.monotonic()
                drop_problem = drop_database(server, name)
                steps["drop_scratch"] = round(time.monotonic() - dropping, 3)
        expected: dict[str, int] = {str(k): int(v) for k, v in manifest["tables"].items()}
        problems = compare(expected, report.tables, expected_sums, report.checksums)
        data: dict[str, Any] = {
            "path": str(dump),
            "manifest": str(manifest_path(dump)),
            "sha256": manifest["sha256"],
            "scratch_database": name,
            "server": display_url(server),
            "tables": len(report.tables),
            "rows": sum(report.tables.values()),
            "restore_s": round(report.seconds, 3),
            "jobs": self.jobs,
            "steps_s": steps,
        }
        if drop_problem:
            data["scratch_left_behind"] = f"{name}: {drop_problem}"
        if problems:
            raise CheckFailed("restored copy differs from the backup's source: "
                              + "; ".join(problems), data)
        pruned = prune(backup.get("retention"), keep_path=dump)
        if pruned:
            data["pruned"] = pruned
        summary = (
            f"{dump.name} restores: {len(report.tables)} tables, {data['rows']:,} rows match "
            f"the manifest"
            + (f", checksums of {_n(len(expected_sums), 'table')} match" if expected_sums else "")
            + f" (pg_restore -j {self.jobs}, {report.seconds:.1f}s)"
        )
        if pruned:
            summary += f"; pruned {len(pruned)} older backup{'s' if len(pruned) != 1 else ''}"
        if drop_problem:
            summary += f"; could not drop scratch database {name}: {drop_problem}"
        return Evidence(summary=summary, data=data)


class _Scratch:
    """The scratch database of one verification; ``attempted`` once CREATE DATABASE was
    sent (even if the task was cancelled waiting for its answer), so it is dropped then."""

    def __init__(self, server: str, name: str) -> None:
        self.server, self.name, self.attempted = server, name, False

    async def create(self) -> None:
        from psycopg import Error as PgError
        from psycopg import sql

        conn = await connect(self.server)
        try:
            self.attempted = True
            try:
                await conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
            except PgError as exc:
                self.attempted = False  # refused: there is nothing of ours to drop
                raise CheckError(f"cannot create the scratch database {self.name} on "
                                 f"{display_url(self.server)}: {sql_error(exc)}") from None
        finally:
            await conn.close()


async def _timed(steps: dict[str, float], step: str, work: Callable[[], Awaitable[T]]) -> T:
    """``await work()``, noting how long it took under ``steps[step]`` (the coroutine is made
    here: one cancelled before it started is never left un-awaited)."""
    started = time.monotonic()
    try:
        return await work()
    finally:
        steps[step] = round(time.monotonic() - started, 3)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _major(version: object) -> int | None:
    try:
        return int(str(version).split(".")[0])
    except ValueError:
        return None


def prune(retention: object, keep_path: Path) -> list[str]:
    """Delete dumps (and their manifests) matching the backup's template beyond the newest
    ``keep``; the dump just verified is always kept. Returns the deleted dumps' names."""
    if not isinstance(retention, dict) or "glob" not in retention or "keep" not in retention:
        return []
    pattern = Path(str(retention["glob"]))
    keep = int(retention["keep"])
    candidates = [p for p in pattern.parent.glob(pattern.name) if p.is_file() and p != keep_path]
    candidates.sort(key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    pruned: list[str] = []
    for old in candidates[max(0, keep - 1):]:
        with contextlib.suppress(OSError):
            old.unlink()
            manifest_path(old).unlink(missing_ok=True)
            pruned.append(old.name)
    return sorted(pruned)


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [PostgresRestoreVerify]


__all__ = ["PostgresRestoreVerify", "verify_dump_file", "pg_restore_into", "compare",
           "drop_database", "connection_problem"]
