"""One gate run from a loaded config to a recorded verdict — shared by `check`, `demo`
and later `deploy`/`backup`: plan, journal, context, runner, reports."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from gonogo import private
from gonogo.checks.base import CheckContext
from gonogo.config.environments import other_environment as resolve_other
from gonogo.config.environments import service_images
from gonogo.config.model import PHASE_KINDS, Config
from gonogo.core.errors import UsageError
from gonogo.core.outcomes import Verdict, decide, exit_code
from gonogo.engine.runner import Plan, Runner, make_plan
from gonogo.envfiles import EnvValue
from gonogo.journal import policy
from gonogo.journal.lite import LiteStore, open_run_store
from gonogo.journal.records import RunRecord
from gonogo.journal.run_journal import RunJournal
from gonogo.notify import Notifier
from gonogo.reports import ReportSpec, write_report
from gonogo.reports.console_report import ConsoleListener, print_summary
from gonogo.targets.docker import docker_env

if TYPE_CHECKING:
    from gonogo.journal.store import Store


@dataclass
class GateOptions:
    kinds: Iterable[str]
    phases: Sequence[str] = ()
    only: Sequence[str] = ()
    tags: Sequence[str] = ()
    skip_tags: Sequence[str] = ()
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
    from gonogo.journal.store import open_store

    return open_store(config.state_location, runs_root=config.root / ".gonogo")


def gate_store_for(config: Config) -> Store | LiteStore:
    """A gate run's store: on a SQLite state folder, one that needs no SQLAlchemy
    (``gonogo.journal.lite``)."""
    return open_run_store(config.state_location, runs_root=config.root / ".gonogo")


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
    known_tags = sorted({t for c in known_checks.values() for t in c.tags})
    for flag, names in (("--tag", options.tags), ("--skip-tag", options.skip_tags)):
        for tag in names:  # a typo must not quietly select nothing, or skip nothing
            if tag not in known_tags:
                raise UsageError(f"{flag} {tag!r}: no check has this tag "
                                 f"(tags: {', '.join(known_tags) or 'none'})")
    plan = make_plan(config.phases, kinds, phase_ids=options.phases, only=options.only,
                     tags=options.tags, skip_tags=options.skip_tags, command=options.command)
    if not plan.checks:
        if plan.deselected:  # the tags left nothing: fail closed, never an empty GO
            raise UsageError(f"no checks to run: {_tag_flags(options)} selects none of the "
                             f"{len(plan.deselected)} checks `gonogo {options.command}` runs")
        raise UsageError("no checks to run: " + _why_empty(config, options, kinds, runs))
    return plan


def _tag_flags(options: GateOptions) -> str:
    return " ".join([*(f"--tag {t}" for t in options.tags),
                     *(f"--skip-tag {t}" for t in options.skip_tags)])


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
    store = gate_store_for(config)
    try:
        meta: dict[str, object] = {
            "name": config.name,
            "contacts": [c.model_dump() for c in config.model.contacts],
            "source": str(config.path),
            **({"not_selected": plan.deselected} if plan.deselected else {}),
            **options.extra_meta,
        }
        meta[policy.META_KEY] = signoff_policy(config).to_meta()
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
        if plan.deselected:  # said before the run, so nobody reads GO as "all checks ran"
            stream.write(f"not selected ({_tag_flags(options)}): "
                         f"{', '.join(plan.deselected)}\n")
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
        if verdict == Verdict.PENDING:
            _notify_pending(config, store, record, stream)
        paths = []
        for spec in options.reports:
            path = write_report(record, spec)
            if path is not None:
                paths.append(path)
                stream.write(f"{spec.format} report: {path}\n")
        return GateOutcome(record, code, paths)
    finally:
        store.close()


def signoff_policy(config: Config) -> policy.Policy:
    """The sign-off rules this run keeps (see ``journal/policy.py``): the environment's
    ``approvals``/``signoff_within`` over the top level's; a manual check's own ``approvals``."""
    model = config.model
    env = model.environments.get(config.environment.name or "")
    approvals = env.approvals if env and env.approvals else model.approvals
    within = env.signoff_within if env and env.signoff_within else model.signoff_within
    items = {spec.id: wanted for spec in config.checks.values()
             if isinstance(wanted := getattr(spec.params, "approvals", None), int)}
    return policy.make(allow_self_approval=model.allow_self_approval, approvals=approvals,
                       items=items, within_s=within)


def _notify_pending(config: Config, store: Store | LiteStore, record: RunRecord,
                   stream: IO[str]) -> None:
    """A run waiting for people says so where they are, with a link to its sign-off page."""
    if not config.model.notify:
        return
    from gonogo.journal import identity  # SQLAlchemy: only when there is someone to tell

    base = config.model.public_url or identity.public_url(store.engine)
    waiting = [r.id for r in record.results if r.outcome.value == "pending"]
    body = f"run {record.id} awaits sign-off of {', '.join(waiting)}"
    if base:
        body += f": {base.rstrip('/')}/runs/{record.id}"
    else:
        body += f" (gonogo signoff {record.id} ITEM --by NAME)"
    delivery = Notifier([str(u) for u in config.model.notify],
                        config.environment.redactor).send_sync(
        "start", f"{config.name}: PENDING sign-off", body)
    if delivery.problem:
        stream.write(f"notification not sent: {delivery.problem}\n")


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
