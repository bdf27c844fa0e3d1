"""The ``hello`` report format: one line per check (``--report hello:PATH``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gonogo.plugin_api import RunRecord


def render(record: RunRecord) -> str:
    """``hello ID: OUTCOME — SUMMARY`` for each check of the run, in checklist order."""
    results = sorted(record.results, key=lambda r: r.position)
    return "".join(f"hello {r.id}: {r.outcome} — {r.summary}\n" for r in results)
