"""Rolling back a deploy: every changed service in reverse order, the rollback phases, proof
that the old release serves again, and what the engine runs afterwards, journaled."""

from __future__ import annotations

import time

from gonogo import faults
from gonogo.config.model import Phase
from gonogo.core.errors import (
    EXIT_ROLLBACK_FAILED,
    EXIT_ROLLED_BACK,
)
from gonogo.core.outcomes import Outcome, Verdict
from gonogo.deploy.health import HealthReport, wait_healthy
from gonogo.deploy.observe import observe, recorded
from gonogo.deploy.plan import ServiceStep
from gonogo.deploy.session_core import SessionCore
from gonogo.drivers.base import DriverError


class RollbackSteps(SessionCore):
    """The rollback half of a deploy run."""

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
