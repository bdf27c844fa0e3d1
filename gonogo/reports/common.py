"""Shared bits of the report formats: icons, counts, evidence as plain data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from gonogo.core.outcomes import CheckResult, Outcome
from gonogo.journal.schema import RunRecord

ICONS = {
    Outcome.PASSED: "✓",
    Outcome.FAILED: "✗",
    Outcome.WARNED: "⚠",
    Outcome.ERRORED: "!",
    Outcome.SKIPPED: "↷",
    Outcome.PENDING: "⏳",
    Outcome.WAIVED: "✍",
}

EMOJI = {
    Outcome.PASSED: "✅",
    Outcome.FAILED: "❌",
    Outcome.WARNED: "⚠️",
    Outcome.ERRORED: "💥",
    Outcome.SKIPPED: "⏭️",
    Outcome.PENDING: "⏳",
    Outcome.WAIVED: "✍️",
}

VERDICT_EMOJI = {"GO": "🟢", "NO-GO": "🔴", "PENDING": "🟡"}


def counts(record: RunRecord) -> dict[str, int]:
    tally = Counter(str(r.outcome) for r in record.results) if record.results else record.counts
    return {str(o): tally.get(str(o), 0) for o in Outcome}


def counts_line(record: RunRecord) -> str:
    parts = [f"{n} {name}" for name, n in counts(record).items() if n]
    return ", ".join(parts) or "no checks"


def evidence(result: CheckResult) -> dict[str, Any]:
    data: dict[str, Any] = {"summary": result.summary}
    data.update(result.evidence)
    if result.output_path:
        data["output_file"] = result.output_path
    if result.attempts > 1:
        data["attempts"] = result.attempts
    return data


def output_tail(result: CheckResult, lines: int = 15) -> str:
    """The last lines of captured output (already redacted when written)."""
    if not result.output_path:
        return ""
    try:
        with open(result.output_path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return ""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def signed_by(signoff: Mapping[str, Any]) -> str:
    """``alice (os user deploy@build-1)``: the name given with ``--by`` and who really ran
    the command; sign-offs recorded before gonogo kept the OS user say so."""
    os_user, host = signoff.get("os_user"), signoff.get("host")
    if not os_user:
        return f"{signoff.get('by')} (os user not recorded)"
    return f"{signoff.get('by')} (os user {os_user}@{host or '?'})"


def signoff_line(signoff: Mapping[str, Any]) -> str:
    """One sign-off as a line: when, which item, what was decided, by whom, and why."""
    line = f"{signoff.get('at')} {signoff.get('check_id')}: {signoff.get('decision')} by "
    line += signed_by(signoff)
    if signoff.get("note"):
        line += f" — {signoff['note']}"
    if signoff.get("expires"):
        line += f" (until {signoff['expires']})"
    return line


def verdict_of(record: RunRecord) -> str:
    """The verdict, or what the run is instead: INTERRUPTED (its process is gone, or Ctrl-C:
    whatever it decided before is not a verdict), RUNNING, or RUNNING? (on another host,
    whose process cannot be seen from here)."""
    if record.status == "interrupted":
        return "INTERRUPTED"
    if record.verdict:
        return record.verdict
    if record.status == "errored":
        return "ERRORED"
    return "RUNNING?" if record.elsewhere else "RUNNING"


def status_line(record: RunRecord) -> str | None:
    """One line on an unfinished run: why it is interrupted and how to resume it, or where it
    runs when this host cannot tell; None for a finished run."""
    if record.status == "interrupted":
        line = f"interrupted: {record.status_note or 'the run did not finish'}"
        if record.resume_hint:
            return line + f" — resume with `{record.resume_hint}`"
        return line + (f" — run it again: `{record.rerun_hint}`" if record.rerun_hint else "")
    if record.status == "running":
        return record.status_note or f"running (pid {record.pid} on {record.host})"
    return None
