"""The verdict rule of product.md: GO when every blocking check passed or is waived; PENDING when
the only gaps are pending sign-offs; otherwise NO-GO. Advisory checks never block."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gonogo.core.outcomes import CheckResult, Outcome, Verdict, decide, exit_code

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def result(outcome: str, *, advisory: bool = False, expires: str | None = None) -> CheckResult:
    evidence = {"signoff": {"expires": expires}} if expires else {}
    return CheckResult(id=outcome, title=outcome, phase="p", kind="preflight", type="command",
                       outcome=Outcome(outcome), summary="", evidence=evidence, advisory=advisory)


@pytest.mark.parametrize(
    ("outcomes", "verdict"),
    [
        ([], Verdict.NO_GO),  # nothing passes by absence
        (["passed", "passed"], Verdict.GO),
        (["passed", "pending"], Verdict.PENDING),
        (["pending", "failed"], Verdict.NO_GO),
        (["failed"], Verdict.NO_GO),
        (["errored"], Verdict.NO_GO),
        (["skipped"], Verdict.NO_GO),
        (["warned"], Verdict.NO_GO),  # a blocking check that only warns has not passed
    ],
)
def test_blocking_outcomes(outcomes: list[str], verdict: Verdict) -> None:
    assert decide([result(o) for o in outcomes], NOW) == verdict


@pytest.mark.parametrize("outcome", ["failed", "errored", "warned", "skipped", "pending"])
def test_advisory_checks_never_block(outcome: str) -> None:
    assert decide([result("passed"), result(outcome, advisory=True)], NOW) == Verdict.GO


def test_a_waiver_counts_until_it_expires() -> None:
    later = (NOW + timedelta(days=1)).isoformat()
    earlier = (NOW - timedelta(seconds=1)).isoformat()
    assert decide([result("waived", expires=later)], NOW) == Verdict.GO
    assert decide([result("waived", expires=earlier)], NOW) == Verdict.NO_GO
    assert decide([result("waived", expires="2026-06-02")], NOW) == Verdict.GO  # naive = UTC
    assert decide([result("waived", expires="not a date")], NOW) == Verdict.NO_GO


def test_exit_codes() -> None:
    assert [exit_code(v) for v in (Verdict.GO, Verdict.NO_GO, Verdict.PENDING)] == [0, 1, 4]


def test_the_seven_outcomes() -> None:
    assert [str(o) for o in Outcome] == [
        "passed", "failed", "warned", "errored", "skipped", "pending", "waived"]
