"""Rollback that knows the database: an image-only rollback to a release that predates an
applied migration gives false confidence (the old code meets a schema it never knew).

A deploy records the migrations its folder held (``migrations`` checks' evidence) with the
release; `gonogo rollback` reads what the database has applied now and names every applied
migration the target release does not know. The backup to restore is the verified one the
deploy that first brought such a migration took before migrating (its ``postgres.backup``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonogo.checks.base import CheckContext
from gonogo.config.model import Config
from gonogo.core.errors import CheckProblem
from gonogo.core.outcomes import CheckResult, Outcome
from gonogo.gate import store_for, subprocess_env
from gonogo.journal.release_migrations import MigrationRecords
from gonogo.journal.releases import Release, ReleaseStore
from gonogo.journal.store import Store


@dataclass
class Ahead:
    """The database of one ``migrations`` check is ahead of the target release."""

    check_id: str
    tool: str
    database_url: str
    names: list[str]
    #: The verified backup taken before the first of them (None: none found).
    backup: Path | None = None
    backup_run: str | None = None


def record(store: Store, run_id: str, results: Mapping[str, CheckResult],
           config: Config) -> None:
    """Journal, with the release of ``run_id``, the migrations each check saw in its folder."""
    checks = config.checks
    records: MigrationRecords | None = None
    for result in results.values():
        names = result.evidence.get("names") if result.type == "migrations" else None
        spec = checks.get(result.id)
        if not isinstance(names, list) or spec is None:
            continue
        records = records or MigrationRecords(store.engine)
        params: Any = spec.params
        records.record(run_id, result.id, str(params.tool), str(params.dir or ""),
                       [str(n) for n in names])


async def database_ahead(config: Config, ctx: CheckContext, store: Store,
                         releases: ReleaseStore, target: Release) -> tuple[list[Ahead], list[str]]:
    """(what is ahead, notes): every ``migrations`` check of the config, its database read
    now against what ``target`` recorded. A check the target has no record of, or a
    database that cannot be read, is a note — never a silent pass."""
    records = MigrationRecords(store.engine)
    known = records.for_run(target.run_id)
    ahead: list[Ahead] = []
    notes: list[str] = []
    for spec in config.checks.values():
        if spec.type != "migrations":
            continue
        params: Any = spec.params
        try:
            status = await params.read_status(ctx)
        except CheckProblem as exc:
            notes.append(f"{spec.id}: cannot read the database's migrations: {exc.message}")
            continue
        had = known.get(spec.id)
        if had is None:
            notes.append(f"{spec.id}: gonogo has no record of the migrations "
                         f"{target.version} had (deployed before gonogo recorded them)")
            continue
        # what the database applied: in the folder (applied) or not (missing_locally)
        in_database = status.applied + [n for n in status.missing_locally
                                        if n not in status.applied]
        extra = [n for n in in_database if n not in set(had.names)]
        if extra:
            item = Ahead(spec.id, params.tool, params.database_url, extra)
            item.backup, item.backup_run = _backup_before(
                store, releases, records, config.environment.name, target, spec.id, extra[0])
            ahead.append(item)
    return ahead, notes


def _backup_before(store: Store, releases: ReleaseStore, records: MigrationRecords,
                   environment: str | None, target: Release, check_id: str,
                   first: str) -> tuple[Path | None, str | None]:
    """The dump the first release after ``target`` that knew ``first`` took before it
    migrated: its run's passed ``postgres.backup`` (None when there is none)."""
    later = sorted((r for r in releases.history(environment, limit=500)
                    if r.started_at > target.started_at and r.command == "deploy"),
                   key=lambda r: r.started_at)
    for release in later:
        had = records.for_run(release.run_id).get(check_id)
        if had is None or first not in had.names:
            continue
        try:
            run = store.load_run(release.run_id)
        except Exception:  # a pruned run: no backup to offer
            return None, release.run_id
        for result in run.results:
            path = result.evidence.get("path") if result.type == "postgres.backup" else None
            if result.outcome == Outcome.PASSED and isinstance(path, str) and Path(path).is_file():
                return Path(path), release.run_id
        return None, release.run_id
    return None, None


def ahead_lines(ahead: list[Ahead], version: str) -> list[str]:
    """What the user reads before deciding."""
    lines = []
    for item in ahead:
        shown = ", ".join(item.names[:10]) + (f", … {len(item.names) - 10} more"
                                              if len(item.names) > 10 else "")
        lines.append(f"the database is ahead of {version} ({item.check_id}, {item.tool}): "
                     f"{len(item.names)} applied migration{'s' if len(item.names) != 1 else ''} "
                     f"{version} does not know: {shown}")
        if item.backup is not None:
            lines.append(f"  the verified backup taken before them: {item.backup} (run "
                         f"{item.backup_run}); `--restore-backup` restores it")
        else:
            lines.append("  no verified backup taken before them was found")
    return lines


async def before_rollback(config: Config, version: str) -> tuple[list[Ahead], list[str]]:
    """What `gonogo rollback` checks before it changes anything: is the database ahead of
    the release it returns to? Whatever it cannot compare is a note, never a silent pass."""
    if not any(s.type == "migrations" for s in config.checks.values()):
        return [], [f"the database's migrations were not compared with {version}: the config "
                    "has no `migrations` check (add one so a rollback can tell whether the "
                    f"database is ahead of {version})"]
    store = store_for(config)
    try:
        releases = ReleaseStore(store.engine)
        history = releases.history(config.environment.name, limit=500)
        target = next((r for r in history if r.version == version and r.verified), None) or \
            next((r for r in history if r.version == version), None)
        if target is None:
            return [], [f"gonogo has no record of {version} here: its migrations are unknown"]
        ctx = CheckContext(workdir=config.root, env=subprocess_env(config, ""),
                           redactor=config.environment.redactor,
                           environment=config.environment.name,
                           settings=config.environment.values)
        return await database_ahead(config, ctx, store, releases, target)
    finally:
        store.close()
