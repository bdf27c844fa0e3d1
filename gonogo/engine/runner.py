"""Running a plan: phases in order, checks of a phase concurrently (bounded), ``needs``
across phases, per-check timeout and retry, and each result journaled before any
dependent starts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from gonogo import faults
from gonogo.checks.base import CheckContext, Evidence
from gonogo.config.model import CheckSpec, Phase
from gonogo.core.clock import now
from gonogo.core.durations import format_duration
from gonogo.core.errors import CheckError, CheckFailed, CheckProblem, CheckWarning
from gonogo.core.outcomes import SATISFIED, CheckResult, Outcome
from gonogo.engine.tasks import outcome_of, run_all

#: What `check` says of a check whose type changes state (``Check.changes_state``).
CHANGES_STATE = "changes state; not run by check — runs only under `gonogo deploy`"


#: What a check that was running when the run was cancelled (Ctrl-C) is recorded as.
INTERRUPTED = "interrupted by Ctrl-C before it finished"


class Journal(Protocol):
    """Where results go the moment they exist (the state store implements this)."""

    def record(self, result: CheckResult, output: str | None) -> None: ...


class Listener(Protocol):
    """Live observers (console, progress). All methods are optional to implement."""

    def phase_started(self, phase: Phase) -> None: ...
    def check_started(self, spec: CheckSpec) -> None: ...
    def check_finished(self, result: CheckResult) -> None: ...


@dataclass
class Plan:
    """The phases and checks one command will run, in order. ``unselected`` says, for a
    need left out of the plan, how to bring it in (a dependent of it is then skipped)."""

    phases: list[Phase]
    selected: set[str] = field(default_factory=set)
    unselected: dict[str, str] = field(default_factory=dict)
    #: checks of the phases run here that ``--tag``/``--skip-tag`` left out, and why
    deselected: dict[str, str] = field(default_factory=dict)

    @property
    def checks(self) -> list[CheckSpec]:
        return [c for p in self.phases for c in p.checks]


def make_plan(
    phases: Sequence[Phase],
    kinds: Iterable[str],
    *,
    phase_ids: Sequence[str] = (),
    only: Sequence[str] = (),
    tags: Sequence[str] = (),
    skip_tags: Sequence[str] = (),
    command: str = "this command",
) -> Plan:
    """Phases of the allowed kinds, narrowed by ``--phase``, by ``--only`` (each named
    check with its needs), by ``--tag`` (checks with any of these tags, with their needs)
    and by ``--skip-tag`` (never a check with any of these tags): a check runs when every
    given filter selects it. What the tags leave out is listed in ``Plan.deselected``; a
    check whose need they leave out is skipped, so it can never pass by absence."""
    allowed = set(kinds)
    by_id = {c.id: c for p in phases for c in p.checks}
    skipped = {cid: f"--skip-tag {next(t for t in c.tags if t in skip_tags)}"
               for cid, c in by_id.items() if set(c.tags) & set(skip_tags)}
    wanted: set[str] | None = None
    if only:
        wanted = _with_needs(only, by_id)
    if tags:
        tagged = _with_needs([cid for cid, c in by_id.items() if set(c.tags) & set(tags)], by_id)
        wanted = tagged if wanted is None else wanted & tagged
    deselected: dict[str, str] = {}
    chosen = []
    for p in phases:
        if p.kind not in allowed or (phase_ids and p.id not in phase_ids):
            continue
        for c in p.checks:
            if c.id in skipped:
                deselected[c.id] = f"excluded by {skipped[c.id]}"
            elif tags and c.id not in (wanted or ()) and (not only or c.id in only):
                deselected[c.id] = "no tag of --tag " + " --tag ".join(tags)
        if wanted is not None or skipped:
            p = replace(p, checks=tuple(c for c in p.checks if c.id not in skipped
                                        and (wanted is None or c.id in wanted)))
            if not p.checks:
                continue
        chosen.append(p)
    selected = {c.id for p in chosen for c in p.checks}
    unselected: dict[str, str] = {}
    for cid in selected:
        for need in by_id[cid].needs:
            if need in selected or need not in by_id:
                continue
            spec = by_id[need]
            if need in deselected:
                unselected[need] = deselected[need]
            elif spec.kind not in allowed:
                unselected[need] = f"`gonogo {command}` does not run {spec.kind} phases"
            else:  # --only brings its needs along, so only --phase leaves one out
                unselected[need] = f"add --phase {spec.phase}"
    return Plan(chosen, selected, unselected, deselected)


def _with_needs(ids: Iterable[str], by_id: dict[str, CheckSpec]) -> set[str]:
    """``ids`` and every check they need, transitively."""
    found: set[str] = set()
    stack = list(ids)
    while stack:
        cid = stack.pop()
        if cid in found or cid not in by_id:
            continue
        found.add(cid)
        stack.extend(by_id[cid].needs)
    return found


class Runner:
    """Executes a plan against a context, feeding a journal and listeners."""

    def __init__(
        self,
        ctx: CheckContext,
        journal: Journal,
        listeners: Sequence[Listener] = (),
        *,
        jobs: int = 16,
        retries: int = 0,
        read_only: bool = False,
    ) -> None:
        """``read_only`` (`gonogo check`): checks whose type changes state are reported
        skipped, not run, and do not block the verdict."""
        self.ctx = ctx
        self.journal = journal
        self.listeners = list(listeners)
        self.jobs = max(1, jobs)
        self.retries = retries
        self.read_only = read_only
        self.results: dict[str, CheckResult] = {}
        self._done: dict[str, asyncio.Event] = {}
        self._position: dict[str, int] = {}
        self._unselected: dict[str, str] = {}
        #: checks with an attempt under way: id → (monotonic start, start time, last summary)
        self._trying: dict[str, tuple[float, datetime, str]] = {}

    async def run(self, plan: Plan) -> list[CheckResult]:
        semaphore = asyncio.Semaphore(self.jobs)
        self.ctx.results = self.results
        self._unselected = plan.unselected
        for position, spec in enumerate(plan.checks):
            self._done[spec.id] = asyncio.Event()
            self._position[spec.id] = position
        for phase in plan.phases:
            self.emit("phase_started", phase)
            if phase.kind == "watch" and phase.duration:  # sampled over a window
                # imported here: watching (signals, baselines) costs ~15 ms of imports a gate
                # without a watch window never needs
                from gonogo.engine.watch import watch_phase

                await watch_phase(self, phase, semaphore)
                continue
            await run_all(self._run_one(spec, semaphore) for spec in phase.checks)
        return [self.results[c.id] for c in plan.checks if c.id in self.results]

    # ---- one check ------------------------------------------------------------------

    async def _run_one(self, spec: CheckSpec, semaphore: asyncio.Semaphore) -> None:
        try:
            if self.read_only and spec.params.changes_state:
                result = self.result(spec, Outcome.SKIPPED, CHANGES_STATE, 0.0, {}, 0)
                result.advisory = True  # an action deferred to deploy, not a gate that failed
                self.finish(result, None)
                return
            blocked = await self.wait_for_needs(spec)
            if blocked:
                result = self.result(spec, Outcome.SKIPPED, blocked, 0.0, {}, 0)
                self.finish(result, None)
                return
            if spec.manual:
                reason = getattr(spec.params, "reason", None)
                summary = "awaiting sign-off" + (f" ({reason})" if reason else "")
                self.finish(self.result(spec, Outcome.PENDING, summary, 0.0, {}, 0), None)
                return
            self.emit("check_started", spec)
            faults.point(f"check.before:{spec.id}")
            try:
                result, output = await self._attempts(spec, semaphore)
            except asyncio.CancelledError:
                self.record_interrupted(spec)
                raise
            self.finish(result, output)
            faults.point(f"check.after:{spec.id}")
        finally:
            self.done(spec)

    async def wait_for_needs(self, spec: CheckSpec) -> str | None:
        """Wait until every check ``spec`` needs has a result; why it cannot run, or None."""
        for need in spec.needs:
            event = self._done.get(need)
            if event is not None:
                await event.wait()
            got = self.results.get(need)  # this run's, or an earlier stage's (a deploy's gate)
            if event is None and got is None:  # never ran: nothing vouches for it
                how = self._unselected.get(need)
                return f"needs {need}, not selected" + (f" ({how})" if how else "")
            if got is not None and got.outcome not in SATISFIED:
                return f"needs {need} ({got.outcome})"
        return None

    async def _attempts(
        self, spec: CheckSpec, semaphore: asyncio.Semaphore
    ) -> tuple[CheckResult, str | None]:
        retry = spec.retry
        attempts_limit = (retry.attempts if retry and retry.attempts else None) or (
            None if retry and retry.within else self.retries + 1
        )
        interval = retry.interval if retry else 1.0
        within = retry.within if retry else None
        # the clock starts when the check first gets a slot: time queued behind --jobs is
        # neither its duration nor part of its retry window
        started: float | None = None
        started_at = now()
        queued = 0.0
        attempt = 0
        while True:
            attempt += 1
            waiting = time.monotonic()
            async with semaphore:
                if started is None:
                    started, started_at = time.monotonic(), now()
                    self._trying[spec.id] = (started, started_at, "")
                else:
                    queued += time.monotonic() - waiting
                remaining = None if within is None else within - (time.monotonic() - started - queued)
                timeout = spec.timeout if remaining is None else max(0.05, min(spec.timeout, remaining))
                outcome, summary, evidence, output = await self._attempt(spec, timeout)
            elapsed = time.monotonic() - started - queued
            if outcome in (Outcome.PASSED, Outcome.WARNED):
                break
            if attempts_limit is not None and attempt >= attempts_limit:
                break
            if within is not None and elapsed + interval > within:
                if attempt > 1:
                    summary += f" (still failing after {format_duration(elapsed)}, {attempt} tries)"
                break
            self._trying[spec.id] = (started, started_at, summary)
            self.ctx.progress(f"{spec.id}: {summary}; retrying in {format_duration(interval)}")
            await asyncio.sleep(interval)
        if outcome == Outcome.FAILED and spec.advisory:
            outcome = Outcome.WARNED
        duration = time.monotonic() - started - queued
        result = self.result(spec, outcome, summary, duration, evidence, attempt)
        result.started_at = started_at
        return result, output

    async def _attempt(
        self, spec: CheckSpec, timeout: float
    ) -> tuple[Outcome, str, dict[str, object], str | None]:
        try:
            # asyncio.timeout, not wait_for: the check runs in this task rather than a new
            # one per attempt (a task, a future and their callbacks for each of 1,000 checks)
            async with asyncio.timeout(timeout):
                evidence: Evidence = await spec.params.run(self.ctx)
        except Exception as exc:
            outcome, summary, data = outcome_of(exc, timeout)
            output = _pop_output(exc) if isinstance(exc, _OUTPUT_CARRIERS) else None
            return outcome, summary, data, output
        return Outcome.PASSED, evidence.summary, evidence.data, evidence.output

    # ---- bookkeeping ----------------------------------------------------------------

    def start(self, spec: CheckSpec) -> float:
        """``spec`` begins (listeners hear it; an interruption from now on is recorded);
        returns its monotonic start."""
        self.emit("check_started", spec)
        started = time.monotonic()
        self._trying[spec.id] = (started, now(), "")
        return started

    def done(self, spec: CheckSpec) -> None:
        """``spec`` has ended, whatever its outcome: its dependents may go on."""
        self._done[spec.id].set()

    def record_interrupted(self, spec: CheckSpec, attempts: int = 1) -> None:
        """Journal a check that was running when the run was cancelled as ``errored``: it
        was not evaluated (there is no ``interrupted`` outcome), and the evidence says why.
        A check still queued for a slot never started and is not recorded."""
        trying = self._trying.pop(spec.id, None)
        if trying is None or spec.id in self.results:
            return
        started, started_at, last = trying
        summary = INTERRUPTED + (f" (last try: {last})" if last else "")
        result = self.result(spec, Outcome.ERRORED, summary, time.monotonic() - started,
                              {"interrupted": "Ctrl-C (SIGINT)"}, attempts)
        result.started_at = started_at
        self.finish(result, None)

    def result(
        self,
        spec: CheckSpec,
        outcome: Outcome,
        summary: str,
        duration: float,
        evidence: dict[str, object],
        attempts: int,
    ) -> CheckResult:
        """A redacted result of ``spec`` (not yet journaled: ``finish`` does that)."""
        redact = self.ctx.redactor
        return CheckResult(
            id=spec.id,
            title=redact.text(spec.title),
            phase=spec.phase,
            kind=spec.kind,
            type=spec.type,
            outcome=outcome,
            summary=redact.text(summary),
            duration_s=round(duration, 3),
            evidence=redact.data(dict(evidence)),
            advisory=spec.advisory,
            attempts=attempts,
            line=spec.line,
            started_at=now() if attempts == 0 else None,
            finished_at=now(),
            position=self._position.get(spec.id, 0),
        )

    def finish(self, result: CheckResult, output: str | None) -> None:
        """Journal ``result`` (and its redacted output), then tell the listeners."""
        if result.started_at is None:
            result.started_at = result.finished_at
        self._trying.pop(result.id, None)
        clean = self.ctx.redactor.text(output) if output else None
        # journal first: a dependent may start only once this result is durable
        self.journal.record(result, clean)
        self.results[result.id] = result
        self.emit("check_finished", result)

    def emit(self, event: str, arg: object) -> None:
        """Tell every listener that has a method named ``event``."""
        for listener in self.listeners:
            method = getattr(listener, event, None)
            if method is not None:
                method(arg)


#: Problems whose evidence may carry the check's captured output (kept apart from evidence).
_OUTPUT_CARRIERS = (CheckFailed, CheckWarning, CheckError)


def _pop_output(exc: CheckProblem) -> str | None:
    output = exc.evidence.pop("output", None)
    return output if isinstance(output, str) else None
