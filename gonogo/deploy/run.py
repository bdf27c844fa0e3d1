"""Entry points the commands call: deploy, and rollback to a release (resume: deploy/resume.py)."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Coroutine, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import IO, Any

from gonogo import faults
from gonogo.config.model import Config
from gonogo.confirm import confirm
from gonogo.core.errors import (
    EXIT_GO,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_PENDING,
    EXIT_ROLLBACK_FAILED,
    EXIT_ROLLED_BACK,
    GonogoError,
    StateError,
    UsageError,
)
from gonogo.core.outcomes import Outcome, Verdict
from gonogo.deploy.session import DeploySession
from gonogo.drivers.base import Deployed
from gonogo.gate import check_context, signoff_policy, store_for
from gonogo.journal.policy import META_KEY
from gonogo.journal.releases import ReleaseStore, env_key
from gonogo.journal.store import Store, new_run_id
from gonogo.reports.console_report import print_summary


def confirm_protected(config: Config, version: str, yes: bool, verb: str = "Deploy") -> None:
    """A protected environment needs ``--yes`` (or a "y" typed at a terminal)."""
    env = config.environment
    if not env.protected:
        return
    confirm(f"{verb} {version} to protected environment {env.name}?", yes=yes,
            refusal=f"environment {env.name} is protected: pass --yes to {verb.lower()} "
                    f"{version}")


def live_versions(releases: ReleaseStore, environment: str | None) -> dict[str, Deployed]:
    return {
        s.service: Deployed(s.version, s.image)
        # whatever its state: the journal's best word on what runs (the shell driver
        # without `current:` cannot ask the engine, and records `unknown`)
        for s in releases.live(environment)
        if s.version
    }


def run_deploy(
    config: Config,
    version: str,
    *,
    dry_run: bool = False,
    yes: bool = False,
    stream: IO[str] | None = None,
    command: str = "deploy",
    live: bool | None = None,
    warnings: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> int:
    """Deploy ``version`` (or, with ``command="rollback"``, roll back to it); ``warnings``
    the user confirmed (a "y" or ``--yes``) and ``notes`` (what a rollback's guard could not
    check) are journaled as warned items after the plan."""
    out = stream or sys.stdout
    if not config.model.services and not any(p.kind == "deploy" and p.checks for p in config.phases):
        empty = [p.id for p in config.phases if p.kind == "deploy"]
        raise UsageError("nothing to deploy: the config has no `services:` and " + (
            f"its deploy phases ({', '.join(empty)}) have no checks" if empty else "no deploy phases"))
    if command == "deploy" and not config.model.services and not any(
            p.kind == "preflight" and p.checks for p in config.phases):
        # with services, the drivers' probes gate the deploy; without, nothing would
        raise UsageError("nothing gates this deploy: no preflight phase has checks and no "
                         "`services:` to probe (add a preflight check)")
    if not dry_run:
        confirm_protected(config, version, yes,
                          "Deploy" if command == "deploy" else "Roll back to")
    store = store_for(config)
    try:
        releases = ReleaseStore(store.engine)
        run_id = new_run_id(datetime.now(UTC))
        if dry_run:
            held = releases.lock(config.environment.name)
            if held is not None:
                out.write(f"note: the deploy lock of {held.environment} is "
                          f"{held.describe()}\n")
            return _session_run(config, store, releases, run_id, version, out, command, live,
                                dry_run=True, warnings=warnings, notes=notes)
        with releases.holding(config.environment.name, run_id, version, command):
            return _session_run(config, store, releases, run_id, version, out, command, live,
                                warnings=warnings, notes=notes)
    finally:
        store.close()


def _session_run(config: Config, store: Store, releases: ReleaseStore, run_id: str,
                 version: str, out: IO[str], command: str, live: bool | None,
                 dry_run: bool = False, warnings: Sequence[str] = (),
                 notes: Sequence[str] = ()) -> int:
    meta: dict[str, object] = {
        "name": config.name,
        "contacts": [c.model_dump() for c in config.model.contacts],
        "source": str(config.path),
        "dry_run": dry_run,
        META_KEY: signoff_policy(config).to_meta(),  # four-eyes, approvals, deadline
    }
    journal = store.create_run("deploy" if command == "deploy" else command,
                               config_path=str(config.path), environment=config.environment.name,
                               version=version, meta=meta, run_id=run_id)
    ctx = check_context(config, journal)
    ctx.env = {**ctx.env, "GONOGO_VERSION": version}
    session = DeploySession(config, store, journal, releases, ctx, out, version,
                            command=command, live=live)
    session.warnings = list(warnings)
    session.notes = list(notes)
    known = live_versions(releases, config.environment.name)

    async def main() -> int:
        if command == "rollback":
            return await rollback_main(session, known)
        if not dry_run:
            session.save_state("gate")  # from here on, `gonogo resume` can pick the run up
        faults.point("deploy.gate")
        code = await session.gate(known)
        if dry_run:
            session.closing.append("Dry run: nothing was changed." if code is None else
                                   "Dry run: the gate is not GO; a deploy would stop here.")
            return code if code is not None else EXIT_GO
        if code is not None:
            session.closing.append("The gate is not GO: nothing was changed.")
            return code
        faults.point("deploy.after_gate")
        return await session.rollout()

    return finish(session, main())


async def rollback_main(session: DeploySession, known: dict[str, Deployed]) -> int:
    """`gonogo rollback`: rollback phases, then the services to the target version, verified.
    A failure here has nothing safer to return to: exit 6 with the contacts."""
    session.save_state("rollback-plan")
    code = await session.gate_plan_only(known)
    if code is not None:
        session.closing.append("Cannot roll back: nothing was changed.")
        return code
    faults.point("rollback.planned")
    for i, warning in enumerate(session.warnings, 1):
        session.record(f"rollback.warning.{i}", "Rollback target confirmed despite a warning",
                       "plan", "preflight", "rollback.target", Outcome.WARNED, warning, 0.0)
    for i, note in enumerate(session.notes, 1):
        session.record(f"rollback.unchecked.{i}", "The database is not ahead of the rollback target",
                       "plan", "preflight", "rollback.migrations", Outcome.WARNED, note, 0.0)
    if await session.run_phases({"rollback"}) == Verdict.NO_GO:
        return await session.rolled_back("a rollback step failed", ok=False)
    assert session.plan is not None
    session.releases.start_release(
        session.journal.run_id, session.config.environment.name, session.version, "rollback",
        {s.name: {"from": s.previous.to_json() if s.previous else None, "to": s.target}
         for s in session.plan.steps})
    faults.point("rollback.released")
    return await session.change(lambda: session.deploy_steps(skip=("deploy",)),
                                on_fault=lambda reason: session.rolled_back(reason, ok=False))


def finish(session: DeploySession, main: Coroutine[Any, Any, int]) -> int:
    """Run a deploy, rollback or resume to its end and journal how it ended — whatever
    happens: the run never stays "running" (short of SIGKILL, which `resume` is for)."""
    journal, store = session.journal, session.store
    try:
        code = asyncio.run(_under_signals(session, main))
    except (KeyboardInterrupt, asyncio.CancelledError):
        # only reachable before the first change: after it, the session rolls back instead
        session.listener.close()
        _abandon(session, "interrupted")
        journal.interrupted()
        by = f" by {session.signal}" if session.signal else ""
        what = ("before this run changed anything" if not session.changed else
                "with changes not rolled back")
        session.say(f"\ninterrupted{by} {what}: `gonogo resume {journal.run_id}` continues it "
                    f"(`--rollback` undoes it)")
        return EXIT_INTERRUPTED
    except BaseException as exc:
        session.listener.close()
        _abandon(session, "an error stopped the deploy")
        # an expected problem (a config error found late) keeps its exit code; anything
        # else is exit 3, and the error handler writes the crash log
        code = exc.exit_code if isinstance(exc, GonogoError) else EXIT_INTERNAL
        journal.finish(None, code, status="errored")
        raise
    verdict = {EXIT_GO: Verdict.GO, EXIT_PENDING: Verdict.PENDING}.get(code, Verdict.NO_GO)
    journal.finish(verdict, code)
    record = store.load_run(journal.run_id)
    if code in (EXIT_ROLLED_BACK, EXIT_ROLLBACK_FAILED):
        record = replace(record, meta={**record.meta, "contacts": []})  # shown in the closing
    print_summary(record, session.stream)
    for line in session.closing:
        session.say(line)
    return code


#: Signals that stop a deploy the way a failure does: after a change, by rolling back.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


async def _under_signals(session: DeploySession, main: Coroutine[Any, Any, int]) -> int:
    """Run ``main`` with SIGTERM, SIGHUP and SIGINT turned into a cancellation of it, so a
    stopped deploy takes the same path as a failed one (``DeploySession.change``). While a
    rollback runs, signals are noted and ignored: half a rollback is the worst state."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(main)

    def stop(sig: signal.Signals) -> None:
        name = "SIGINT (Ctrl-C)" if sig == signal.SIGINT else sig.name
        if session.rolling_back:
            session.say(f"\n  {name} received while rolling back: finishing the rollback "
                        "first (SIGKILL stops it; `gonogo resume RUN` then completes it)")
            return
        if session.signal is None:
            session.signal = name
            task.cancel(f"interrupted by {name}")
            # (should Python 3.11's wait_for drop this cancellation in a race, the session's
            # next checkpoint raises it: DeploySession.checkpoint)

    # A child being spawned when the cancellation lands is reaped by asyncio's transport
    # before its watcher thread gets to it; the watcher's warning about that is noise.
    logging.getLogger("asyncio").addFilter(_quiet_reaped)
    installed = []
    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, stop, sig)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
            pass
    try:
        return await task
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def _quiet_reaped(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("Unknown child process pid")


def _abandon(session: DeploySession, why: str) -> None:
    """A release row this run started but never finished is marked failed, not left
    ``deploying`` forever (only when nothing had changed: else `resume` decides)."""
    if session.changed or session.plan is None:
        return
    try:
        for release in session.releases.history(session.config.environment.name, limit=5):
            if release.run_id == session.journal.run_id and release.status == "deploying":
                session.releases.update_release(release.run_id, status="failed", finished=True,
                                                note=f"{why}; nothing changed")
    except Exception:  # the store itself may be what failed; the run's status says enough
        pass


def rollback_target(releases: ReleaseStore, environment: str | None,
                    to: str | None) -> tuple[str, str]:
    """The version to return to, and a sentence saying why that one."""
    history = releases.history(environment, limit=500)
    current = next((r for r in history if r.status == "live"), None)
    if to is not None:
        known = next((r for r in history if r.version == to), None)
        if known is None:
            return to, f"{to} (requested; gonogo has no record of deploying it here)"
        state = "passed verification" if known.verified else "did NOT pass verification"
        return to, (f"{to} (requested; deployed {known.started_at:%Y-%m-%d %H:%M} UTC by "
                    f"{known.user}, run {known.run_id}, {state})")
    for release in history:
        if not release.verified:
            continue
        if current is not None and release.version == current.version:
            continue
        return release.version, (
            f"{release.version}, the last release that passed verification (deployed "
            f"{release.started_at:%Y-%m-%d %H:%M} UTC by {release.user}, run {release.run_id})")
    live = f" (live: {current.version})" if current else ""
    raise StateError(f"no earlier verified release of {env_key(environment)} to roll back "
                     f"to{live}; pass --to VERSION")
