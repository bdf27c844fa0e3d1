"""One deploy run: gate → backup → deploy phases → services in ``needs`` order with health
gates → verify → watch → post, journaled step by step; on a failure after a change, roll
back every changed service in reverse order and prove the old release serves.

The engine (``gonogo.engine``) runs the phases' checks; this module adds the service steps
around it and knows nothing of Docker beyond the driver protocol.

Everything from the first change until the release is recorded live runs under one guard
(``change``): whatever ends it early — a failed step, *any* exception (a Docker API error, a
reset connection, a bug), a signal (SIGTERM, SIGHUP, Ctrl-C cancel the task) — rolls back
what changed and ends with exit 5 or 6. A rollback under way is not stopped by a signal.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import IO, Any

from gonogo import faults
from gonogo.checks.base import CheckContext
from gonogo.config.model import Config, Phase
from gonogo.deploy import migrations_guard
from gonogo.deploy.health import HealthReport, wait_healthy
from gonogo.deploy.observe import observe, recorded
from gonogo.deploy.plan import DeployPlan, ServiceStep, build_plan, plan_lines
from gonogo.drivers.base import Deployed, DriverContext, DriverError
from gonogo.engine.outcomes import CheckResult, Outcome, Verdict, decide, now
from gonogo.engine.runner import Plan, Runner
from gonogo.errors import (
    EXIT_GO,
    EXIT_NOGO,
    EXIT_PENDING,
    EXIT_POST_FAILED,
    EXIT_ROLLBACK_FAILED,
    EXIT_ROLLED_BACK,
)
from gonogo.journal.releases import ReleaseStore
from gonogo.journal.store import RunJournal, Store
from gonogo.notify import Notifier
from gonogo.reports.console_report import ConsoleListener


class _OffsetJournal:
    """Gives each engine run's results positions after what the deploy already journaled."""

    def __init__(self, inner: RunJournal, offset: int) -> None:
        self.inner, self.offset = inner, offset

    def record(self, result: CheckResult, output: str | None) -> None:
        result.position += self.offset
        durably(lambda: self.inner.record(result, output))


def durably(write: Callable[[], None]) -> None:
    """One journal write, tried twice: a state store that lost its connection (PostgreSQL
    restarted, SQLite busy) reconnects on the next checkout, so one retry rides it out."""
    import sqlalchemy as sa

    try:
        write()
    except (sa.exc.OperationalError, sa.exc.InterfaceError):
        time.sleep(0.5)
        write()


class Rollback(Exception):
    """Raised inside the rollout: something failed after a change; roll back."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DeploySession:
    def __init__(
        self,
        config: Config,
        store: Store,
        journal: RunJournal,
        releases: ReleaseStore,
        ctx: CheckContext,
        stream: IO[str],
        version: str,
        *,
        command: str = "deploy",
        live: bool | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.journal = journal
        self.releases = releases
        self.ctx = ctx
        self.stream = stream
        self.version = version
        self.command = command
        self.listener = ConsoleListener(stream, live=live)
        self.notifier = Notifier(config.model.notify, config.environment.redactor)
        self.driver_ctx = DriverContext(
            workdir=config.root, env=ctx.env, redactor=config.environment.redactor,
            environment=config.environment.name, run_id=journal.run_id, run_dir=journal.run_dir,
        )
        self.seq = 0
        self.results: dict[str, CheckResult] = {}
        self.plan: DeployPlan | None = None
        self.changed: list[ServiceStep] = []
        self.done: set[str] = set()  # services deployed and healthy (for resume)
        self.env_name = config.environment.name or "default"
        #: The closing message, printed after the run's summary.
        self.closing: list[str] = []
        #: The signal that asked this run to stop (set by the signal handler in ``run``).
        self.signal: str | None = None
        #: True once a rollback runs: signals no longer stop the run.
        self.rolling_back = False
        #: True once the signal's cancellation reached the guard (no need to insist).
        self.signal_taken = False
        #: Warnings the user accepted with --yes (a rollback to an unverified version),
        #: journaled as warned results after the plan.
        self.warnings: list[str] = []

    # ---- output and journal ---------------------------------------------------------

    def say(self, text: str = "") -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def record(self, cid: str, title: str, phase: str, kind: str, type_: str, outcome: Outcome,
               summary: str, duration: float, evidence: dict[str, Any] | None = None,
               output: str | None = None) -> CheckResult:
        redact = self.config.environment.redactor
        result = CheckResult(
            id=cid, title=redact.text(title), phase=phase, kind=kind, type=type_,
            outcome=outcome, summary=redact.text(summary), duration_s=round(duration, 3),
            evidence=redact.data(evidence or {}), attempts=1, started_at=now(),
            finished_at=now(), position=self.seq,
        )
        self.seq += 1
        self.results[cid] = result
        try:
            durably(lambda: self.journal.record(result, redact.text(output) if output else None))
        except Exception as exc:
            if not self.rolling_back:
                raise
            # returning to the old release matters more than writing down that we did
            self.say(f"  ⚠ journal: cannot record {cid}: {type(exc).__name__}: {exc}")
        self.checkpoint()
        self.listener.check_finished(result)
        return result

    def checkpoint(self) -> None:
        """Raise the cancellation of a signal that has not reached the guard yet: Python
        3.11's ``wait_for`` turns a cancellation that races its timeout into TimeoutError
        (and callers rightly catch that), so after each step the session asks again."""
        if self.signal and not self.signal_taken and not self.rolling_back:
            raise asyncio.CancelledError(f"interrupted by {self.signal}")

    async def settle(self) -> None:
        """Between steps: let a signal that arrived during the last one (its handler runs
        on the event loop, which synchronous work keeps waiting) stop the run now, not one
        step later — above all not after the release is recorded live."""
        await asyncio.sleep(0.005)
        self.checkpoint()

    def save_state(self, stage: str, **extra: Any) -> None:
        """What `gonogo resume` needs, in the run's meta."""
        state: dict[str, Any] = {
            "stage": stage, "version": self.version, "command": self.command,
            "changed": [s.name for s in self.changed], "done": sorted(self.done),
            "plan": [{"name": s.name, "previous": s.previous.to_json() if s.previous else None,
                      "target": s.target} for s in (self.plan.steps if self.plan else [])],
            **extra,
        }
        try:
            durably(lambda: self.store.update_meta(self.journal.run_id, deploy=state))
        except Exception as exc:
            if not self.rolling_back:
                raise
            self.say(f"  ⚠ journal: cannot save the run's stage {stage!r}: {exc}")
        self.checkpoint()

    async def notify(self, event: str, title: str, body: str) -> None:
        if not self.notifier:
            return
        delivery = await self.notifier.send(event, title, body)
        if delivery.problem:
            self.say(f"  ⚠ notification ({event}) not delivered: {delivery.problem}")

    # ---- phases through the engine ----------------------------------------------------

    async def run_phases(self, kinds: Iterable[str]) -> Verdict:
        wanted = set(kinds)
        phases = [p for p in self.config.phases if p.kind in wanted]
        plan = Plan(phases, {c.id for p in phases for c in p.checks})
        if not plan.checks:
            return Verdict.GO
        runner = Runner(self.ctx, _OffsetJournal(self.journal, self.seq), [self.listener],
                        jobs=self.config.defaults.jobs, retries=self.config.defaults.retries)
        runner.results.update(self.results)  # checks may refer to earlier phases' results
        try:
            results = await runner.run(plan)
        finally:
            self.listener.close()
        self.seq += len(plan.checks)
        for result in results:
            self.results[result.id] = result
        await self.settle()
        return decide(results)

    # ---- the deploy -------------------------------------------------------------------

    async def gate(self, live_versions: dict[str, Deployed]) -> int | None:
        """Preflight phases and the drivers' read-only probes; an exit code when NO-GO."""
        verdict = await self.run_phases({"preflight"})
        code = await self.gate_plan_only(live_versions)
        if code is not None:
            return code
        if verdict == Verdict.NO_GO:
            return EXIT_NOGO
        if verdict == Verdict.PENDING:
            return EXIT_PENDING
        return None

    async def gate_plan_only(self, live_versions: dict[str, Deployed]) -> int | None:
        """The drivers' read-only probes and the printed plan; EXIT_NOGO when one fails."""
        self.listener.phase_started(Phase("plan", "Deploy plan", "preflight", ()))
        started = time.monotonic()
        try:
            self.plan = await build_plan(self.config, self.version, self.driver_ctx, live_versions)
        except DriverError as exc:
            self.record("plan", "Services can be deployed", "plan", "preflight", "deploy.plan",
                        Outcome.FAILED, exc.message, time.monotonic() - started,
                        output=exc.output)
            return EXIT_NOGO
        for step in self.plan.steps:
            self.record(f"plan.{step.name}", f"{step.name}: {step.change()}", "plan", "preflight",
                        f"service.{step.spec.driver}", Outcome.PASSED, "ready to deploy", 0.0,
                        {"from": step.previous.to_json() if step.previous else None,
                         "to": step.target})
        self.say("")
        self.say(f"Plan: {self.env_name} → {self.version}")
        for line in plan_lines(self.plan):
            self.say(line)
        self.say("")
        return None

    async def rollout(self) -> int:
        """Everything after the gate. Returns the exit code."""
        assert self.plan is not None
        services = {s.name: {"from": s.previous.to_json() if s.previous else None,
                             "to": s.target} for s in self.plan.steps}
        self.releases.start_release(self.journal.run_id, self.config.environment.name,
                                    self.version, self.command, services)
        await self.notify("start", f"{self.config.name}: deploying {self.version} to "
                                   f"{self.env_name}",
                          "\n".join(f"{s.name}: {s.change()}" for s in self.plan.steps))
        self.save_state("backup")
        if await self.run_phases({"backup"}) != Verdict.GO:
            self.releases.update_release(self.journal.run_id, status="failed", finished=True,
                                         note="backup failed; nothing changed")
            await self.notify("failure", f"{self.config.name}: {self.version} not deployed",
                              "backup failed; nothing changed\n" + self.failing_items())
            self.closing.append("Backup failed: nothing was changed.")
            return EXIT_NOGO
        faults.point("deploy.after_backup")
        await self.take_baselines()
        return await self.change(self.deploy_steps)

    async def change(self, steps: Callable[[], Awaitable[None]] | None,
                     on_fault: Callable[[str], Awaitable[int]] | None = None) -> int:
        """``steps`` (the services), then verify and watch — the part of a deploy that
        changes things, under one guard: whatever ends it early rolls back (``on_fault``,
        by default ``roll_back``). Once verified and recorded live, post runs outside it."""
        try:
            if steps is not None:
                await steps()
            verdict, watched = await self.verify()
        except BaseException as exc:  # every fault, by design: see the module docstring
            reason = self.fault_reason(exc)
            return await self.guarded_rollback(on_fault or self.roll_back, reason)
        return await self.go_live(verdict, watched)

    def fault_reason(self, exc: BaseException) -> str:
        """Why the change stopped, in a line; the fault is journaled as an errored item.
        Re-raises what is not a fault of the deploy (a cancellation nobody signalled)."""
        if isinstance(exc, Rollback):
            return exc.reason
        if isinstance(exc, asyncio.CancelledError):
            task = asyncio.current_task()
            if self.signal is None:
                raise exc
            self.signal_taken = True
            while task is not None and task.uncancel() > 0:
                pass  # the rollback's own waits and timeouts must work
            reason = f"interrupted by {self.signal}"
            summary = f"{reason} after the first change"
        elif isinstance(exc, KeyboardInterrupt):
            reason = summary = "interrupted by SIGINT (Ctrl-C)"
        elif isinstance(exc, Exception):
            from gonogo.error_handler import write_crash_log

            text = str(exc).strip().splitlines()
            reason = f"unexpected error: {type(exc).__name__}" + (f": {text[0]}" if text else "")
            summary = f"{reason} (crash log: {write_crash_log(exc)})"
        else:
            raise exc  # SystemExit, GeneratorExit: not ours to turn into a rollback
        redact = self.config.environment.redactor
        reason, summary = redact.text(reason), redact.text(summary)
        self.say(f"\n  ✗ {summary}")
        try:
            self.rolling_back = True  # the fault item must not stop the rollback either
            self.record("fault", "The deploy ran without a fault", "services", "deploy",
                        "deploy.fault", Outcome.ERRORED, summary, 0.0,
                        {"exception": type(exc).__name__, "signal": self.signal})
        finally:
            self.rolling_back = False
        return reason

    async def guarded_rollback(self, rollback: Callable[[str], Awaitable[int]],
                               reason: str) -> int:
        """Run the rollback; should it break on something unforeseen, it still ends as a
        failed rollback (exit 6, contacts) rather than an escaping exception."""
        try:
            return await rollback(reason)
        except Exception as exc:
            from gonogo.error_handler import write_crash_log

            self.say(self.config.environment.redactor.text(
                f"  ✗ the rollback itself broke: {type(exc).__name__}: {exc} "
                f"(crash log: {write_crash_log(exc)})"))
            return await self.rolled_back(f"{reason}; then the rollback broke: "
                                          f"{type(exc).__name__}", ok=False)

    async def take_baselines(self) -> None:
        """Measure watch signals that compare against the live release, before changing it."""
        from gonogo.engine.watch import take_baselines

        measured = await take_baselines(self.ctx, self.config.phases)
        for check_id, value in measured.items():
            self.say(f"  baseline of {check_id} before the deploy: {value}")

    async def deploy_steps(self, skip: Iterable[str] = ()) -> None:
        assert self.plan is not None
        self.save_state("deploy")
        if "deploy" not in skip:
            faults.point("deploy.before_deploy_phase")
            verdict = await self.run_phases({"deploy"})
            if verdict == Verdict.NO_GO:
                raise Rollback("a deploy step failed")
        self.listener.phase_started(Phase("services", "Deploy services", "deploy", ()))
        for step in self.plan.steps:
            if step.name in self.done:
                continue
            await self.deploy_one(step)

    async def deploy_one(self, step: ServiceStep) -> None:
        name = step.name
        self.say(f"  … {name}: {step.change()}")
        started = time.monotonic()
        if step not in self.changed:
            self.changed.append(step)
        self.save_state("deploy", current=name)
        faults.point(f"deploy.before_update:{name}")
        try:
            now_running = await step.driver.deploy(self.version, step.previous)
            faults.point(f"deploy.after_update:{name}")
        except DriverError as exc:
            self.record(f"deploy.{name}", f"Deploy {name}: {step.change()}", "services",
                        "deploy", f"service.{step.spec.driver}", Outcome.FAILED, exc.message,
                        time.monotonic() - started, {"failed_at": time.time()},
                        output=exc.output)
            raise Rollback(exc.message) from None
        self.record(f"deploy.{name}", f"Deploy {name}: {step.change()}", "services", "deploy",
                    f"service.{step.spec.driver}", Outcome.PASSED,
                    f"now on {now_running.label()}", time.monotonic() - started,
                    {"from": step.previous.to_json() if step.previous else None,
                     "to": now_running.to_json()})
        faults.point(f"deploy.before_health:{name}")
        started = time.monotonic()
        report = await wait_healthy(step.driver, self.ctx, env=self._env(step))
        evidence = {"probes": report.probes, "first_failed_probe_at": report.first_failure_at,
                    "healthy_at": report.healthy_at}
        if not report.healthy:
            evidence["failed_at"] = time.time()
            self.record(f"health.{name}", f"{name} healthy on {self.version}", "services",
                        "deploy", "service.health", Outcome.FAILED, report.summary,
                        time.monotonic() - started, evidence)
            raise Rollback(f"{name} is not healthy on {self.version}: {report.summary}")
        self.record(f"health.{name}", f"{name} healthy on {self.version}", "services", "deploy",
                    "service.health", Outcome.PASSED, report.summary, time.monotonic() - started,
                    evidence)
        faults.point(f"deploy.healthy:{name}")
        self.done.add(name)
        self.save_state("deploy")
        await self.settle()

    def _env(self, step: ServiceStep) -> dict[str, str]:
        return {"GONOGO_VERSION": self.version, "GONOGO_SERVICE": step.name,
                "GONOGO_PREVIOUS_VERSION": (step.previous.version or "") if step.previous else ""}

    async def verify(self) -> tuple[Verdict, Verdict]:
        """Verify, then watch: raises Rollback when either says NO-GO."""
        self.save_state("verify")
        faults.point("deploy.before_verify")
        verdict = await self.run_phases({"verify"})
        if verdict == Verdict.NO_GO:
            raise Rollback("verification failed")
        faults.point("deploy.before_watch")
        watched = await self.run_phases({"watch"})
        if watched == Verdict.NO_GO:
            raise Rollback("a post-deploy watch failed")
        faults.point("deploy.verified")
        await self.settle()
        return verdict, watched

    async def go_live(self, verdict: Verdict, watched: Verdict) -> int:
        """Record the verified release live, then post (a post fault rolls nothing back)."""
        assert self.plan is not None
        self.save_state("post", verdict=str(verdict), watched=str(watched))
        for step in self.plan.steps:
            image = step.driver.target(self.version)
            # what the engine runs, read back: the journal follows reality, not the plan
            seen = await observe(step.driver)
            version, image_now, state = recorded(seen, self.version,
                                                 image if image != self.version else None)
            self.releases.set_live(self.config.environment.name, step.name, version,
                                   image_now, self.journal.run_id, state=state)
            faults.point(f"deploy.set_live:{step.name}")
        # an inconclusive watch, like a pending verify item, leaves the release awaiting a person
        verified = verdict == Verdict.GO and watched == Verdict.GO
        self.releases.update_release(self.journal.run_id, status="live", verified=verified)
        migrations_guard.record(self.store, self.journal.run_id, self.results, self.config)
        faults.point("deploy.live")
        try:
            post = await self.run_phases({"post"})
        except BaseException as exc:  # the release stays: it passed verification
            self.fault_reason(exc)
            post = Verdict.NO_GO
        faults.point("deploy.after_post")
        self.releases.update_release(self.journal.run_id, finished=True)
        code = self.closing_code(verified, post)
        self.save_state("done", code=code)
        faults.point("deploy.done")
        return await self.close_deploy(verified, post)

    @staticmethod
    def closing_code(verified: bool, post: Verdict) -> int:
        if not verified:
            return EXIT_PENDING
        return EXIT_POST_FAILED if post == Verdict.NO_GO else EXIT_GO

    async def close_deploy(self, verified: bool, post: Verdict) -> int:
        """The closing message and notification of a release that went live."""
        assert self.plan is not None
        if not verified:
            self.closing.append(f"{self.version} is live in {self.env_name}; verification "
                                "awaits sign-off (see above).")
            await self.notify("success", f"{self.config.name}: {self.version} live in "
                                         f"{self.env_name}, awaiting sign-off",
                              self.pending_items())
            return EXIT_PENDING
        if post == Verdict.NO_GO:
            self.closing.append(f"{self.version} is live and verified in {self.env_name}, but "
                                "post-deploy steps failed (no rollback: the release passed "
                                "verification).")
            await self.notify("failure", f"{self.config.name}: {self.version} live, post-deploy "
                                         "steps failed", self.failing_items())
            return EXIT_POST_FAILED
        self.closing.append(f"Deployed {self.version} to {self.env_name}: every service "
                            "healthy, verification passed.")
        await self.notify("success", f"{self.config.name}: {self.version} live in "
                                     f"{self.env_name}",
                          "verdict: GO\n" + "\n".join(f"{s.name}: {s.change()}"
                                                      for s in self.plan.steps))
        return EXIT_GO

    # ---- rollback ---------------------------------------------------------------------

    async def roll_back(self, reason: str) -> int:
        self.rolling_back = True
        self.say(f"\nRolling back: {reason}")
        self.save_state("rollback", reason=reason)
        faults.point("rollback.start")
        await self.notify("rollback", f"{self.config.name}: rolling back {self.version} in "
                                      f"{self.env_name}", f"{reason}\n{self.failing_items()}")
        self.listener.phase_started(Phase("rollback", "Roll back", "rollback", ()))
        ok = True
        for step in reversed(self.changed):
            ok = await self.rollback_one(step) and ok
        faults.point("rollback.before_phase")
        try:
            if await self.run_phases({"rollback"}) == Verdict.NO_GO:
                ok = False
        except Exception as exc:
            self.say(self.config.environment.redactor.text(
                f"  ✗ rollback phases: unexpected error: {type(exc).__name__}: {exc}"))
            ok = False
        if self.changed:
            self.listener.phase_started(
                Phase("rollback-health", "Old release serves", "rollback", ()))
        for step in reversed(self.changed):
            ok = await self.prove_old(step) and ok
        faults.point("rollback.proven")
        return await self.rolled_back(reason, ok)

    async def rollback_one(self, step: ServiceStep) -> bool:
        started = time.monotonic()
        back_to = step.previous.label() if step.previous else "(not running)"
        title = f"Roll back {step.name} to {back_to}"
        try:
            faults.point(f"rollback.before:{step.name}")
            summary = await step.driver.rollback(step.previous, self.version)
            faults.point(f"rollback.after:{step.name}")
        except DriverError as exc:
            self.record(f"rollback.{step.name}", title, "rollback", "rollback",
                        f"service.{step.spec.driver}", Outcome.FAILED, exc.message,
                        time.monotonic() - started, output=exc.output)
            return False
        except Exception as exc:  # a Docker API error, a lost connection: the step failed
            self.record(f"rollback.{step.name}", title, "rollback", "rollback",
                        f"service.{step.spec.driver}", Outcome.FAILED,
                        f"unexpected error: {type(exc).__name__}: {exc}",
                        time.monotonic() - started)
            return False
        self.record(f"rollback.{step.name}", title, "rollback", "rollback",
                    f"service.{step.spec.driver}", Outcome.PASSED, summary,
                    time.monotonic() - started)
        return True

    async def prove_old(self, step: ServiceStep) -> bool:
        cid, title = f"rollback-health.{step.name}", f"{step.name} healthy again"
        if step.previous is None:
            self.record(cid, title, "rollback-health", "rollback", "service.health",
                        Outcome.SKIPPED, "it did not run before this deploy", 0.0)
            return True
        faults.point(f"rollback.health:{step.name}")
        started = time.monotonic()
        previous_version = step.previous.version or ""
        try:
            report = await wait_healthy(step.driver, self.ctx, env={
                "GONOGO_VERSION": previous_version, "GONOGO_SERVICE": step.name})
        except Exception as exc:
            report = HealthReport(False, f"unexpected error: {type(exc).__name__}: {exc}", 0)
        outcome = Outcome.PASSED if report.healthy else Outcome.FAILED
        self.record(cid, f"{title} on {step.previous.label()}", "rollback-health", "rollback",
                    "service.health", outcome, report.summary, time.monotonic() - started,
                    {"probes": report.probes, "healthy_at": report.healthy_at})
        return report.healthy

    async def rolled_back(self, reason: str, ok: bool) -> int:
        self.rolling_back = True
        run_id = self.journal.run_id
        if ok:
            self.releases.update_release(run_id, status="rolled_back", finished=True, note=reason)
            await self.record_what_runs()
            olds = ", ".join(f"{s.name} {s.previous.label()}" for s in reversed(self.changed)
                             if s.previous) or "nothing had changed"
            self.closing.append(f"Rolled back {self.version} in {self.env_name}: {reason}. "
                                f"The previous release serves again ({olds}).")
            self.save_state("rolled_back", reason=reason)
            await self.notify("rollback", f"{self.config.name}: {self.version} rolled back in "
                                          f"{self.env_name}", f"{reason}\n{self.failing_items()}")
            return EXIT_ROLLED_BACK
        self.releases.update_release(run_id, status="rollback_failed", finished=True, note=reason)
        await self.record_what_runs()
        self.save_state("rollback_failed", reason=reason)
        self.closing.append(f"ROLLBACK FAILED in {self.env_name}: {reason}; the previous "
                            "release could not be proven healthy. Act now:")
        self.closing.extend(f"  {item}" for item in self.failing_items().splitlines())
        contacts = self.config.model.contacts
        if contacts:
            self.closing.append("Contacts:")
            self.closing.extend(f"  {c.role}: {c.contact}" for c in contacts)
        await self.notify("rollback_failed", f"{self.config.name}: ROLLBACK FAILED in "
                                             f"{self.env_name}", self.failing_items())
        return EXIT_ROLLBACK_FAILED

    async def record_what_runs(self) -> None:
        """After a rollback (or a failed one): each changed service as the engine runs it
        now. The engine saying "running" is not enough where gonogo's own last word on the
        service was a failure: then it is recorded ``unhealthy`` or ``unknown``."""
        env = self.config.environment.name
        for step in self.changed:
            seen = await observe(step.driver)
            previous = step.previous
            version, image, state = recorded(seen, previous.version if previous else None,
                                             previous.image if previous else None)
            doubt = self._last_word(step.name)
            if state == "live" and doubt is not None:
                state = doubt
            elif seen.state == "unknown" and doubt is not None:
                version, image = None, None  # neither the engine nor gonogo knows
            try:
                self.releases.refresh_live(env, step.name, version, image,
                                           self.journal.run_id, state)
            except Exception as exc:  # the store failing must not hide the closing message
                self.say(f"  ⚠ journal: cannot record what {step.name} runs: {exc}")

    def _last_word(self, name: str) -> str | None:
        """gonogo's own latest evidence on a changed service: ``unhealthy`` (a health gate
        or proof failed), ``unknown`` (changed, never proven) or None (proven healthy)."""
        def outcome(cid: str) -> Outcome | None:
            result = self.results.get(cid)
            return result.outcome if result is not None else None

        proof = outcome(f"rollback-health.{name}")
        if proof == Outcome.FAILED:
            return "unhealthy"
        if outcome(f"rollback.{name}") == Outcome.FAILED:
            return "unknown"  # its rollback failed: what runs is not what was meant to
        if proof == Outcome.PASSED:
            return None
        if outcome(f"rollback.{name}") is not None:
            return "unknown"  # rolled back, never proven
        health = outcome(f"health.{name}")  # no rollback of it: a `rollback` run's deploy
        if health in (Outcome.FAILED, Outcome.PASSED):
            return "unhealthy" if health == Outcome.FAILED else None
        return "unknown"

    # ---- summaries ----------------------------------------------------------------------

    def failing_items(self) -> str:
        bad = [r for r in self.results.values()
               if not r.advisory and r.outcome in (Outcome.FAILED, Outcome.ERRORED)]
        return "\n".join(f"✗ {r.title}: {r.summary}" for r in bad)

    def pending_items(self) -> str:
        return "\n".join(f"⏳ {r.title}" for r in self.results.values()
                         if r.outcome == Outcome.PENDING)
