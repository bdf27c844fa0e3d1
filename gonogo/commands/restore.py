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
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from gonogo.checks.base import CheckContext
from gonogo.checks.postgres_common import (
    database_name,
    display_url,
    manifest_path,
    with_database,
)
from gonogo.checks.postgres_restore import (
    default_jobs,
)
from gonogo.checks.postgres_restore_file import VerifyFile
from gonogo.checks.postgres_restore_into import (
    SHOW_TABLES,
    RestoreInto,
    drop_leftovers,
    inspect_target,
)
from gonogo.checks.postgres_restore_unverified import Unverified
from gonogo.checks.postgres_swap import (
    SCRATCH,
    before_name,
    connected,
    in_use_message,
    marked_databases,
    scratch_name,
)
from gonogo.commands._restore_target import database_key, protected_environment
from gonogo.config.model import CheckSpec, Config, Phase
from gonogo.confirm import confirm
from gonogo.core.errors import (
    EXIT_NOGO,
    CheckError,
    ConfigError,
    UsageError,
)
from gonogo.core.outcomes import Outcome, decide, exit_code
from gonogo.engine.runner import Plan, Runner
from gonogo.error_handler import use_redactor
from gonogo.journal.store import Store, new_run_id
from gonogo.redact import Redactor
from gonogo.reports.console_report import ConsoleListener, print_summary


def _load(args: argparse.Namespace) -> Config | None:
    from gonogo.sources import load_config

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
        dropped = drop_leftovers(server, name)
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
            journal.interrupted()
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
