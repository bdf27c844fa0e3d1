"""What the "after the deploy" signals share: a sample, thresholds (absolute or relative to a
baseline taken before the deploy), ``no_data`` and ``failure_limit``.

A *signal* is a check type that can be sampled repeatedly: it implements
``sample(ctx, state) -> Sample`` and, when it compares against the previous release,
``measure_baseline(ctx) -> float | None``. In a ``watch`` phase the engine (``gonogo.engine.watch``)
samples it every ``interval``; anywhere else ``run()`` takes one sample (``Signal.run``).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.core.errors import CheckError, CheckFailed
from gonogo.core.fields import Strict

NoData = Literal["fail", "pass", "inconclusive"]


@dataclass
class Sample:
    """One look at a signal: its value (None: no data), and whether it breached."""

    value: float | None
    breached: bool
    #: e.g. "0.034 > 0.01" or "no data (no_data: fail)".
    summary: str
    inconclusive: bool = False
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class WatchState:
    """What a signal keeps between its samples (one per check per window)."""

    baseline: float | None = None
    started: float = field(default_factory=time.monotonic)
    samples: int = 0
    memory: dict[str, Any] = field(default_factory=dict)
    #: True inside a watch window (samples follow each other); False for one-off runs.
    window: bool = False


# ---- thresholds -----------------------------------------------------------------------

_THRESHOLD = re.compile(
    r"^\s*(?P<op><=|>=|<|>)\s*(?:(?P<base>baseline)\s*(?:(?P<bop>[*+-])\s*(?P<bnum>[0-9.eE+-]+))?"
    r"|(?P<num>[0-9.eE+-]+))\s*$"
)
_OPS = {"<": lambda v, x: v < x, "<=": lambda v, x: v <= x,
        ">": lambda v, x: v > x, ">=": lambda v, x: v >= x}
_NEGATION = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}


@dataclass(frozen=True)
class Condition:
    """``value OP limit`` where limit is a number or ``baseline [*+-] number``."""

    op: str
    number: float | None = None
    base_op: str | None = None
    base_number: float | None = None
    relative: bool = False
    floor: float | None = None  # a relative limit is never stricter than this

    def limit(self, baseline: float | None) -> float | None:
        if not self.relative:
            return self.number
        if baseline is None:
            return None
        n = self.base_number if self.base_number is not None else 1.0
        value = {"*": baseline * n, "+": baseline + n, "-": baseline - n}.get(self.base_op or "*", baseline)
        if self.floor is not None:
            value = max(value, self.floor) if self.op in ("<", "<=") else min(value, self.floor)
        return value

    def text(self, baseline: float | None, fmt: Any = None) -> str:
        show = fmt or number
        if not self.relative:
            return f"{self.op} {show(self.number)}"
        expr = "baseline" + (f" {self.base_op} {number(self.base_number)}" if self.base_op else "")
        limit = self.limit(baseline)
        return f"{self.op} {expr}" + (f" = {show(limit)}" if limit is not None else "")


def parse_threshold(text: str) -> Condition:
    """``< 0.01``, ``<= baseline * 1.2``, ``<= baseline + 0.01``; ValueError otherwise."""
    match = _THRESHOLD.match(text)
    if not match:
        raise ValueError(f"expected a threshold like '< 0.01' or '<= baseline * 1.2', got {text!r}")
    try:
        if match["base"]:
            base_number = float(match["bnum"]) if match["bnum"] else None
            return Condition(match["op"], None, match["bop"], base_number, relative=True)
        return Condition(match["op"], float(match["num"]))
    except ValueError:
        raise ValueError(f"expected a threshold like '< 0.01' or '<= baseline * 1.2', got {text!r}") from None


class BaselineRule(Strict):
    """How far the value may move from the one measured before the deploy."""

    max_ratio: float | None = Field(default=None, gt=0)
    max_delta: float | None = Field(default=None, ge=0)
    min_ratio: float | None = Field(default=None, gt=0)
    #: The relative limit is never below this (a baseline of 0 would forbid any error).
    floor: float | None = None

    def conditions(self) -> list[Condition]:
        out = []
        if self.max_ratio is not None:
            out.append(Condition("<=", None, "*", self.max_ratio, True, self.floor))
        if self.max_delta is not None:
            out.append(Condition("<=", None, "+", self.max_delta, True, self.floor))
        if self.min_ratio is not None:
            out.append(Condition(">=", None, "*", self.min_ratio, True))
        return out


def number(value: float | None) -> str:
    if value is None:
        return "none"
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


def evaluate(
    value: float, conditions: list[Condition], baseline: float | None, fmt: Any = None
) -> tuple[bool, str]:
    """(breached, text) of ``value`` against every condition; the first violated one is named."""
    show = fmt or number
    for cond in conditions:
        limit = cond.limit(baseline)
        if limit is None:
            raise CheckError("no baseline: it is measured before the deploy (`gonogo deploy` "
                             "takes it), and none was taken for this run")
        if not _OPS[cond.op](value, limit):
            return True, f"{show(value)} {_NEGATION[cond.op]} {show(limit)}" + (
                f" (baseline {show(baseline)})" if cond.relative else "")
    if not conditions:
        return False, show(value)
    shown = " and ".join(c.text(baseline, show) for c in conditions)
    return False, f"{show(value)} ({shown})"


# ---- the signal base ------------------------------------------------------------------


class Signal(Check):
    """A check that can be sampled every interval of a watch window."""

    is_signal: ClassVar[bool] = True

    failure_limit: int = Field(default=1, ge=1)

    def wants_baseline(self) -> bool:
        return False

    async def measure_baseline(self, ctx: CheckContext) -> float | None:
        """The value before the deploy (only when ``wants_baseline()``)."""
        return None

    async def late_baseline(self, ctx: CheckContext) -> float | None:
        """A baseline when none was taken before the deploy: only a signal that can look
        back in time (Prometheus) has one; the others cannot tell."""
        raise CheckError("no baseline: it is measured before the deploy (`gonogo deploy` "
                         "takes it), and none was taken for this run")

    async def sample(self, ctx: CheckContext, state: WatchState) -> Sample:
        raise NotImplementedError

    async def run(self, ctx: CheckContext) -> Evidence:
        """Outside a watch window: one sample decides."""
        state = WatchState()
        if self.wants_baseline():
            state.baseline = (baseline_for(ctx, self) if has_baseline(ctx, self)
                              else await self.late_baseline(ctx))
        got = await self.sample(ctx, state)
        data = {"value": got.value, "baseline": state.baseline, **got.data}
        if got.breached:
            raise CheckFailed(got.summary, data)
        if got.inconclusive:
            raise CheckError(f"inconclusive: {got.summary}", data)
        return Evidence(got.summary, data)


def no_data_sample(policy: NoData, what: str, data: dict[str, Any] | None = None) -> Sample:
    """The sample for a signal that returned nothing, by its ``no_data`` policy."""
    if policy == "fail":
        return Sample(None, True, f"{what} (no_data: fail)", data=data or {})
    if policy == "pass":
        return Sample(None, False, f"{what} (no_data: pass)", data=data or {})
    return Sample(None, False, what, inconclusive=True, data=data or {})


def threshold_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class ThresholdMixin(Strict):
    """``max`` / ``min`` / ``threshold`` / ``baseline`` as signal fields."""

    max: float | None = None
    min: float | None = None
    threshold: str | list[str] | None = None
    baseline: BaselineRule | None = None

    @field_validator("threshold")
    @classmethod
    def _parse(cls, value: str | list[str] | None) -> str | list[str] | None:
        for text in threshold_list(value):
            parse_threshold(text)
        return value

    def conditions(self) -> list[Condition]:
        out = [parse_threshold(t) for t in threshold_list(self.threshold)]
        if self.max is not None:
            out.append(Condition("<=", self.max))
        if self.min is not None:
            out.append(Condition(">=", self.min))
        if self.baseline is not None:
            out.extend(self.baseline.conditions())
        return out

    def relative(self) -> bool:
        return any(c.relative for c in self.conditions())


# ---- baselines taken before the deploy -----------------------------------------------

_KEY = "watch_baselines"


def baselines(ctx: CheckContext) -> dict[int, float | None]:
    """This run's baselines, by the identity of the check's parameters. Kept on the run's
    context so every engine run of one deploy (gate, deploy, watch) sees them."""
    store: dict[int, float | None] = vars(ctx).setdefault(_KEY, {})
    return store


def baseline_for(ctx: CheckContext, check: Check) -> float | None:
    return baselines(ctx).get(id(check))


def has_baseline(ctx: CheckContext, check: Check) -> bool:
    return id(check) in baselines(ctx)
