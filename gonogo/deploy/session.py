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

from gonogo import faults
from gonogo.config.model import Phase
from gonogo.core.errors import (
    EXIT_GO,
    EXIT_NOGO,
    EXIT_PENDING,
    EXIT_POST_FAILED,
)
from gonogo.core.outcomes import Outcome, Verdict
from gonogo.deploy import migrations_guard
from gonogo.deploy.health import wait_healthy
from gonogo.deploy.observe import observe, recorded
from gonogo.deploy.plan import ServiceStep, build_plan, plan_lines
from gonogo.deploy.rollback_steps import RollbackSteps
from gonogo.deploy.session_core import Rollback
from gonogo.drivers.base import Deployed, DriverError


class DeploySession(RollbackSteps):
    """One deploy (or rollback, or resumed) run: the gate, the rollout under its guard,
    verify, watch and going live; the rollback and the run's state come from its bases."""

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
        by default ``roll_back``). Once verified and recorded live, post runs outside it.
        A `rollback` run changing services IS the rollback: from here a signal is noted and
        the rollback finished, as during a deploy's own rollback (half of one is the worst
        state; SIGKILL stops it, and `gonogo resume` completes it)."""
        if self.command == "rollback":
            self.rolling_back = True
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
