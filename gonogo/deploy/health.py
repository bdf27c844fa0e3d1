"""Health gates: a service counts as healthy when the platform says so (a container with a
HEALTHCHECK only once Docker reports ``healthy``; task state) and its ``health.url`` /
``health.command`` answer — polled until ``within``.

A definitive platform failure (crashed, crash-looping, Docker's own healthcheck gave up)
ends the wait at once: there is no point waiting out ``within`` for a release that died.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from gonogo import faults
from gonogo.checks.base import CheckContext
from gonogo.config.model import HealthModel
from gonogo.core.durations import format_duration
from gonogo.core.errors import CheckProblem
from gonogo.drivers.base import Driver, DriverError
from gonogo.targets.local import run_process

DEFAULT_WITHIN_S = 60.0
PROBE_TIMEOUT_S = 5.0


@dataclass
class HealthReport:
    healthy: bool
    summary: str
    probes: int
    #: Wall-clock times (epoch seconds) for benchmarks and evidence.
    first_failure_at: float | None = None
    healthy_at: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)


async def probe_url(health: HealthModel, ctx: CheckContext) -> str | None:
    """One HTTP probe: None when it answers with the expected status, else why not."""
    if not health.url:
        return None
    from gonogo.checks.http import HttpCheck

    # durations carry their unit (gonogo.core.durations): a bare number is refused
    check = HttpCheck.model_validate({"url": health.url, "request_timeout": f"{PROBE_TIMEOUT_S:g}s",
                                      "expect": {"status": health.status}})
    try:
        await asyncio.wait_for(check.run(ctx), PROBE_TIMEOUT_S + 1)
    except CheckProblem as exc:
        return exc.message
    except TimeoutError:
        return f"GET {health.url}: no answer within {PROBE_TIMEOUT_S:g}s"
    return None


async def probe_command(health: HealthModel, ctx: CheckContext, env: dict[str, str]) -> str | None:
    if not health.command:
        return None
    try:
        result = await run_process(["/bin/sh", "-c", health.command], cwd=ctx.workdir,
                                   env={**ctx.env, **env}, timeout=PROBE_TIMEOUT_S * 6)
    except OSError as exc:
        return f"health command: {exc}"
    if result.exit_code == 0:
        return None
    text = (result.stderr or result.stdout).strip().splitlines()
    last = ctx.redactor.text(text[-1].strip()[:160]) if text else ""
    return f"health command exit {result.exit_code}" + (f": {last}" if last else "")


async def wait_healthy(
    driver: Driver,
    ctx: CheckContext,
    *,
    env: dict[str, str] | None = None,
    within: float | None = None,
) -> HealthReport:
    """Poll the driver and the service's probes until healthy, a definitive failure, or
    ``within`` runs out."""
    health = driver.spec.health or HealthModel()
    limit = within if within is not None else (health.within or DEFAULT_WITHIN_S)
    started = time.monotonic()
    probes = 0
    first_failure: float | None = None
    reason = "not probed"
    in_a_row = 0  # probes of a service the platform reports up that failed, consecutively
    while True:
        probes += 1
        try:
            platform = await driver.health()
        except DriverError as exc:
            platform_state, reason = "starting", exc.message
        else:
            platform_state, reason = platform.state, platform.reason
        faults.point(f"health.probe:{driver.spec.name}")
        # "running": up without a health status Docker defines; the service's own probe may
        # decide. "starting" (Docker's `health: starting`) never passes: wait for `healthy`.
        if platform_state == "healthy" or (platform_state == "running" and health.url):
            problem = await probe_url(health, ctx) or await probe_command(health, ctx, env or {})
            if problem is None:
                return HealthReport(True, _ok_summary(health, reason, probes, started), probes,
                                    first_failure, time.time())
            reason = problem
            in_a_row += 1
            if health.failures is not None and in_a_row >= health.failures:
                return HealthReport(False, f"{in_a_row} probes in a row failed: {reason}", probes,
                                    first_failure if first_failure is not None else time.time())
        else:
            in_a_row = 0
        if first_failure is None:
            first_failure = time.time()
        if platform_state in ("failed", "unhealthy"):
            return HealthReport(False, reason, probes, first_failure)
        elapsed = time.monotonic() - started
        if elapsed + health.interval > limit:
            return HealthReport(
                False, f"not healthy within {format_duration(limit)}: {reason}", probes,
                first_failure)
        await asyncio.sleep(health.interval)


def _ok_summary(health: HealthModel, platform: str, probes: int, started: float) -> str:
    parts = [platform]
    if health.url:
        parts.append(f"{health.url} → {health.status}")
    if health.command:
        parts.append("health command ok")
    took = format_duration(time.monotonic() - started)
    return "; ".join(parts) + f" (after {probes} probe{'s' if probes != 1 else ''}, {took})"
