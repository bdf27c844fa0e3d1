"""What every deploy run holds and how it speaks: the run's state, console and journal,
saved resume state, notifications, running phases through the engine; deploy and rollback
steps build on it (``gonogo.deploy.rollback_steps``, ``gonogo.deploy.session``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import IO, Any

from gonogo.checks.base import CheckContext
from gonogo.config.model import Config
from gonogo.core.clock import now
from gonogo.core.outcomes import CheckResult, Outcome, Verdict, decide
from gonogo.deploy.plan import DeployPlan, ServiceStep
from gonogo.drivers.base import DriverContext
from gonogo.engine.runner import Plan, Runner
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


class SessionCore:
    """A deploy run's state and voice (see the module docstring)."""

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
        self.notes: list[str] = []  # what a rollback's guard could not check (journaled)

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

    def failing_items(self) -> str:
        bad = [r for r in self.results.values()
               if not r.advisory and r.outcome in (Outcome.FAILED, Outcome.ERRORED)]
        return "\n".join(f"✗ {r.title}: {r.summary}" for r in bad)

    def pending_items(self) -> str:
        return "\n".join(f"⏳ {r.title}" for r in self.results.values()
                         if r.outcome == Outcome.PENDING)
