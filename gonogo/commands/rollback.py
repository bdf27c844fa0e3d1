"""`gonogo rollback --env E [--to V] [--yes]`: return to a previous release — by default the
last one that passed verification, named before anything changes.

Careful before it touches anything: every image of the target must exist (in the Docker
engine or its registry), else NO-GO (exit 1) naming each missing image. A target that never
passed verification here (``--to`` an unverified or unknown version) is a warning that must
be confirmed — "y" at a terminal or ``--yes`` — in any environment; so is any rollback of a
protected environment, which redeploys production. Without a terminal nothing changes
(exit 2)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field

from gonogo.commands.deploy import check_version
from gonogo.config.model import Config
from gonogo.confirm import confirm
from gonogo.core.errors import EXIT_NOGO, LockHeld
from gonogo.error_handler import use_redactor
from gonogo.sources import load_config


@dataclass
class DatabaseGuard:
    """What the database guard decided before a rollback."""

    #: Stop with this exit code: nothing was rolled back.
    stop: int | None = None
    #: Risks the person already accepted ("y" or ``--yes``): journaled as warnings.
    confirmed: list[str] = field(default_factory=list)
    #: What could not be compared: printed, and journaled as warnings.
    notes: list[str] = field(default_factory=list)


def guard_database(args: argparse.Namespace, config: Config, version: str) -> DatabaseGuard:
    """The database may be ahead of ``version``. Say which migrations it does not know;
    restore the backup taken before them (``--restore-backup``), or go on image-only once
    confirmed (a "y", or ``--yes``)."""
    from gonogo.deploy.migrations_guard import ahead_lines, before_rollback

    ahead, notes = asyncio.run(before_rollback(config, version))
    for note in notes:
        print(f"warning: {note}")
    if not ahead:
        return DatabaseGuard(notes=notes)
    for line in ahead_lines(ahead, version):
        print(line)
    sys.stdout.flush()
    if not args.restore_backup:
        confirm(f"Roll back to {version} image-only, leaving the database ahead of it?",
                yes=args.yes, refusal=f"the database is ahead of {version}: pass --yes to roll "
                                      "back the images anyway, or --restore-backup")
        return DatabaseGuard(confirmed=[f"the database is ahead of {version} ({a.check_id}): "
                                        + ", ".join(a.names) for a in ahead], notes=notes)
    without = [a.check_id for a in ahead if a.backup is None]
    if without:
        print(f"NO-GO: --restore-backup: no verified backup taken before the migrations of "
              f"{', '.join(without)}. Nothing was changed.")
        return DatabaseGuard(stop=EXIT_NOGO)
    from gonogo.commands import restore
    from gonogo.gate import store_for
    from gonogo.journal.releases import ReleaseStore, lock_message

    store = store_for(config)
    try:  # the restore runs before the rollback takes the lock: not while a deploy runs
        held = ReleaseStore(store.engine).lock(config.environment.name)
    finally:
        store.close()
    if held is not None:
        raise LockHeld(lock_message(held))
    for item in ahead:
        assert item.backup is not None
        print(f"Restoring {item.backup} (taken before {item.names[0]}) before rolling back.")
        sys.stdout.flush()
        code = restore.main(argparse.Namespace(
            config=args.config, env=args.env, source=str(item.backup),
            target=item.database_url, yes=args.yes, drop_old=False, force_disconnect=False,
            no_manifest=False, cleanup=False))
        if code != 0:
            print(f"NO-GO: the restore of {item.backup} did not succeed (exit {code}); the "
                  "services were not rolled back.")
            return DatabaseGuard(stop=code)
    return DatabaseGuard(notes=notes)


def main(args: argparse.Namespace) -> int:
    from gonogo.deploy.images import missing_images, missing_message
    from gonogo.deploy.plan import config_images
    from gonogo.deploy.run import rollback_target, run_deploy
    from gonogo.gate import store_for, subprocess_env
    from gonogo.journal.releases import ReleaseStore, env_key

    to = check_version(args.to, "--to") if args.to else None
    probe = load_config(args.config, env=args.env, strict=False)
    use_redactor(probe.environment.redactor)
    store = store_for(probe)
    try:
        releases = ReleaseStore(store.engine)
        version, why = rollback_target(releases, probe.environment.name, to)
        live = next((r.version for r in releases.history(probe.environment.name, limit=500)
                     if r.status == "live"), None)
        verified = releases.find_version(probe.environment.name, version) is not None
        known = any(r.version == version
                    for r in releases.history(probe.environment.name, limit=500))
    finally:
        store.close()
    where = env_key(probe.environment.name)
    print(f"Rolling back {where} to {why}.")
    sys.stdout.flush()
    config = load_config(args.config, env=args.env, extra_vars={"version": version})
    use_redactor(config.environment.redactor)
    env = config.environment
    missing = asyncio.run(missing_images(config_images(config, version),
                                         subprocess_env(config, "")))
    if missing:
        print(f"NO-GO: cannot roll back {where} to {version}: {missing_message(missing)}. "
              "Nothing was changed.")
        return EXIT_NOGO
    guard = guard_database(args, config, version)
    if guard.stop is not None:
        return guard.stop
    warnings = list(guard.confirmed)  # asked about once, by the guard: not again below
    unverified = None if verified else (
        f"{version} never passed verification in {where}"
        + ("" if known else " (gonogo has no record of deploying it here)"))
    now = f"from {live} " if live else ""
    if unverified or env.protected:
        what = f"protected environment {env.name}" if env.protected else where
        first = f"Warning: {unverified}.\n" if unverified else ""
        reasons = [f"environment {env.name} is protected"] if env.protected else []
        reasons += [f"{version} never passed verification in {where}"] if unverified else []
        confirm(f"{first}Roll back {what} {now}to {version}? Its services are redeployed at "
                f"{version}.", yes=args.yes,
                refusal=f"{' and '.join(reasons)}: pass --yes to roll back to {version}")
    if unverified:
        warnings.append(unverified)
    for warning in warnings:
        print(f"warning: {warning}; rolling back to it as confirmed.")
    return run_deploy(config, version, yes=True, command="rollback", warnings=warnings,
                      notes=guard.notes)
