"""What the runner and the watch window share below both: running coroutines so that none
outlives a cancellation, and the one mapping from what a check raised to an outcome."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Awaitable, Iterable
from typing import Any

from gonogo.core.durations import format_duration
from gonogo.core.errors import CheckError, CheckFailed, CheckProblem, CheckWarning
from gonogo.core.outcomes import Outcome


async def run_all(coroutines: Iterable[Awaitable[Any]]) -> None:
    """Run concurrently; when cancelled, cancel every one and wait until all have ended.

    ``asyncio.gather`` returns as soon as its first child is cancelled, leaving the others
    unwinding after the run is over: their results go unrecorded, their processes may live
    on, and asyncio prints "exception was never retrieved". Here nothing outlives the call.
    """
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        # every child records itself (interrupted) and stops its processes before this ends
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def outcome_of(exc: Exception, timeout: float, *, trace_limit: int = 8) -> tuple[Outcome, str, dict[str, Any]]:
    """What a check's exception means: ``CheckFailed`` → failed, ``CheckWarning`` → warned,
    ``CheckError`` (or a plugin's own ``CheckProblem``) → errored, a timeout → failed, and
    anything else → errored with its traceback as evidence (the runner, not the check,
    records the unexpected). Call it from an ``except Exception`` block."""
    if isinstance(exc, CheckFailed):
        return Outcome.FAILED, exc.message, exc.evidence
    if isinstance(exc, CheckWarning):
        return Outcome.WARNED, exc.message, exc.evidence
    if isinstance(exc, CheckError):
        return Outcome.ERRORED, exc.message, exc.evidence
    if isinstance(exc, TimeoutError):
        return Outcome.FAILED, f"timed out after {format_duration(timeout)}", {}
    if isinstance(exc, CheckProblem):
        return Outcome.ERRORED, exc.message, exc.evidence
    return (Outcome.ERRORED, f"unexpected error: {type(exc).__name__}: {exc}",
            {"traceback": traceback.format_exc(limit=trace_limit)})
