"""``json``: the fixed machine-readable shape of product.md."""

from __future__ import annotations

import json
from typing import Any

from gonogo.journal.schema import RunRecord
from gonogo.reports.common import counts, evidence, status_line, verdict_of


def run_summary(record: RunRecord) -> dict[str, Any]:
    """The top of the shape, shared with `gonogo runs --format json`."""
    return {
        "run_id": record.id,
        "verdict": verdict_of(record),
        "exit_code": record.exit_code,
        "started_at": record.started_at.isoformat(),
        "finished_at": record.finished_at.isoformat() if record.finished_at else None,
        "command": record.command,
        "environment": record.environment,
        "version": record.version,
        "status": record.status,
        # why an unfinished run is interrupted (its process is gone, Ctrl-C), or where it runs
        "status_note": status_line(record),
        "resume": record.resume_hint,
        # who ran it, from the operating system (not a name anyone could type)
        "os_user": record.user,
        "host": record.host,
    }


def as_dict(record: RunRecord) -> dict[str, Any]:
    data = run_summary(record)
    data["name"] = record.meta.get("name")
    data["counts"] = counts(record)
    data["checks"] = [
        {
            "id": r.id,
            "title": r.title,
            "phase": r.phase,
            "outcome": str(r.outcome),
            "duration_s": r.duration_s,
            "evidence": evidence(r),
            "advisory": r.advisory,
            "type": r.type,
            "line": r.line,
            # every decision on the item, oldest first: the last one decides
            "signoffs": [_signoff(s) for s in record.signoffs if s.get("check_id") == r.id],
        }
        for r in record.results
    ]
    data["signoffs"] = [_signoff(s) for s in record.signoffs]
    return data


def _signoff(signoff: dict[str, Any]) -> dict[str, Any]:
    return {k: signoff.get(k) for k in ("check_id", "by", "decision", "note", "expires", "at",
                                        "os_user", "host")}


def render(record: RunRecord) -> str:
    return json.dumps(as_dict(record), indent=2, ensure_ascii=False, default=str) + "\n"
