"""The seven outcomes, the verdict rule and the exit codes of product.md."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from gonogo.core import errors
from gonogo.core.clock import now


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    WARNED = "warned"
    ERRORED = "errored"
    SKIPPED = "skipped"
    PENDING = "pending"
    WAIVED = "waived"


class Verdict(StrEnum):
    GO = "GO"
    NO_GO = "NO-GO"
    PENDING = "PENDING"


#: Outcomes that let dependents run.
SATISFIED = frozenset({Outcome.PASSED, Outcome.WARNED, Outcome.WAIVED})


@dataclass
class CheckResult:
    """One item's result, as journaled and reported. Text fields are already redacted."""

    id: str
    title: str
    phase: str
    kind: str
    type: str
    outcome: Outcome
    summary: str
    duration_s: float = 0.0
    evidence: dict[str, Any] = field(default_factory=dict)
    advisory: bool = False
    attempts: int = 0
    line: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    output_path: str | None = None
    #: Position of the item in the plan (checklist order), whatever order results arrive in.
    position: int = 0

    @property
    def blocking(self) -> bool:
        return not self.advisory


def waiver_expired(result: CheckResult, at: datetime | None = None) -> bool:
    expires = result.evidence.get("signoff", {}).get("expires") if result.evidence else None
    if result.outcome != Outcome.WAIVED or not expires:
        return False
    moment = at or now()
    try:
        until = datetime.fromisoformat(str(expires))
    except ValueError:
        return True
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    return until < moment


def decide(results: Iterable[CheckResult], at: datetime | None = None) -> Verdict:
    """GO when every blocking check passed or is waived (and the waiver is unexpired);
    PENDING when the only gaps are pending sign-offs; otherwise NO-GO. No result at all is
    NO-GO: nothing passes by absence. A skipped check has not passed: NO-GO when blocking."""
    pending = False
    seen = False
    for result in results:
        seen = True
        if not result.blocking:
            continue
        if result.outcome == Outcome.PASSED:
            continue
        if result.outcome == Outcome.WAIVED and not waiver_expired(result, at):
            continue
        if result.outcome == Outcome.PENDING:
            pending = True
            continue
        return Verdict.NO_GO
    if not seen:
        return Verdict.NO_GO
    return Verdict.PENDING if pending else Verdict.GO


def exit_code(verdict: Verdict) -> int:
    return {
        Verdict.GO: errors.EXIT_GO,
        Verdict.NO_GO: errors.EXIT_NOGO,
        Verdict.PENDING: errors.EXIT_PENDING,
    }[verdict]
