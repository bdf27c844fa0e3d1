"""The journal's rows as records, without SQLAlchemy: what a run, its results and its audit
rows look like in Python and as column values.

Kept apart from ``schema`` (the tables) so that a gate run on a SQLite journal, which writes
these rows with the standard library's ``sqlite3`` (``gonogo.journal.lite``), imports no
SQLAlchemy: importing it cost more than the rest of a small gate's start-up.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gonogo.core.clock import from_iso, iso
from gonogo.core.errors import StateError
from gonogo.core.outcomes import CheckResult, Outcome


def iso_or_none(value: datetime | None) -> str | None:
    return iso(value) if value else None


@dataclass
class RunRecord:
    """A run as stored: what reports and `show` read."""

    id: str
    command: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    verdict: str | None
    exit_code: int | None
    environment: str | None = None
    version: str | None = None
    config_path: str | None = None
    user: str | None = None
    host: str | None = None
    pid: int | None = None
    pid_start: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    results: list[CheckResult] = field(default_factory=list)
    signoffs: list[dict[str, Any]] = field(default_factory=list)
    run_dir: Path | None = None
    #: Outcome tallies when results were not loaded (``list_runs``).
    counts: dict[str, int] = field(default_factory=dict)
    #: Why the run is interrupted, or where it runs when this host cannot tell (see ``judge``).
    status_note: str | None = None
    #: Left ``running`` on another host: whether its process lives cannot be told from here.
    elsewhere: bool = False

    @property
    def resumable(self) -> bool:
        """An interrupted deploy or rollback (not a dry run) continues with `gonogo resume`."""
        return (self.status == "interrupted" and self.command in ("deploy", "rollback")
                and not self.meta.get("dry_run"))

    @property
    def resume_hint(self) -> str | None:
        return f"gonogo resume {self.id}" if self.resumable else None

    @property
    def rerun_hint(self) -> str | None:
        """An interrupted restore or backup is not resumed but run again: a restore leaves
        its target as it was or fully restored (the next one drops the scratch database a
        killed one left), a backup writes its manifest last."""
        if self.status != "interrupted":
            return None
        source, target = self.meta.get("source"), self.meta.get("target")
        if self.command == "restore" and source and target:
            return f"gonogo restore --from {source} --to {target}"
        if self.command == "backup":
            return "gonogo backup" + (f" --env {self.environment}" if self.environment else "")
        return None

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


def find_item(record: RunRecord, item: str) -> CheckResult:
    for result in record.results:
        if result.id == item:
            return result
    lowered = item.strip().lower()
    matches = [r for r in record.results if lowered and lowered in r.title.lower()]
    if len(matches) == 1:
        return matches[0]
    if item.isdigit():
        by_line = [r for r in record.results if r.line == int(item)]
        if len(by_line) == 1:
            return by_line[0]
    if len(matches) > 1:
        names = ", ".join(r.id for r in matches[:5])
        raise StateError(f"{item!r} matches several items of run {record.id}: {names}")
    pending = ", ".join(r.id for r in record.results if r.outcome == Outcome.PENDING) or "none"
    raise StateError(f"no item {item!r} in run {record.id} (pending items: {pending})")


def result_values(result: CheckResult) -> dict[str, Any]:
    return {
        "check_id": result.id,
        "title": result.title,
        "phase": result.phase,
        "kind": result.kind,
        "type": result.type,
        "outcome": str(result.outcome),
        "summary": result.summary,
        "duration_s": result.duration_s,
        "evidence": json.dumps(result.evidence, default=str),
        "advisory": result.advisory,
        "attempts": result.attempts,
        "line": result.line,
        "started_at": iso_or_none(result.started_at),
        "finished_at": iso_or_none(result.finished_at),
    }


def result_from_mapping(m: Mapping[str, Any]) -> CheckResult:
    """A result from its row (SQLAlchemy's ``row._mapping`` or a ``sqlite3.Row``)."""
    return CheckResult(
        id=m["check_id"],
        title=m["title"],
        phase=m["phase"],
        kind=m["kind"],
        type=m["type"],
        outcome=Outcome(m["outcome"]),
        summary=m["summary"],
        duration_s=m["duration_s"],
        evidence=json.loads(m["evidence"] or "{}"),
        advisory=bool(m["advisory"]),
        attempts=m["attempts"],
        line=m["line"],
        started_at=from_iso(m["started_at"]),
        finished_at=from_iso(m["finished_at"]),
        output_path=m["output_path"],
        position=m["seq"],
    )


def run_from_mapping(m: Mapping[str, Any], runs_dir: Path) -> RunRecord:
    """A run from its ``runs`` row (its results and sign-offs not loaded)."""
    meta = json.loads(m["meta"] or "{}")
    return RunRecord(
        id=m["id"],
        command=m["command"],
        status=m["status"],
        started_at=from_iso(m["started_at"]) or datetime.now(UTC),
        finished_at=from_iso(m["finished_at"]),
        verdict=m["verdict"],
        exit_code=m["exit_code"],
        environment=m["environment"],
        version=m["version"],
        config_path=m["config_path"],
        user=m["user"],
        host=m["host"],
        pid=m["pid"],
        pid_start=m["pid_start"],
        meta=meta,
        run_dir=runs_dir / m["id"],
        status_note=meta.get("interrupted") if m["status"] == "interrupted" else None,
    )


def cli_source() -> str:
    return f"cli on {socket.gethostname()}"


def audit_values(action: str, actor: str, *, source: str | None = None,
                 run_id: str | None = None, target: str | None = None,
                 detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """One ``audit`` row's values (``gonogo.journal.audit`` owns the table)."""
    return {"at": datetime.now(UTC).isoformat(timespec="milliseconds"), "actor": actor,
            "action": action, "run_id": run_id, "target": target,
            "source": source or cli_source(),
            "detail": json.dumps(detail or {}, default=str, sort_keys=True)}
