"""``markdown``: a summary fit for ``$GITHUB_STEP_SUMMARY`` or a PR comment."""

from __future__ import annotations

from gonogo.durations import format_duration
from gonogo.journal.store import RunRecord
from gonogo.reports.common import EMOJI, VERDICT_EMOJI, counts_line, verdict_of


def _cell(text: str) -> str:
    # titles and summaries are data, not markup: a `<script>` in an item must not render
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", " ").strip()


def render(record: RunRecord) -> str:
    verdict = verdict_of(record)
    name = record.meta.get("name") or "gonogo"
    lines = [
        f"## {VERDICT_EMOJI.get(verdict, '')} {name}: {verdict}".replace("  ", " "),
        "",
        f"Run `{record.id}`"
        + (f" · environment `{record.environment}`" if record.environment else "")
        + (f" · version `{record.version}`" if record.version else "")
        + f" · {counts_line(record)}",
        "",
        "| | Item | Phase | Time | Result |",
        "|---|---|---|---|---|",
    ]
    for r in record.results:
        lines.append(
            f"| {EMOJI[r.outcome]} | {_cell(r.title)} | {_cell(r.phase)} | "
            f"{format_duration(r.duration_s)} | {_cell(r.summary)} |"
        )
    return "\n".join(lines) + "\n"
