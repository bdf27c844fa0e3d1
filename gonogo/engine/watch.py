"""Watch windows: a ``watch`` phase samples each of its checks every ``interval`` until
``duration`` has passed, and ends early — failed — at the first check that breaches
``failure_limit`` times in a row (what Argo Rollouts' analysis and Flagger do on
Kubernetes). A check ends as:

- ``failed``: it breached ``failure_limit`` samples in a row; the window stops for all;
- ``errored``: it could not be sampled ``ERROR_LIMIT`` times in a row (Argo's
  consecutiveErrorLimit); the window stops for all;
- ``pending``: its last sample was inconclusive (``no_data: inconclusive``): a person decides;
- ``passed``: it held — for the whole window, or until another check stopped it (said so).

Signals (``gonogo.checks.signals.Signal``) are sampled through ``sample()``; any other check
type is sampled by running it (a ``CheckFailed`` is a breach).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from gonogo import faults
from gonogo.checks.base import CheckContext
from gonogo.checks.signals import Sample, Signal, WatchState, baselines, has_baseline
from gonogo.config.model import CheckSpec, Phase
from gonogo.core.durations import format_duration
from gonogo.core.errors import CheckProblem
from gonogo.core.outcomes import CheckResult, Outcome
from gonogo.engine.tasks import outcome_of, run_all


class WindowHost(Protocol):
    """What a watch window needs of the runner that holds it (``gonogo.engine.runner.Runner``):
    its public bookkeeping, so each sampled check is journaled like any other."""

    ctx: CheckContext

    async def wait_for_needs(self, spec: CheckSpec) -> str | None: ...
    def result(self, spec: CheckSpec, outcome: Outcome, summary: str, duration: float,
               evidence: dict[str, object], attempts: int) -> CheckResult: ...
    def finish(self, result: CheckResult, output: str | None) -> None: ...
    def emit(self, event: str, arg: object) -> None: ...
    def start(self, spec: CheckSpec) -> float: ...
    def done(self, spec: CheckSpec) -> None: ...
    def record_interrupted(self, spec: CheckSpec, attempts: int = 1) -> None: ...

DEFAULT_INTERVAL = 30.0
#: Consecutive samples that could not be taken before the check ends as errored.
ERROR_LIMIT = 4
#: A sample never waits longer than this (or the check's own timeout, if shorter), so
#: one hung probe cannot hold a window past its end.
MAX_SAMPLE_S = 30.0
HISTORY = 200


@dataclass
class WatchProgress:
    """One sample, for live listeners (``watch_progress``)."""

    spec: CheckSpec
    sample: Sample
    left: float
    breaches: int
    failure_limit: int


@dataclass
class _Window:
    duration: float
    interval: float
    start: float = field(default_factory=time.monotonic)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    stopped_by: str | None = None

    @property
    def deadline(self) -> float:
        return self.start + self.duration

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def halt(self, check_id: str) -> None:
        if self.stopped_by is None:
            self.stopped_by = check_id
        self.stop.set()


async def take_baselines(ctx: CheckContext, phases: Iterable[Phase]) -> dict[str, str]:
    """Measure every watch signal that compares against the previous release, before the
    deploy changes anything; returns check id → what was measured (or why not)."""
    report: dict[str, str] = {}
    store = baselines(ctx)
    for phase in phases:
        if phase.kind != "watch":
            continue
        for spec in phase.checks:
            params = spec.params
            if not isinstance(params, Signal) or not params.wants_baseline():
                continue
            try:
                value = await asyncio.wait_for(params.measure_baseline(ctx), min(spec.timeout, 120.0))
            except (CheckProblem, TimeoutError) as exc:
                report[spec.id] = ctx.redactor.text(
                    getattr(exc, "message", None) or "timed out")
                continue
            store[id(params)] = value
            report[spec.id] = "no data" if value is None else f"{value:g}"
    return report


async def watch_phase(runner: WindowHost, phase: Phase, semaphore: asyncio.Semaphore) -> None:
    duration = phase.duration or 0.0
    interval = min(phase.interval or DEFAULT_INTERVAL, duration) if duration else 0.0
    window = _Window(duration, interval)
    from gonogo.checks.http import window_client

    async with window_client():
        await run_all(_watch_one(runner, spec, window, semaphore) for spec in phase.checks)


async def _watch_one(
    runner: WindowHost, spec: CheckSpec, window: _Window, semaphore: asyncio.Semaphore
) -> None:
    try:
        blocked = await runner.wait_for_needs(spec)
        if blocked:
            runner.finish(runner.result(spec, Outcome.SKIPPED, blocked, 0.0, {}, 0), None)
            return
        if spec.manual:
            runner.finish(runner.result(spec, Outcome.PENDING, "awaiting sign-off", 0.0, {}, 0),
                           None)
            return
        started = runner.start(spec)
        try:
            outcome, summary, evidence, samples = await _loop(runner, spec, window, semaphore)
        except asyncio.CancelledError:
            runner.record_interrupted(spec)
            raise
        if outcome == Outcome.FAILED and spec.advisory:
            outcome = Outcome.WARNED
        result = runner.result(spec, outcome, summary, time.monotonic() - started, evidence,
                                samples)
        runner.finish(result, None)
    finally:
        runner.done(spec)


async def _loop(
    runner: WindowHost, spec: CheckSpec, window: _Window, semaphore: asyncio.Semaphore
) -> tuple[Outcome, str, dict[str, Any], int]:
    ctx = runner.ctx
    params = spec.params
    limit = params.failure_limit if isinstance(params, Signal) else 1
    state = WatchState(window=True)
    evidence: dict[str, Any] = {"window_s": window.duration, "interval_s": window.interval,
                                "failure_limit": limit}
    if isinstance(params, Signal) and params.wants_baseline():
        try:
            if has_baseline(ctx, params):
                state.baseline = baselines(ctx)[id(params)]
                evidence["baseline_taken"] = "before the deploy"
            else:
                state.baseline = await params.late_baseline(ctx)
                evidence["baseline_taken"] = "at the deploy's start, queried afterwards"
        except CheckProblem as exc:
            return Outcome.ERRORED, exc.message, evidence, 0
        evidence["baseline"] = state.baseline
    sample_timeout = min(spec.timeout, max(window.interval, MAX_SAMPLE_S))
    history: list[tuple[float, float | None]] = []
    breaches = errors = inconclusive = total_breaches = 0
    last: Sample | None = None
    k = 0
    while True:
        task = asyncio.ensure_future(_take(ctx, spec, state, sample_timeout, semaphore))
        stopper = asyncio.ensure_future(window.stop.wait())
        done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if task not in done:  # another check ended the window while this one was sampling
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            break
        got = task.result()
        state.samples += 1
        faults.point(f"watch.sample:{spec.id}")
        elapsed = time.monotonic() - window.start
        if got is None or isinstance(got, str):  # could not sample
            errors += 1
            problem = got or "sample failed"
            evidence["last_error"] = problem
            if errors >= ERROR_LIMIT:
                _halt(window, spec)
                _history(evidence, history)
                return (Outcome.ERRORED, f"could not be sampled {errors} times in a row: "
                        f"{problem}", evidence, state.samples)
        else:
            errors = 0
            last = got
            history.append((round(elapsed, 2), got.value))
            del history[:-HISTORY]
            if got.breached:
                breaches += 1
                total_breaches += 1
            else:
                breaches = 0
            inconclusive += got.inconclusive
            shown = replace(got, summary=ctx.redactor.text(got.summary), data={})
            runner.emit("watch_progress", WatchProgress(spec, shown, window.left(), breaches,
                                                         limit))
            if breaches >= limit:
                _halt(window, spec)
                evidence.update(got.data)
                evidence.update(samples=state.samples, breaches=total_breaches,
                                value=got.value, failed_at_s=round(elapsed, 2))
                _history(evidence, history)
                in_a_row = f", {breaches} samples in a row" if limit > 1 else ""
                return (Outcome.FAILED, f"{got.summary} after {format_duration(elapsed)}"
                        f"{in_a_row}", evidence, state.samples)
        k += 1
        next_at = window.start + k * window.interval
        if window.interval <= 0 or next_at > window.deadline + 1e-3:
            break
        while next_at < time.monotonic():  # a slow sample skips the slots it overran
            k += 1
            next_at = window.start + k * window.interval
        if next_at > window.deadline + 1e-3:
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(window.stop.wait(), next_at - time.monotonic())
        if window.stop.is_set():
            break
    _history(evidence, history)
    evidence.update(samples=state.samples, breaches=total_breaches,
                    inconclusive=inconclusive)
    if last is not None:
        evidence.update(last.data)
        evidence["value"] = last.value
    held = time.monotonic() - window.start
    if last is None:
        problem = evidence.get("last_error", "no sample was taken")
        if window.stopped_by is not None:
            return (Outcome.SKIPPED, f"not sampled: the window stopped when "
                    f"{window.stopped_by} failed", evidence, state.samples)
        return Outcome.ERRORED, f"could not be sampled: {problem}", evidence, state.samples
    if last.inconclusive:
        return (Outcome.PENDING, f"inconclusive: {last.summary} at the end of the window "
                f"({inconclusive} of {state.samples} samples); a person decides", evidence,
                state.samples)
    notes = []
    if total_breaches:
        notes.append(f"{total_breaches} breach{'es' if total_breaches > 1 else ''} under the "
                     f"failure_limit of {limit}")
    if inconclusive:
        notes.append(f"{inconclusive} inconclusive")
    note = f" ({'; '.join(notes)})" if notes else ""
    if window.stopped_by is not None and window.stopped_by != spec.id:
        return (Outcome.PASSED, f"held for {format_duration(held)} until the window stopped "
                f"({window.stopped_by} failed); last {last.summary}{note}", evidence,
                state.samples)
    plural = "s" if state.samples != 1 else ""
    return (Outcome.PASSED, f"held for {format_duration(window.duration)}: {state.samples} "
            f"sample{plural}, last {last.summary}{note}", evidence, state.samples)


def _halt(window: _Window, spec: CheckSpec) -> None:
    """A blocking check's failure ends the window for all; an advisory one's only for itself."""
    if not spec.advisory:
        window.halt(spec.id)


def _history(evidence: dict[str, Any], history: list[tuple[float, float | None]]) -> None:
    evidence["history"] = [[t, v] for t, v in history]


async def _take(
    ctx: CheckContext, spec: CheckSpec, state: WatchState, timeout: float,
    semaphore: asyncio.Semaphore,
) -> Sample | str:
    """One sample, or the reason none could be taken."""
    params = spec.params
    async with semaphore:
        try:
            if isinstance(params, Signal):
                return await asyncio.wait_for(params.sample(ctx, state), timeout)
            evidence = await asyncio.wait_for(params.run(ctx), timeout)
            return Sample(None, False, evidence.summary, data=evidence.data)
        except TimeoutError:  # a sample that does not come is no breach: it was not taken
            return f"no answer within {format_duration(timeout)}"
        except Exception as exc:  # the runner's mapping: failed is a breach, errored no sample
            outcome, message, evidence_data = outcome_of(exc, timeout, trace_limit=4)
            if "traceback" in evidence_data and not isinstance(exc, CheckProblem):
                ctx.progress(evidence_data["traceback"])  # recorded, never raised
            if outcome == Outcome.FAILED:
                return Sample(None, True, message, data=evidence_data)
            if outcome == Outcome.WARNED:
                return Sample(None, False, message, data=evidence_data)
            return message
