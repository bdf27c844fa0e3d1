"""``markdown``: a summary fit for ``$GITHUB_STEP_SUMMARY`` or a PR comment."""

from __future__ import annotations

from gonogo.core.durations import format_duration
from gonogo.journal.schema import RunRecord
from gonogo.reports.common import (
    EMOJI,
    VERDICT_EMOJI,
    counts_line,
    signed_by,
    status_line,
    verdict_of,
)


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
        *([f"**{_cell(status)}**", ""] if (status := status_line(record)) else []),
        "| | Item | Phase | Time | Result |",
        "|---|---|---|---|---|",
    ]
    for r in record.results:
        lines.append(
            f"| {EMOJI[r.outcome]} | {_cell(r.title)} | {_cell(r.phase)} | "
            f"{format_duration(r.duration_s)} | {_cell(r.summary)} |"
        )
    if record.signoffs:
        lines += ["", "**Sign-offs**", "", "| When (UTC) | Item | Decision | By | Note |",
                  "|---|---|---|---|---|"]
        for s in record.signoffs:
            note = (s.get("note") or "") + (f" (until {s['expires']})" if s.get("expires") else "")
            lines.append(f"| {_cell(str(s.get('at')))} | {_cell(str(s.get('check_id')))} | "
                         f"{_cell(str(s.get('decision')))} | {_cell(signed_by(s))} | "
                         f"{_cell(note)} |")
    if record.user:
        lines += ["", f"Run by `{record.user}` on `{record.host}`, started "
                      f"{record.started_at:%Y-%m-%d %H:%M:%S} UTC."]
    return "\n".join(lines) + "\n"
