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
from gonogo.config.environments import other_environment as resolve_other
from gonogo.config.environments import service_images
from gonogo.config.model import PHASE_KINDS, Config
from gonogo.core.errors import UsageError
from gonogo.core.outcomes import Verdict, decide, exit_code
from gonogo.engine.runner import Plan, Runner, make_plan
from gonogo.envfiles import EnvValue
from gonogo.journal.schema import RunRecord
from gonogo.journal.store import RunJournal, Store, open_store
from gonogo.reports import ReportSpec, write_report
from gonogo.reports.console_report import ConsoleListener, print_summary
from gonogo.targets.docker import docker_env


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
    #: `check` and `demo`: checks whose type changes state are skipped, never run.
    read_only: bool = False


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
    # the environment's engine (`docker_host`) and registry login, for every docker call
    env.update(docker_env(config.environment.docker_host, config.environment.registry_login))
    if config.environment.registry_problem:
        env["GONOGO_REGISTRY_PROBLEM"] = config.environment.registry_problem
    if config.environment.name:
        env["GONOGO_ENV"] = config.environment.name
    if config.model.services:  # image checks without `image:` check every service's image
        env["GONOGO_SERVICE_IMAGES"] = " ".join(service_images(config))
    return env


def plan_for(config: Config, options: GateOptions) -> Plan:
    """What this command runs; a selection naming what does not exist or is not run here,
    or a plan with no checks at all, is a usage error: nothing passes by absence."""
    kinds = set(options.kinds)
    runs = f"`gonogo {options.command}` runs only {_kinds_text(kinds)} phases"
    phase_by_id = {p.id: p for p in config.phases}
    for pid in options.phases:
        phase = phase_by_id.get(pid)
        if phase is None:
            raise UsageError(f"--phase {pid!r}: no such phase (phases: {', '.join(phase_by_id) or 'none'})")
        if phase.kind not in kinds:
            raise UsageError(f"--phase {pid!r}: a {phase.kind} phase; {runs}")
    known_checks = config.checks
    for cid in options.only:
        spec = known_checks.get(cid)
        if spec is None:
            raise UsageError(f"--only {cid!r}: no such check (see `gonogo explain` or `gonogo validate`)")
        if spec.kind not in kinds:
            raise UsageError(f"--only {cid!r}: in {spec.kind} phase {spec.phase!r}; {runs}")
    outside = [known_checks[cid] for cid in options.only
               if options.phases and known_checks[cid].phase not in options.phases]
    if outside:  # the two filters intersect: a named check they exclude would silently not run
        flags = "--phase " + " --phase ".join(options.phases)
        where = ", ".join(f"{s.id!r} is in phase {s.phase!r}" for s in outside)
        if len(outside) == len(set(options.only)):
            raise UsageError(f"{flags} and --only {' --only '.join(options.only)} select nothing "
                             f"together ({where})")
        raise UsageError(f"--only {outside[0].id!r} is not in {flags} ({where})")
    plan = make_plan(config.phases, kinds, phase_ids=options.phases, only=options.only,
                     command=options.command)
    if not plan.checks:
        raise UsageError("no checks to run: " + _why_empty(config, options, kinds, runs))
    return plan


def _kinds_text(kinds: Iterable[str]) -> str:
    ordered = [k for k in PHASE_KINDS if k in set(kinds)]
    return ", ".join(ordered[:-1]) + " and " + ordered[-1] if len(ordered) > 1 else "".join(ordered)


def _why_empty(config: Config, options: GateOptions, kinds: set[str], runs: str) -> str:
    """The reason a plan came out empty, for the one-line error."""
    if options.phases:
        named = [p for p in config.phases if p.id in options.phases]
        return f"--phase {' --phase '.join(p.id for p in named)} " + (
            "has no checks" if len(named) == 1 else "have no checks")
    if not config.phases:
        return f"{config.path} has no phases"
    mine = [p for p in config.phases if p.kind in kinds]
    if not mine:
        return f"{config.path} has no {_kinds_text(kinds).replace(' and ', ' or ')} phase ({runs})"
    names = ", ".join(repr(p.id) for p in mine)
    return f"phase {names} has no checks" if len(mine) == 1 else f"phases {names} have no checks"


def run_gate(config: Config, options: GateOptions) -> GateOutcome:
    plan = plan_for(config, options)
    if options.read_only:
        _something_to_check(plan)
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
            check_context(config, journal),
            journal,
            [listener],
            jobs=options.jobs or config.defaults.jobs,
            retries=config.defaults.retries,
            read_only=options.read_only,
        )
        try:
            results = asyncio.run(runner.run(plan))
        except KeyboardInterrupt:
            # the runner has recorded every check that was running (errored, "interrupted")
            listener.close()
            journal.interrupted("stopped by Ctrl-C (SIGINT)")
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


def _something_to_check(plan: Plan) -> None:
    """A read-only run whose every check changes state would verify nothing, and an
    all-skipped run must not read as GO."""
    checks = plan.checks
    if checks and all(c.params.changes_state for c in checks):
        names = ", ".join(f"{c.id} ({c.type})" for c in checks[:3]) + (" …" if len(checks) > 3 else "")
        raise UsageError(f"nothing to check: every selected check changes state and runs only under "
                         f"`gonogo deploy`: {names}")


def check_context(config: Config, journal: RunJournal) -> CheckContext:
    """What checks of this run may use: the config root, the environment and its secrets' redactor,
    the run's id and folder. `check`, `deploy` and `restore` build it here, alike."""
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
    other = resolve_other(config, name)
    config.environment.redactor.merge(other.redactor)
    return other.values


def _keep_source(checklist: Path, target: Path) -> None:
    try:
        private.write_bytes(target, checklist.read_bytes())
    except OSError:  # the checklist report then reads the checklist itself
        pass
