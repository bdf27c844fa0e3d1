"""`gonogo resume`: continue an interrupted deploy from its saved state, or roll back what it
changed — refused when a later release has happened since (the world moved on).
"""

from __future__ import annotations

import sys
from typing import IO, Any

from gonogo.config.model import Config
from gonogo.core.errors import (
    EXIT_ROLLED_BACK,
    StateError,
)
from gonogo.core.outcomes import CheckResult, Outcome, Verdict
from gonogo.deploy.run import finish, live_versions, rollback_main
from gonogo.deploy.session import DeploySession
from gonogo.drivers.base import Deployed
from gonogo.gate import check_context, store_for
from gonogo.journal.releases import Release, ReleaseStore, env_key
from gonogo.journal.schema import RunRecord
from gonogo.journal.store import Store


def resume_state(store: Store, run: str) -> tuple[str, dict[str, Any], list[CheckResult]]:
    record = store.load_run(run)
    state = record.meta.get("deploy")
    if record.command not in ("deploy", "rollback") or not isinstance(state, dict):
        raise StateError(f"run {record.id} is a `{record.command}` run; only deploys resume")
    if record.status == "finished":
        raise StateError(f"run {record.id} already finished (exit {record.exit_code}); "
                         "nothing to resume")
    if record.meta.get("dry_run"):
        raise StateError(f"run {record.id} was a dry run; nothing to resume")
    return record.id, state, record.results


def run_resume(config: Config, run_id: str, state: dict[str, Any], results: list[CheckResult],
               *, rollback: bool = False, stream: IO[str] | None = None,
               live: bool | None = None) -> int:
    """Continue an interrupted deploy where its journal stops, or roll back what it changed."""
    out = stream or sys.stdout
    version = str(state["version"])
    store = store_for(config)
    try:
        releases = ReleaseStore(store.engine)
        record = store.load_run(run_id)
        # before the lock (a refusal changes nothing), and again under it (nothing slipped in)
        check_nothing_since(releases, record, state, rollback=rollback)
        with releases.holding(config.environment.name, run_id, version, "resume",
                              takeover_from=run_id):
            from gonogo.journal.store import RunJournal

            check_nothing_since(releases, record, state, rollback=rollback)
            journal = RunJournal(store, run_id, record.run_dir or store.runs_dir / run_id)
            _mark_running(store, run_id)
            ctx = check_context(config, journal)
            ctx.env = {**ctx.env, "GONOGO_VERSION": version}
            session = DeploySession(config, store, journal, releases, ctx, out, version,
                                    command=str(state.get("command") or "deploy"), live=live)
            session.seq = max((r.position for r in results), default=-1) + 1
            session.results = {r.id: r for r in results}
            return finish(session, _resume_main(session, state, rollback))
    finally:
        store.close()


def releases_since(releases: ReleaseStore, record: RunRecord) -> list[Release]:
    """Releases of the run's environment started after the run, newest first — those that
    may have changed what runs. A ``failed`` release changed nothing (it stopped at its
    backup, or before its first change) and does not count."""
    return [r for r in releases.history(record.environment, limit=500)
            if r.run_id != record.id and r.started_at > record.started_at
            and r.status != "failed"]


def check_nothing_since(releases: ReleaseStore, record: RunRecord, state: dict[str, Any],
                        *, rollback: bool) -> None:
    """Resume only while the environment's releases are exactly as the run left them: a
    later deploy or rollback means continuing would overwrite it with an older plan.

    ``--rollback`` stays possible when it returns to what is live: every service the run
    changed goes back to exactly the image (or, without one, the version) the journal
    records live for it now, in state ``live`` — so undoing the run also leaves the later
    release in place. Otherwise it is refused too. Raises StateError (exit 2)."""
    later = releases_since(releases, record)
    if not later:
        return
    newest = later[0]
    env = env_key(record.environment)
    if newest.command == "rollback":
        what = f"run {newest.run_id} rolled {env} back to {newest.version} after it"
    else:
        what = f"run {newest.run_id} deployed {newest.version} to {env} after it"
    when = f"at {newest.started_at:%H:%M}"
    if newest.status not in ("live", "superseded"):
        when += f", {newest.status.replace('_', ' ')}"
    others = f" (and {len(later) - 1} more since)" if len(later) > 1 else ""
    what = f"{what} ({when}){others}"
    if rollback:
        mismatch = _rollback_differs_from_live(releases, record.environment, state)
        if mismatch is None:
            return
        raise StateError(f"run {record.id} cannot be rolled back: {what}, and rolling back "
                         f"would {mismatch}; use `gonogo rollback` or start a new deploy "
                         "instead")
    raise StateError(f"run {record.id} cannot be resumed: {what}; start a new deploy instead")


def _rollback_differs_from_live(releases: ReleaseStore, environment: str | None,
                                state: dict[str, Any]) -> str | None:
    """How rolling back the run's changes would move a service off what is live, or None."""
    live = {s.service: s for s in releases.live(environment)}
    planned = {p["name"]: p for p in state.get("plan") or [] if isinstance(p, dict)}
    for name in state.get("changed") or []:
        previous = Deployed.from_json((planned.get(name) or {}).get("previous"))
        now = live.get(name)
        if previous is None:
            if now is not None:
                return f"remove {name}, which runs {now.image or now.version} now"
            continue
        back_to = previous.label()
        if now is None or now.state != "live":
            state_now = "no live release" if now is None else f"state {now.state}"
            return f"return {name} to {back_to}, while the journal records {state_now} for it"
        same = (previous.image == now.image if previous.image and now.image
                else previous.version == now.version)
        if not same:
            return f"return {name} to {back_to}, not what is live ({now.image or now.version})"
    return None


def _mark_running(store: Store, run_id: str) -> None:
    # this process runs it now: its pid, so `runs` can tell when it is gone
    store.claim_run(run_id)


async def _resume_main(session: DeploySession, state: dict[str, Any], rollback: bool) -> int:
    from gonogo.deploy.plan import ServiceStep, resolve_services
    from gonogo.drivers import driver_for

    stage = str(state.get("stage") or "gate")
    planned = {p["name"]: p for p in state.get("plan") or []}
    specs = resolve_services(session.config, session.version)
    steps = []
    for spec in specs:
        driver = driver_for(spec, session.driver_ctx)
        entry = planned.get(spec.name)
        previous = Deployed.from_json(entry.get("previous")) if entry else await driver.current()
        steps.append(ServiceStep(spec, driver, previous, driver.target(session.version)))
    from gonogo.deploy.plan import DeployPlan

    session.plan = DeployPlan(session.version, session.config.environment.name, steps)
    changed = set(state.get("changed") or [])
    session.changed = [s for s in steps if s.name in changed]
    session.done = {n for n in state.get("done") or []
                    if session.results.get(f"health.{n}") is not None
                    and session.results[f"health.{n}"].outcome == Outcome.PASSED}
    session.say(f"Resuming run {session.journal.run_id} ({session.version} to "
                f"{session.env_name}), interrupted at stage {stage!r}.")
    if stage == "done" and isinstance(state.get("code"), int):
        # it had finished all its work; only the journal's last word was missing
        session.closing.append(f"The run had finished its work (exit {state['code']}) when it "
                               "was stopped; its end is now journaled.")
        return int(state["code"])
    if session.command == "rollback" and stage == "rollback-plan" and not rollback:
        session.say("Nothing had changed yet: running the rollback from its plan.")
        return await rollback_main(session, live_versions(session.releases,
                                                           session.config.environment.name))
    if stage in ("gate", "backup", "rollback-plan") and not session.changed:
        if rollback:
            session.closing.append("Nothing had changed; nothing to roll back.")
            return EXIT_ROLLED_BACK
        session.say("Nothing had changed yet: running the deploy from its gate.")
        code = await session.gate(live_versions(session.releases,
                                                session.config.environment.name))
        if code is not None:
            return code
        return await session.rollout()
    if rollback or stage in ("rollback", "rolled_back", "rollback_failed"):
        session.say("Rolling back what the interrupted run changed: "
                    + (", ".join(s.name for s in session.changed) or "nothing"))
        return await session.guarded_rollback(
            session.roll_back, str(state.get("reason") or "resumed to roll back"))
    if stage == "post" and "verdict" in state:
        session.say("The release had passed verification: recording it live, then post.")
        return await session.go_live(Verdict(state["verdict"]), Verdict(state["watched"]))

    async def rest() -> None:
        if stage == "deploy":
            session.say("Continuing with the services not yet deployed and healthy: "
                        + ", ".join(s.name for s in steps if s.name not in session.done))
            await session.deploy_steps(skip=("deploy",) if _phase_done(session, "deploy")
                                       else ())

    return await session.change(rest)


def _phase_done(session: DeploySession, kind: str) -> bool:
    ids = [c.id for p in session.config.phases if p.kind == kind for c in p.checks]
    return all(i in session.results and session.results[i].outcome == Outcome.PASSED
               for i in ids)
