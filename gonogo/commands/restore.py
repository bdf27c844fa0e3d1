"""`gonogo restore --from FILE --to URL [--yes]`: replace a database with a verified backup,
atomically.

What will be replaced is shown (the target database, its tables and row counts), and the
restore goes ahead only once confirmed: "y" typed at a terminal, or ``--yes`` (without a
terminal, nothing changes). A target that is a protected environment's database, however
its URL is spelled, is named as such. The restore is recorded as a run: the file's
verification against its manifest, then ``pg_restore`` into a NEW scratch database
(``<name>_restore_<run>``), the same comparison as ``postgres.restore_verify`` (tables, row
counts, checksums), and only then the swap: two renames in one transaction, the old
database kept as ``<name>_before_<run>`` until the next successful restore (or dropped with
``--drop-old``). Whatever fails before the swap — pg_restore, the comparison, the rename, a
lost connection, Ctrl-C, SIGTERM — the target is untouched and the scratch database dropped.

Sessions connected to the target make the rename impossible. They are not terminated
silently: the restore refuses up front, naming them (pid, application, user), unless
``--force-disconnect`` is given. Terminating other people's sessions is opt-in, as with
PostgreSQL's own ``dropdb --force``: a restore should not cut off a migration or a report
halfway because someone forgot it was running.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pydantic import PrivateAttr

from gonogo import faults
from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.postgres_common import (
    conninfo_parts,
    count_rows,
    database_name,
    display_url,
    list_tables,
    manifest_path,
    read_manifest,
    sql_error,
    with_database,
)
from gonogo.checks.postgres_restore import (
    compare,
    default_jobs,
    drop_database,
    pg_restore_into,
    verify_dump_file,
)
from gonogo.checks.postgres_swap import (
    BEFORE,
    SCRATCH,
    before_name,
    connected,
    create_scratch,
    in_use_message,
    marked_databases,
    scratch_name,
    swap_in,
)
from gonogo.config.model import CheckSpec, Config, Phase
from gonogo.confirm import confirm
from gonogo.engine.outcomes import Outcome, decide, exit_code
from gonogo.engine.runner import Plan, Runner
from gonogo.error_handler import use_redactor
from gonogo.errors import (
    EXIT_INTERRUPTED,
    EXIT_NOGO,
    CheckError,
    CheckFailed,
    CheckProblem,
    CheckWarning,
    ConfigError,
    UsageError,
)
from gonogo.journal.store import Store, new_run_id
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


class Unverified(Check):
    """``--no-manifest``: the dump has nothing to be checked against; recorded as a warning,
    never as a pass."""

    type_name = "postgres.restore.unverified"
    path: str

    async def run(self, ctx: CheckContext) -> Evidence:
        raise CheckWarning(
            f"{Path(self.path).name} has no manifest: restored WITHOUT verification "
            "(--no-manifest --yes): its tables, row counts and checksums were not compared "
            "with what was backed up", {"path": self.path, "manifest": None})


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
        left = _drop_leftovers(server, name)
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
        what = (f"restored {_n(len(report.tables), 'table')}, {data['rows']:,} rows into {name}"
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
            what += f"; terminated {_n(swapped.terminated, 'session')} (--force-disconnect)"
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


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _drop_leftovers(server: str, target: str) -> list[str]:
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
    out = sys.stdout  # pipe-safe for the whole process (gonogo.console): a closed reader never aborts the restore
    target: str = args.target
    config = _load(args)
    redactor = config.environment.redactor if config else Redactor()
    redactor.add_env({"RESTORE_TARGET": target})
    use_redactor(redactor)
    if not target.startswith(("postgres://", "postgresql://")) and "=" not in target:
        raise UsageError(f"--to {display_url(target)!r}: expected a postgresql:// URL")
    if args.cleanup:
        if args.source is not None:
            raise UsageError("--cleanup takes no --from: it only drops what killed restores left")
        return _cleanup(target, out)
    if args.source is None:
        raise UsageError("--from FILE is required (the dump to restore)")
    try:
        source = Path(args.source).resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of symbolic links (Python 3.11)
        raise UsageError(f"--from {args.source}: {getattr(exc, 'strerror', None) or exc}") from None
    if not source.is_file():
        raise UsageError(f"--from {args.source}: no such file")
    has_manifest = manifest_path(source).is_file()
    if args.no_manifest:
        if has_manifest:
            raise UsageError(f"--no-manifest: {source.name} has a manifest "
                             f"({manifest_path(source).name}); it is always verified against it")
        if not args.yes:
            raise UsageError(f"--no-manifest restores {source.name} without verifying it; it "
                             "needs --yes as well (nothing was changed)")
    elif not has_manifest:
        raise UsageError(f"no manifest beside {source.name} (expected "
                         f"{manifest_path(source).name}): the dump cannot be verified; pass "
                         "--no-manifest --yes to restore it unverified")
    manifest: dict[str, Any] = {}
    if has_manifest:
        try:
            manifest = json.loads(manifest_path(source).read_text(encoding="utf-8"))
        except ValueError:
            manifest = {}
    tables = manifest.get("tables") or {}
    if has_manifest:
        out.write(f"backup  {source.name}: {manifest.get('created_at', 'unknown time')}, "
                  f"{len(tables)} tables, {sum(int(v) for v in tables.values()):,} rows "
                  f"(from {manifest.get('source', 'unknown source')})\n")
    else:
        out.write(f"backup  {source.name}: no manifest (unverified)\n")
    try:
        key = database_key(target)
    except UsageError as exc:
        raise UsageError(f"--to: {exc}") from None
    run_id = new_run_id(datetime.now(UTC))
    name = database_name(target)
    scratch, before = scratch_name(name, run_id), before_name(name, run_id)
    current = asyncio.run(inspect_target(target))
    where = display_url(target)
    kept = ("dropped once the restore is in place (--drop-old)" if args.drop_old
            else f"kept as {before} until the next successful restore")
    if current is None:
        out.write(f"target  {where}: database {name} does not exist; "
                  "it will be created\n")
        happens, verb = "created from the backup", "creates"
    else:
        out.write(f"target  {where}: {len(current)} tables, {sum(current.values()):,} rows "
                  f"will be replaced by the backup's (the current database is {kept})\n")
        for table, rows in list(current.items())[:SHOW_TABLES]:
            note = "" if table in tables or not has_manifest else "  (not in the backup)"
            out.write(f"  {table:<40} {rows:>12,} {'row' if rows == 1 else 'rows'}{note}\n")
        if len(current) > SHOW_TABLES:
            out.write(f"  … and {len(current) - SHOW_TABLES} more tables\n")
        happens, verb = (f"replaced by the backup (restored into {scratch} and "
                         f"{'checked against its manifest' if has_manifest else 'NOT verified'}"
                         f", then swapped in by rename; the current database is {kept})",
                         "replaces")
        found = connected(with_database(target, "postgres"), name)
        if found and not args.force_disconnect:
            raise UsageError(f"{in_use_message(name, found)}; nothing was changed")
    out.flush()
    if args.no_manifest:
        sys.stderr.write(f"gonogo: WARNING: {source.name} has no manifest: it is restored "
                         "WITHOUT verification (tables, row counts and checksums are not "
                         "compared with the source); the run records this warning\n")
    env_name = protected_environment(config, target)
    whose = f" (protected environment {env_name})" if env_name else ""
    confirm(f"The {key.describe()}{whose} will be {happens}. Restore {source.name} into it?",
            yes=args.yes,
            refusal=f"restore {verb} the {key.describe()}{whose} and there is no terminal to "
                    "confirm at; nothing was changed (pass --yes to replace it)")
    params = RestoreInto(path=str(source), target=target, jobs=default_jobs(), scratch=scratch,
                         before=before, verify=has_manifest, drop_old=args.drop_old,
                         force_disconnect=args.force_disconnect)
    return _run(config, source, params, redactor, run_id, out)


def _cleanup(target: str, out: IO[str]) -> int:
    """``--cleanup``: drop the scratch databases of ``target`` that killed restores left."""
    name = database_name(target)
    server = with_database(target, "postgres")
    try:
        marks = marked_databases(server, name, SCRATCH)
        dropped = _drop_leftovers(server, name)
    except CheckError as exc:  # the server cannot be reached: nothing was looked at or dropped
        sys.stderr.write(f"gonogo: restore --cleanup: {exc}; nothing was dropped\n")
        return EXIT_NOGO
    for line in dropped:
        out.write(f"dropped {line}\n")
    running = [m for m in marks if m.alive()]
    for mark in running:
        out.write(f"kept {mark.name}: its restore (pid {mark.pid} on {mark.host}) may still be "
                  "running\n")
    if not marks:
        out.write(f"no scratch databases of {name} to drop\n")
    return 0 if len(dropped) + len(running) == len(marks) else 1


def _run(config: Config | None, source: Path, params: RestoreInto, redactor: Redactor,
         run_id: str, out: IO[str]) -> int:
    import os

    from gonogo.gate import store_for
    from gonogo.journal.store import open_store

    store: Store = store_for(config) if config else open_store(str(Path.cwd() / ".gonogo"))
    name = database_name(params.target)
    try:
        journal = store.create_run(
            "restore",
            config_path=str(config.path) if config else None,
            environment=config.environment.name if config else None,
            meta={"source": str(source), "target": display_url(params.target),
                  "scratch_database": params.scratch, "verified": params.verify},
            run_id=run_id,
        )
        if params.verify:
            file_spec = CheckSpec(id="backup-file", title=f"{source.name} matches its manifest",
                                  type=VerifyFile.type_name, params=VerifyFile(path=str(source)),
                                  phase="restore", kind="backup", timeout=3600.0)
        else:
            file_spec = CheckSpec(id="backup-file", title=f"{source.name} has no manifest",
                                  type=Unverified.type_name, params=Unverified(path=str(source)),
                                  phase="restore", kind="backup", timeout=60.0, advisory=True)
        restore_spec = CheckSpec(
            id="restore", title=f"Restore into {name}", type=RestoreInto.type_name,
            params=params, phase="restore", kind="backup", timeout=24 * 3600.0,
            needs=("backup-file",) if params.verify else ())
        ctx = CheckContext(workdir=config.root if config else Path.cwd(), env=dict(os.environ),
                           redactor=redactor, run_id=journal.run_id, run_dir=journal.run_dir)
        listener = ConsoleListener(out)
        runner = Runner(ctx, journal, [listener])
        plan = Plan([Phase("restore", "Restore", "backup", (file_spec, restore_spec))])
        try:
            results = _run_until_signal(runner, plan)
        except (KeyboardInterrupt, asyncio.CancelledError):
            journal.finish(None, EXIT_INTERRUPTED, status="interrupted")
            sys.stderr.write(f"gonogo: restore interrupted; {params.unchanged_note()}\n")
            raise KeyboardInterrupt from None
        finally:
            listener.close()
        verdict = decide(results)
        code = exit_code(verdict)
        journal.finish(verdict, code)
        print_summary(store.load_run(journal.run_id), out)
        out.flush()
        failed = [r for r in results if r.blocking and r.outcome != Outcome.PASSED]
        if failed:
            first = failed[0]
            note = "" if first.id == "restore" else f"; the target database {name} is unchanged"
            sys.stderr.write(f"gonogo: restore failed: {first.summary}{note}\n")
        return code if code != 4 else EXIT_NOGO
    finally:
        store.close()


def _run_until_signal(runner: Runner, plan: Plan) -> list[Any]:
    """Run the plan; SIGTERM cancels it like Ctrl-C does, so the scratch database is dropped
    (the default SIGTERM would end the process with it left behind)."""
    import signal

    async def main() -> list[Any]:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            return list(await runner.run(plan))
        finally:
            loop.remove_signal_handler(signal.SIGTERM)

    return asyncio.run(main())
