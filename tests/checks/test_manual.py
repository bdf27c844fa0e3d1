"""``manual``: a human produces the evidence; the runner records it as pending."""

from __future__ import annotations

from pathlib import Path

from gonogo.core.outcomes import Outcome
from testing.checks import run_check


def test_a_manual_item_is_pending_without_running(tmp_path: Path) -> None:
    result, output = run_check("manual", {"instructions": "Log in and place an order"}, tmp_path)
    assert (result.outcome, result.summary, output) == (Outcome.PENDING, "awaiting sign-off", None)
    assert result.attempts == 0


def test_the_reason_shows_in_the_summary(tmp_path: Path) -> None:
    result, _ = run_check("manual", {"reason": "no automated check for this item"}, tmp_path)
    assert result.summary == "awaiting sign-off (no automated check for this item)"


def test_an_advisory_manual_item_is_still_pending(tmp_path: Path) -> None:
    result, _ = run_check("manual", {}, tmp_path, advisory=True)
    assert result.outcome == Outcome.PENDING
