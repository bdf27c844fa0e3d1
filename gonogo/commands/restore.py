"""`gonogo restore --from FILE --to URL [--yes]`: restore a verified backup.

The file is checked against its manifest first; then what will be replaced is shown (the
target database, its tables and row counts), and the restore goes ahead only once confirmed:
"y" typed at a terminal, or ``--yes`` (without a terminal, nothing changes). A target that
is a protected environment's database, however its URL is spelled, is named as such. The
restore is recorded as a run: the file's verification, then ``pg_restore --clean --if-exists`` and a row-count comparison with the manifest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
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
from gonogo.confirm import confirm
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


#: How long the host names of a target and a protected database may take to resolve.
RESOLVE_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class DatabaseKey:
    """Which database a connection string reaches, whatever its spelling: libpq's defaults
    filled in (``PGHOST``/``PGPORT``/``PGDATABASE``, port 5432, database = user), the user,
    password and options dropped, every loopback spelling (``localhost``, ``127.x``,
    ``::1``, a socket directory) one host."""

    host: str
    port: str
    dbname: str
    #: The host as written (for messages); two spellings of one host compare equal.
    shown: str = field(default="", compare=False)

    def describe(self) -> str:
        return f"database {self.dbname} on {self.shown or self.host}:{self.port}"


LOOPBACK = "(loopback)"


def _default_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for this uid (a container)
        return ""


def _host_key(host: str) -> str:
    import ipaddress

    host = host.split(",")[0].strip().lower().strip("[]")
    if not host or host.startswith("/") or host in ("localhost", "localhost.localdomain"):
        return LOOPBACK
    try:
        return LOOPBACK if ipaddress.ip_address(host).is_loopback else host
    except ValueError:
        return host


def database_key(url: str, env: Mapping[str, str] | None = None) -> DatabaseKey:
    """The database ``url`` reaches (a UsageError when it cannot be parsed)."""
    import os

    env = os.environ if env is None else env
    try:
        parts = conninfo_parts(url)
    except CheckError as exc:
        raise UsageError(exc.message) from None
    host = parts.get("host") or parts.get("hostaddr") or env.get("PGHOST") or ""
    port = (parts.get("port") or env.get("PGPORT") or "5432").split(",")[0].strip()
    user = parts.get("user") or env.get("PGUSER") or _default_user()
    dbname = parts.get("dbname") or env.get("PGDATABASE") or user
    shown = host if host and not host.startswith("/") else "localhost"
    return DatabaseKey(_host_key(host), port, dbname, shown=shown.split(",")[0])


def _addresses(host: str) -> frozenset[str]:
    """The addresses ``host`` resolves to (loopback ones as LOOPBACK); empty if it does not
    resolve within RESOLVE_TIMEOUT_S."""
    import ipaddress
    import socket
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures import TimeoutError as Timeout

    if host == LOOPBACK:
        return frozenset({LOOPBACK})
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        infos = pool.submit(socket.getaddrinfo, host, None).result(RESOLVE_TIMEOUT_S)
    except (OSError, UnicodeError, Timeout):
        return frozenset()
    finally:
        pool.shutdown(wait=False)
    found = set()
    for info in infos:
        address = str(info[4][0])
        found.add(LOOPBACK if ipaddress.ip_address(address.split("%")[0]).is_loopback
                  else address)
    return frozenset(found)


def same_database(a: DatabaseKey, b: DatabaseKey) -> bool:
    """Whether two keys are one database: same port and name, and hosts that are equal or
    resolve to a common address (``db.internal`` and its IP, this machine's host name and
    ``127.0.0.1``)."""
    if (a.port, a.dbname) != (b.port, b.dbname):
        return False
    return a.host == b.host or bool(_addresses(a.host) & _addresses(b.host))


def _looks_like_database(value: str) -> bool:
    if value.startswith(("postgres://", "postgresql://")):
        return True
    return "dbname=" in value or ("host=" in value and "=" in value.split()[0])


def protected_environment(config: Config | None, target: str) -> str | None:
    """The protected environment whose database ``target`` is, however either is spelled."""
    if config is None:
        return None
    from gonogo.config.load import other_environment

    wanted = database_key(target)
    for name, spec in config.model.environments.items():
        if not spec.protected:
            continue
        sources = [other_environment(config, name).values]
        if name == config.environment.name:
            sources.append(config.environment.values)
        for values in sources:
            for value in values.values():
                text = value.value.strip()
                if not _looks_like_database(text):
                    continue
                try:
                    key = database_key(text)
                except UsageError:
                    continue
                if same_database(key, wanted):
                    return name
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
    try:
        key = database_key(target)
    except UsageError as exc:
        raise UsageError(f"--to: {exc}") from None
    current = asyncio.run(inspect_target(target))
    where = display_url(target)
    if current is None:
        out.write(f"target  {where}: database {database_name(target)} does not exist; "
                  "it will be created\n")
        happens, verb = "created and filled from the backup", "creates"
    else:
        out.write(f"target  {where}: {len(current)} tables, {sum(current.values()):,} rows "
                  "will be replaced by the backup's\n")
        for name, rows in list(current.items())[:SHOW_TABLES]:
            note = "" if name in tables else "  (not in the backup: left as is)"
            out.write(f"  {name:<40} {rows:>12,} {'row' if rows == 1 else 'rows'}{note}\n")
        if len(current) > SHOW_TABLES:
            out.write(f"  … and {len(current) - SHOW_TABLES} more tables\n")
        count = f"{len(current)} table{'' if len(current) == 1 else 's'}"
        happens, verb = (f"overwritten with pg_restore --clean: its {count} "
                         f"{'is' if len(current) == 1 else 'are'} dropped and restored from "
                         "the backup", "replaces")
    out.flush()
    env_name = protected_environment(config, target)
    whose = f" (protected environment {env_name})" if env_name else ""
    confirm(f"The {key.describe()}{whose} will be {happens}. Restore {source.name} into it?",
            yes=args.yes,
            refusal=f"restore {verb} the {key.describe()}{whose} and there is no terminal to "
                    "confirm at; nothing was changed (pass --yes to replace it)")
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
