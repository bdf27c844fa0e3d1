"""One gate run from a loaded config to a recorded verdict — shared by `check`, `demo`
and later `deploy`/`backup`: plan, journal, context, runner, reports."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from gonogo import private
from gonogo.checks.base import CheckContext
from gonogo.config.model import Config
from gonogo.engine.outcomes import Verdict, decide, exit_code
from gonogo.engine.runner import Plan, Runner, make_plan
from gonogo.envfiles import EnvValue
from gonogo.errors import EXIT_INTERRUPTED, UsageError
from gonogo.journal.store import RunJournal, RunRecord, Store, open_store
from gonogo.reports import ReportSpec, write_report
from gonogo.reports.console_report import ConsoleListener, print_summary


@dataclass
class GateOptions:
    kinds: Iterable[str]
    phases: Sequence[str] = ()
    only: Sequence[str] = ()
    jobs: int | None = None
    reports: Sequence[ReportSpec] = ()
    command: str = "check"
    version: str | None = None
    stream: IO[str] | None = None
    live: bool | None = None
    extra_meta: dict[str, object] = field(default_factory=dict)


@dataclass
class GateOutcome:
    record: RunRecord
    exit_code: int
    report_paths: list[Path]


def store_for(config: Config) -> Store:
    return open_store(config.state_location, runs_root=config.root / ".gonogo")


def subprocess_env(config: Config, run_id: str) -> dict[str, str]:
    """What commands see: the process environment plus the environment's settings."""
    env = {**config.environment.variables(), **os.environ}
    env["GONOGO_RUN_ID"] = run_id
    if config.environment.name:
        env["GONOGO_ENV"] = config.environment.name
    if config.model.services:  # image checks without `image:` check every service's image
        from gonogo.deploy.plan import service_images

        env["GONOGO_SERVICE_IMAGES"] = " ".join(service_images(config))
    return env


def plan_for(config: Config, options: GateOptions) -> Plan:
    known_phases = {p.id for p in config.phases}
    for pid in options.phases:
        if pid not in known_phases:
            raise UsageError(f"--phase {pid!r}: no such phase (phases: {', '.join(known_phases) or 'none'})")
    known_checks = config.checks
    for cid in options.only:
        if cid not in known_checks:
            raise UsageError(f"--only {cid!r}: no such check (see `gonogo explain` or `gonogo validate`)")
    return make_plan(config.phases, options.kinds, phase_ids=options.phases, only=options.only)


def run_gate(config: Config, options: GateOptions) -> GateOutcome:
    plan = plan_for(config, options)
    store = store_for(config)
    try:
        meta: dict[str, object] = {
            "name": config.name,
            "contacts": [c.model_dump() for c in config.model.contacts],
            "source": str(config.path),
            **options.extra_meta,
        }
        checklist = config.root / config.model.checklist if config.model.checklist else None
        if checklist is not None:
            meta["checklist"] = str(checklist)
        journal = store.create_run(
            options.command,
            config_path=str(config.path),
            environment=config.environment.name,
            version=options.version,
            meta=meta,
        )
        if checklist is not None:  # the exact bytes the results tick back into
            _keep_source(checklist, journal.run_dir / "source.md")
        stream = options.stream or sys.stdout
        listener = ConsoleListener(stream, live=options.live, redactor=config.environment.redactor)
        runner = Runner(
            _context(config, journal),
            journal,
            [listener],
            jobs=options.jobs or config.defaults.jobs,
            retries=config.defaults.retries,
        )
        try:
            results = asyncio.run(runner.run(plan))
        except KeyboardInterrupt:
            # the runner has recorded every check that was running (errored, "interrupted")
            listener.close()
            journal.finish(None, EXIT_INTERRUPTED, status="interrupted")
            store.update_meta(journal.run_id, interrupted="stopped by Ctrl-C (SIGINT)")
            stream.write(f"\nrun {journal.run_id} interrupted; what it recorded: "
                         f"gonogo show {journal.run_id}\n")
            raise
        finally:
            listener.close()
        verdict: Verdict = decide(results)
        code = exit_code(verdict)
        journal.finish(verdict, code)
        record = store.load_run(journal.run_id)
        print_summary(record, stream)
        paths = []
        for spec in options.reports:
            path = write_report(record, spec)
            if path is not None:
                paths.append(path)
                stream.write(f"{spec.format} report: {path}\n")
        return GateOutcome(record, code, paths)
    finally:
        store.close()


def _context(config: Config, journal: RunJournal) -> CheckContext:
    return CheckContext(
        workdir=config.root,
        env=subprocess_env(config, journal.run_id),
        redactor=config.environment.redactor,
        run_id=journal.run_id,
        run_dir=journal.run_dir,
        environment=config.environment.name,
        settings=config.environment.values,
        other_environment=lambda name: other_environment(config, name),
    )


def other_environment(config: Config, name: str) -> Mapping[str, EnvValue]:
    """Another declared environment's settings (for drift checks), from its files only:
    the process environment belongs to this run, not to that environment. Its secrets
    join this run's redactor."""
    from gonogo.config.load import other_environment as resolve_other

    other = resolve_other(config, name)
    config.environment.redactor.merge(other.redactor)
    return other.values


def _keep_source(checklist: Path, target: Path) -> None:
    try:
        private.write_bytes(target, checklist.read_bytes())
    except OSError:  # the checklist report then reads the checklist itself
        pass
