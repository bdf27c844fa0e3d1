"""``migrations``: no pending, failed or modified migrations, read natively from the
database and the migration folder (Prisma, Alembic, Django, Flyway) — no ORM CLI needed.
With ``prisma_cli: true`` and the Prisma CLI installed, ``prisma migrate status`` runs as
a second opinion: a disagreement is reported, it never replaces gonogo's own reading."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.postgres_common import (
    connect,
    display_url,
    require_psycopg,
    split_prisma_params,
    sql_error,
)
from gonogo.core.errors import CheckError, CheckFailed, CheckWarning
from gonogo.core.fields import DatabaseUrl
from gonogo.hookimpl import hookimpl
from gonogo.migrations import MigrationStatus
from gonogo.targets.local import run_process

DEFAULT_DIRS = {
    "prisma": "prisma/migrations",
    "alembic": "alembic",
    "django": ".",
    "flyway": "db/migration",
}
SHOW = 10


class Migrations(Check):
    """Compare the migrations table of the database with the migration folder."""

    type_name = "migrations"
    example = {
        "tool": "prisma",
        "database_url": "${DATABASE_URL}",
        "dir": "apps/api/prisma/migrations",
    }
    secret_fields = ("database_url",)

    tool: Literal["prisma", "alembic", "django", "flyway"]
    database_url: DatabaseUrl
    #: The migration folder (default per tool: prisma/migrations, alembic, ., db/migration).
    dir: str | None = None
    #: The tool's history table, when renamed (default per tool).
    table: str | None = None
    #: Schema of the history table (default: Prisma's ``?schema=`` in the URL, else search_path).
    db_schema: str | None = Field(default=None, alias="schema")
    #: Also ask ``prisma migrate status`` when the Prisma CLI is installed.
    prisma_cli: bool = False

    def describe(self) -> str:
        return f"migrations: {self.tool} in {self.dir or DEFAULT_DIRS[self.tool]} applied"

    async def run(self, ctx: CheckContext) -> Evidence:
        status = await self.read_status(ctx)
        directory = ctx.resolve(self.dir or DEFAULT_DIRS[self.tool])
        if not status.local:
            raise CheckError(f"no {self.tool} migrations found in {self.dir or DEFAULT_DIRS[self.tool]}")
        data: dict[str, Any] = {
            "tool": self.tool,
            "local": len(status.local),
            "applied": len(status.applied),
            "pending": status.pending,
            "failed": [f"{n}: {why}" for n, why in status.failed],
            "modified": status.modified,
            "missing_locally": status.missing_locally,
            # what this release knows: the release journal keeps it for `gonogo rollback`
            "names": status.local,
        }
        return await self._judge(ctx, directory, status, data)

    async def read_status(self, ctx: CheckContext) -> MigrationStatus:
        """The folder's migrations and the database's, read by the tool's reader."""
        require_psycopg()
        import psycopg

        directory = ctx.resolve(self.dir or DEFAULT_DIRS[self.tool])
        if not directory.is_dir():
            raise CheckError(f"migration folder {self.dir or DEFAULT_DIRS[self.tool]} does not exist")
        _, prisma_params = split_prisma_params(self.database_url)
        schema = self.db_schema or prisma_params.get("schema") or None
        reader = importlib.import_module(f"gonogo.migrations.{self.tool}")
        conn = await connect(self.database_url)
        try:
            status: MigrationStatus = await reader.read(conn, directory, table=self.table,
                                                        schema=schema)
        except psycopg.Error as exc:
            raise CheckError(f"reading {self.tool} migrations from "
                             f"{display_url(self.database_url)}: {sql_error(exc)}") from None
        finally:
            await conn.close()
        return status

    async def _judge(self, ctx: CheckContext, directory: Path, status: MigrationStatus,
                     data: dict[str, Any]) -> Evidence:
        if status.notes:
            data["notes"] = status.notes
        second = await self._second_opinion(ctx, directory) if self.prisma_cli else None
        if second is not None:
            data["prisma_cli"] = second
        if not status.clean:
            raise CheckFailed(problem_line(status), data)
        summary = f"all {len(status.local)} {self.tool} migrations applied (latest {status.local[-1]})"
        if second is not None and second.get("exit_code") not in (0, None):
            raise CheckWarning(summary + f"; but `prisma migrate status` disagrees: {second['said']}", data)
        return Evidence(summary=summary, data=data)

    async def _second_opinion(self, ctx: CheckContext, directory: Path) -> dict[str, Any] | None:
        """``prisma migrate status`` with the same DATABASE_URL, when the CLI is there."""
        binary = None
        for parent in [directory, *directory.parents]:
            candidate = parent / "node_modules" / ".bin" / "prisma"
            if candidate.is_file():
                binary = str(candidate)
                break
        binary = binary or shutil.which("prisma", path=ctx.env.get("PATH"))
        if binary is None:
            return None
        schema = directory.parent / "schema.prisma"
        argv = [binary, "migrate", "status"] + (["--schema", str(schema)] if schema.is_file() else [])
        env = {**ctx.env, "DATABASE_URL": self.database_url}
        result = await run_process(argv, cwd=directory.parent, env=env, timeout=120)
        lines = [line.strip() for line in (result.stdout + result.stderr).splitlines() if line.strip()]
        return {"exit_code": result.exit_code, "said": lines[-1][:200] if lines else ""}


def problem_line(status: MigrationStatus) -> str:
    parts: list[str] = []
    if status.failed:
        parts.append(f"{len(status.failed)} failed: "
                     + _few([f"{n} ({why})" for n, why in status.failed]))
    if status.pending:
        word = "migration" if len(status.pending) == 1 else "migrations"
        parts.append(f"{len(status.pending)} pending {word}: {_few(status.pending)}")
    if status.modified:
        parts.append(f"{len(status.modified)} modified after being applied (checksum mismatch): "
                     + _few(status.modified))
    if status.missing_locally:
        parts.append(f"{len(status.missing_locally)} applied to the database but not in the "
                     "folder: " + _few(status.missing_locally))
    return "; ".join(parts)


def _few(items: list[str]) -> str:
    more = len(items) - SHOW
    return ", ".join(items[:SHOW]) + (f" (and {more} more)" if more > 0 else "")


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [Migrations]
