"""``postgres.restore``: `gonogo restore`'s own step. pg_restore into a new scratch database,
verify it against the manifest, then swap it in by rename; the target is untouched until
the swap and the scratch database dropped when anything fails.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from pydantic import PrivateAttr

from gonogo import faults
from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.postgres_common import (
    count_rows,
    database_name,
    display_url,
    list_tables,
    read_manifest,
    sql_error,
    with_database,
)
from gonogo.checks.postgres_restore import (
    compare,
    drop_database,
    pg_restore_into,
)
from gonogo.checks.postgres_swap import (
    BEFORE,
    SCRATCH,
    create_scratch,
    marked_databases,
    swap_in,
)
from gonogo.core.errors import (
    CheckError,
    CheckFailed,
    CheckProblem,
    UsageError,
)

SHOW_TABLES = 20


class RestoreInto(Check):
    """pg_restore into a new scratch database, verify it against the manifest (the same
    comparison as ``postgres.restore_verify``), then swap it in by rename. Until the swap
    the target is not touched; when anything fails the scratch database is dropped."""

    type_name = "postgres.restore"
    secret_fields = ("target",)
    path: str
    target: str
    jobs: int
    scratch: str
    before: str
    verify: bool = True
    drop_old: bool = False
    force_disconnect: bool = False
    #: What happened so far, for the message after an interrupt (not a parameter).
    _stage: dict[str, Any] = PrivateAttr(default_factory=dict)

    async def run(self, ctx: CheckContext) -> Evidence:
        import psycopg

        dump = Path(self.path)
        manifest = read_manifest(dump) if self.verify else {}
        name = database_name(self.target)
        server = with_database(self.target, "postgres")
        left = drop_leftovers(server, name)
        if left:
            ctx.progress("dropped " + ", ".join(left))
        try:
            create_scratch(server, self.scratch, name, ctx.run_id)
        except CheckProblem as exc:
            raise type(exc)(f"{exc.message}; {self.unchanged_note()}", exc.evidence) from None
        self._stage["scratch"] = "created"
        faults.point("restore.scratch_created")
        try:
            ctx.progress(f"restoring {dump.name} into {self.scratch}")
            evidence = await self._fill_and_swap(ctx, dump, manifest, server, name)
        except BaseException as exc:
            self._discard(server)
            if isinstance(exc, CheckProblem):
                raise type(exc)(f"{exc.message}; {self.unchanged_note()}", exc.evidence) from None
            if isinstance(exc, psycopg.Error):
                raise CheckFailed(f"{sql_error(exc)}; {self.unchanged_note()}") from None
            raise
        if left:
            evidence.data["dropped_leftovers"] = left
        return evidence

    def _discard(self, server: str) -> None:
        """Drop the scratch database unless it was swapped in (synchronous: this runs while
        the task is being cancelled too)."""
        if self._stage.get("swapped") is None:
            problem = drop_database(server, self.scratch)
            self._stage["scratch"] = f"not dropped: {problem}" if problem else "dropped"

    async def _fill_and_swap(self, ctx: CheckContext, dump: Path, manifest: dict[str, Any],
                             server: str, name: str) -> Evidence:
        expected_sums: dict[str, str] = dict(manifest.get("checksums") or {})
        major = str(manifest.get("pg_dump_version", "")).split(".")[0]
        report = await pg_restore_into(
            dump, with_database(self.target, self.scratch), ctx.env, pg_bin=None, jobs=self.jobs,
            archive_major=int(major) if major.isdigit() else None,
            extra=("--exit-on-error",), checksum_tables=tuple(expected_sums),
        )
        faults.point("restore.filled")
        data: dict[str, Any] = {"target": display_url(self.target), "scratch_database": self.scratch,
                                "tables": len(report.tables), "rows": sum(report.tables.values()),
                                "restore_s": round(report.seconds, 3), "verified": self.verify}
        if self.verify:
            expected = {str(k): int(v) for k, v in manifest["tables"].items()}
            problems = compare(expected, report.tables, expected_sums, report.checksums)
            if problems:
                raise CheckFailed("the restored copy differs from the backup's manifest: "
                                  + "; ".join(problems), data)
        faults.point("restore.verified")
        # the last checkpoint before the swap: a Ctrl-C or SIGTERM that came during the
        # (synchronous) comparison cancels the restore here, instead of landing after the
        # swap it was meant to prevent (the SIGTERM handler needs a turn of the loop)
        await asyncio.sleep(0.05)
        swapped = swap_in(server, name, self.scratch, self.before, ctx.run_id,
                          force_disconnect=self.force_disconnect)
        self._stage["swapped"] = swapped
        faults.point("restore.swapped")
        kept = swapped.before
        # the restore is done: what follows is housekeeping, whose failure is reported, not fatal
        try:
            dropped = [m.name for m in marked_databases(server, name, BEFORE)
                       if m.name != kept or self.drop_old]
        except CheckProblem as exc:
            dropped, not_dropped = [], {"older copies": exc.message}
        else:
            not_dropped = {n: p for n in dropped if (p := drop_database(server, n))}
        data.update(before=kept if kept and not self.drop_old else None,
                    dropped_before=[n for n in dropped if n not in not_dropped])
        if not_dropped:
            data["not_dropped"] = not_dropped
        if swapped.terminated:
            data["terminated_sessions"] = swapped.terminated
        if swapped.not_copied:
            data["not_copied"] = list(swapped.not_copied)
        what = (f"restored {count_of(len(report.tables), 'table')}, {data['rows']:,} rows into {name}"
                + ("; tables, row counts" + (" and checksums" if expected_sums else "")
                   + " match the manifest" if self.verify else "; NOT verified (no manifest)"))
        if kept and not self.drop_old:
            what += f"; the previous database is kept as {kept}"
        elif kept:
            what += "; the previous database was dropped (--drop-old)"
        older = [n for n in data["dropped_before"] if n != kept]
        if older:
            what += f"; dropped {', '.join(older)}"
        if not_dropped:
            what += "; could not drop " + ", ".join(f"{n} ({p})" for n, p in not_dropped.items())
        if swapped.terminated:
            what += f"; terminated {count_of(swapped.terminated, 'session')} (--force-disconnect)"
        if swapped.not_copied:
            what += "; NOT carried over from the previous database: " + ", ".join(
                swapped.not_copied)
        return Evidence(summary=what, data=data)

    def unchanged_note(self) -> str:
        """What the target and the scratch database are now, for a failure's message."""
        name = database_name(self.target)
        if self._stage.get("swapped") is not None:
            return f"the restored database is in place as {name}"
        scratch = self._stage.get("scratch")
        if scratch is None:
            return f"the target database {name} is unchanged (no scratch database was made)"
        if scratch == "dropped":
            return (f"the target database {name} is unchanged (the scratch database "
                    f"{self.scratch} was dropped)")
        state = "left behind" if scratch == "created" else scratch
        return (f"the target database {name} is unchanged (the scratch database {self.scratch} "
                f"was {state}; `gonogo restore --cleanup --to URL` drops it)")


def count_of(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def drop_leftovers(server: str, target: str) -> list[str]:
    """Drop scratch databases of ``target`` left by restores that were killed (their process
    is gone); the names dropped. Those of a restore still running are left alone."""
    dropped = []
    for mark in marked_databases(server, target, SCRATCH):
        if not mark.alive() and drop_database(server, mark.name) is None:
            dropped.append(f"{mark.name} (left by the killed restore run {mark.run})")
    return dropped


async def inspect_target(url: str) -> dict[str, int] | None:
    """The target's tables and row counts; None when the database does not exist yet."""
    import psycopg

    from gonogo.checks.postgres_common import connect

    try:
        conn = await connect(url)
    except CheckError as exc:
        if "does not exist" in exc.message and "database" in exc.message:
            return None
        raise UsageError(exc.message) from None
    try:
        return await count_rows(conn, await list_tables(conn))
    except psycopg.Error as exc:
        raise UsageError(f"cannot read {display_url(url)}: {exc}") from None
    finally:
        await conn.close()
