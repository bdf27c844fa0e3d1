"""`gonogo restore --from FILE --to URL [--yes]`: restore a verified backup.

The file is checked against its manifest first; then what will be replaced is shown (the
target database, its tables and row counts). A target that is a protected environment's
database needs ``--yes``. The restore is recorded as a run: the file's verification,
then ``pg_restore --clean --if-exists`` and a row-count comparison with the manifest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.postgres_common import (
    conninfo_parts,
    count_rows,
    database_name,
    display_url,
    list_tables,
    manifest_path,
    with_database,
)
from gonogo.checks.postgres_restore import compare, default_jobs, pg_restore_into, verify_dump_file
from gonogo.config.model import CheckSpec, Config, Phase
from gonogo.engine.outcomes import decide, exit_code
from gonogo.engine.runner import Plan, Runner
from gonogo.error_handler import use_redactor
from gonogo.errors import (
    EXIT_INTERRUPTED,
    EXIT_NOGO,
    CheckError,
    CheckFailed,
    ConfigError,
    UsageError,
)
from gonogo.journal.store import Store
from gonogo.redact import Redactor
from gonogo.reports.console_report import ConsoleListener, print_summary

SHOW_TABLES = 20


class VerifyFile(Check):
    """The dump's size and sha256 match its manifest."""

    type_name = "postgres.restore.file"
    path: str

    async def run(self, ctx: CheckContext) -> Evidence:
        dump = Path(self.path)
        manifest = await verify_dump_file(dump)
        return Evidence(
            summary=f"{dump.name}: sha256 {manifest['sha256'][:12]}… and size match its manifest",
            data={"path": str(dump), "sha256": manifest["sha256"], "size_bytes": manifest["size_bytes"]},
        )


class RestoreInto(Check):
    """pg_restore into the target, then the target's row counts match the manifest."""

    type_name = "postgres.restore"
    secret_fields = ("target",)
    path: str
    target: str
    jobs: int

    async def run(self, ctx: CheckContext) -> Evidence:
        dump = Path(self.path)
        manifest = json.loads(manifest_path(dump).read_text(encoding="utf-8"))
        await ensure_database(self.target)
        major = str(manifest.get("pg_dump_version", "")).split(".")[0]
        report = await pg_restore_into(
            dump, self.target, ctx.env, pg_bin=None, jobs=self.jobs,
            archive_major=int(major) if major.isdigit() else None,
            extra=("--clean", "--if-exists"),
        )
        expected = {str(k): int(v) for k, v in manifest["tables"].items()}
        found = {t: n for t, n in report.tables.items() if t in expected}
        problems = compare(expected, found, {}, {})
        data: dict[str, Any] = {"target": display_url(self.target), "tables": len(expected),
                                "rows": sum(found.values()), "restore_s": round(report.seconds, 3)}
        others = sorted(set(report.tables) - set(expected))
        if others:
            data["left_untouched"] = others
        if problems:
            raise CheckFailed("the restored database differs from the backup: " + "; ".join(problems),
                              data)
        return Evidence(
            summary=f"restored {len(expected)} tables, {data['rows']:,} rows into "
                    f"{database_name(self.target)}; row counts match the manifest",
            data=data,
        )


async def ensure_database(url: str) -> bool:
    """Create the target database when it does not exist; True if it was created."""
    import psycopg
    from psycopg import sql

    from gonogo.checks.postgres_common import connect

    name = database_name(url)
    conn = await connect(with_database(url, "postgres"))
    try:
        cur = await conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if await cur.fetchone():
            return False
        try:
            await conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as exc:
            raise CheckError(f"cannot create database {name}: {exc}") from None
        return True
    finally:
        await conn.close()


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


def _server_key(url: str) -> tuple[str, str, str]:
    parts = conninfo_parts(url)
    host = parts.get("host", "localhost").lower()
    if host in ("localhost", "::1", "") or host.startswith("/"):
        host = "127.0.0.1"
    return host, parts.get("port", "5432"), parts.get("dbname") or parts.get("user") or ""


def protected_environment(config: Config | None, target: str) -> str | None:
    """The protected environment whose database URL is ``target``, if any."""
    if config is None:
        return None
    from gonogo.config.load import other_environment

    try:
        wanted = _server_key(target)
    except CheckError as exc:
        raise UsageError(f"--to: {exc.message}") from None
    for name, spec in config.model.environments.items():
        if not spec.protected:
            continue
        sources = [other_environment(config, name).values]
        if name == config.environment.name:
            sources.append(config.environment.values)
        for values in sources:
            for value in values.values():
                text = value.value
                if text.startswith(("postgres://", "postgresql://")):
                    try:
                        if _server_key(text) == wanted:
                            return name
                    except CheckError:
                        continue
    return None


def _load(args: argparse.Namespace) -> Config | None:
    from gonogo.config import load_config

    try:
        return load_config(args.config, env=args.env)
    except ConfigError as exc:
        if args.config is None and "no gonogo.yml" in str(exc):
            return None
        raise


def main(args: argparse.Namespace) -> int:
    try:
        source = Path(args.source).resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of symbolic links (Python 3.11)
        raise UsageError(f"--from {args.source}: {getattr(exc, 'strerror', None) or exc}") from None
    target: str = args.target
    config = _load(args)
    redactor = config.environment.redactor if config else Redactor()
    redactor.add_env({"RESTORE_TARGET": target})
    use_redactor(redactor)
    if not target.startswith(("postgres://", "postgresql://")) and "=" not in target:
        raise UsageError(f"--to {display_url(target)!r}: expected a postgresql:// URL")
    if not source.is_file():
        raise UsageError(f"--from {args.source}: no such file")
    out = sys.stdout
    manifest: dict[str, Any] = {}
    if manifest_path(source).is_file():
        try:
            manifest = json.loads(manifest_path(source).read_text(encoding="utf-8"))
        except ValueError:
            manifest = {}
    tables = manifest.get("tables") or {}
    out.write(f"backup  {source.name}: {manifest.get('created_at', 'unknown time')}, "
              f"{len(tables)} tables, {sum(int(v) for v in tables.values()):,} rows "
              f"(from {manifest.get('source', 'unknown source')})\n")
    current = asyncio.run(inspect_target(target))
    where = display_url(target)
    if current is None:
        out.write(f"target  {where}: database {database_name(target)} does not exist; "
                  "it will be created\n")
    else:
        out.write(f"target  {where}: {len(current)} tables, {sum(current.values()):,} rows "
                  "will be replaced by the backup's\n")
        for name, rows in list(current.items())[:SHOW_TABLES]:
            note = "" if name in tables else "  (not in the backup: left as is)"
            out.write(f"  {name:<40} {rows:>12,} {'row' if rows == 1 else 'rows'}{note}\n")
        if len(current) > SHOW_TABLES:
            out.write(f"  … and {len(current) - SHOW_TABLES} more tables\n")
    out.flush()
    env_name = protected_environment(config, target)
    if env_name is not None and not args.yes:
        raise UsageError(
            f"{where} is the database of the protected environment {env_name!r}; "
            "nothing was changed (pass --yes to replace it)"
        )
    return _run(config, source, target, redactor)


def _run(config: Config | None, source: Path, target: str, redactor: Redactor) -> int:
    import os

    from gonogo.gate import store_for
    from gonogo.journal.store import open_store

    store: Store = store_for(config) if config else open_store(str(Path.cwd() / ".gonogo"))
    try:
        journal = store.create_run(
            "restore",
            config_path=str(config.path) if config else None,
            environment=config.environment.name if config else None,
            meta={"source": str(source), "target": display_url(target)},
        )
        file_spec = CheckSpec(id="backup-file", title=f"{source.name} matches its manifest",
                              type=VerifyFile.type_name, params=VerifyFile(path=str(source)),
                              phase="restore", kind="backup", timeout=3600.0)
        restore_spec = CheckSpec(
            id="restore", title=f"Restore into {database_name(target)}", type=RestoreInto.type_name,
            params=RestoreInto(path=str(source), target=target, jobs=default_jobs()),
            phase="restore", kind="backup", timeout=24 * 3600.0, needs=("backup-file",))
        ctx = CheckContext(workdir=config.root if config else Path.cwd(), env=dict(os.environ),
                           redactor=redactor, run_id=journal.run_id, run_dir=journal.run_dir)
        listener = ConsoleListener(sys.stdout)
        runner = Runner(ctx, journal, [listener])
        plan = Plan([Phase("restore", "Restore", "backup", (file_spec, restore_spec))])
        try:
            results = asyncio.run(runner.run(plan))
        except KeyboardInterrupt:
            journal.finish(None, EXIT_INTERRUPTED, status="interrupted")
            raise
        finally:
            listener.close()
        verdict = decide(results)
        code = exit_code(verdict)
        journal.finish(verdict, code)
        print_summary(store.load_run(journal.run_id), sys.stdout)
        return code if code != 4 else EXIT_NOGO
    finally:
        store.close()
