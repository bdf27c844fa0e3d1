"""``checklist``: the source Markdown with boxes ticked and a short result after each item
(``— ✅ 0.4s``, ``— ❌ exit 1``, ``— ⏳ awaiting sign-off``, ``— ✍ signed off by NAME``);
every other byte unchanged. Only task-item lines change; results of command steps
(which sit on code-block lines) are not written into the document."""

from __future__ import annotations

from pathlib import Path

from gonogo.config.read import is_markdown
from gonogo.core.durations import format_duration
from gonogo.core.errors import UsageError
from gonogo.core.outcomes import CheckResult, Outcome
from gonogo.journal.schema import RunRecord
from gonogo.markdown.tickback import Mark, tick

SHORT = 60


def source_text(record: RunRecord) -> str:
    """The checklist as it was when the run started (copied into the run folder)."""
    candidates: list[Path] = []
    if record.run_dir is not None:
        candidates.append(record.run_dir / "source.md")
    for key in ("checklist", "source"):
        value = record.meta.get(key)
        if isinstance(value, str) and is_markdown(value):
            candidates.append(Path(value))
    for path in candidates:
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        return raw.decode("utf-8", errors="replace")
    raise UsageError(
        f"run {record.id} did not come from a Markdown checklist: the checklist report needs one "
        "(run `gonogo check -c CHECKLIST.md`, or a gonogo.yml with `checklist:`)"
    )


def _short(text: str) -> str:
    line = " ".join(text.split()).split(": ")[0]
    return line if len(line) <= SHORT else line[: SHORT - 1] + "…"


def result_text(result: CheckResult) -> str:
    signoff = result.evidence.get("signoff") if isinstance(result.evidence, dict) else None
    by = signoff.get("by") if isinstance(signoff, dict) else None
    outcome = result.outcome
    if outcome == Outcome.PASSED and by:
        return f"— ✍ signed off by {by}"
    if outcome == Outcome.WAIVED:
        until = signoff.get("expires") if isinstance(signoff, dict) else None
        return f"— ✍ waived by {by or 'someone'}" + (f" until {until}" if until else "")
    if outcome == Outcome.PASSED:
        return f"— ✅ {format_duration(result.duration_s)}"
    if outcome == Outcome.PENDING:
        return "— ⏳ awaiting sign-off"
    icon = {Outcome.FAILED: "❌", Outcome.WARNED: "⚠️", Outcome.ERRORED: "💥",
            Outcome.SKIPPED: "⏭"}.get(outcome, "")
    if outcome == Outcome.FAILED and by:
        return f"— ❌ rejected by {by}"
    return f"— {icon} {_short(result.summary)}"


def render(record: RunRecord) -> str:
    text = source_text(record)
    marks = {
        r.line: Mark(r.outcome in (Outcome.PASSED, Outcome.WAIVED), result_text(r))
        for r in record.results
        if r.line is not None
    }
    ticked = tick(text, marks)
    return ticked
