"""Sign-offs: human decisions on a run's items, kept append-only, and the rules that turn
them into the item's outcome.

Every decision (approve, reject, waive) is its own row in ``signoffs``: who (``--by``), the
OS user and host that ran the command, when, the note and a waiver's expiry. Nothing is
replaced: a later ``--reject`` by someone else is a new row, and the item's outcome (and so
the run's verdict) follows the latest decision. The item's own, automated outcome is what
the first decision found (``previous_outcome``); it decides what may be approved.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from gonogo.core.errors import UsageError
from gonogo.core.outcomes import CheckResult, Outcome, decide, exit_code
from gonogo.identity import os_user
from gonogo.journal.schema import RunRecord, find_item, iso_or_none, results, runs, signoffs
from gonogo.journal.store import Store

#: What each decision makes of the item.
OUTCOMES = {"approved": Outcome.PASSED, "rejected": Outcome.FAILED, "waived": Outcome.WAIVED}
VERBS = {"approved": "signed off", "rejected": "rejected", "waived": "waived"}


def history(record: RunRecord, check_id: str) -> list[dict[str, Any]]:
    """Every decision on one item, oldest first (the last one decides)."""
    return [s for s in record.signoffs if s.get("check_id") == check_id]


def automated_outcome(result: CheckResult, decisions: Sequence[Mapping[str, Any]]) -> Outcome:
    """The outcome the run itself gave the item, before any person decided."""
    first = decisions[0].get("previous_outcome") if decisions else None
    return Outcome(first) if first else result.outcome


def summary_of(decision: Mapping[str, Any]) -> str:
    text = f"{VERBS[str(decision['decision'])]} by {decision['by']}"
    if decision.get("note"):
        text += f": {decision['note']}"
    if decision.get("expires"):
        text += f" (until {decision['expires']})"
    return text


def sign(store: Store, ref: str, item: str, *, by: str, decision: str, note: str | None,
         expires: str | None) -> tuple[RunRecord, str]:
    """Append one decision on one item and re-decide the item and the run; returns the run
    as it is now and the item's id.

    One transaction that first writes the run's row (a no-op update): SQLite then holds its
    write lock and PostgreSQL that row's lock, so concurrent sign-offs of a run take turns and
    the decision appended last is the one the item shows.
    """
    run_id = store.resolve(ref)
    at = datetime.now(UTC)
    with store.engine.begin() as conn:
        conn.execute(runs.update().where(runs.c.id == run_id).values(command=runs.c.command))
        record = store.load_run(run_id, conn=conn)
        target = find_item(record, item)
        before = history(record, target.id)
        automated = automated_outcome(target, before)
        if decision == "approved" and target.type != "manual" and automated != Outcome.PASSED:
            raise UsageError(
                f"{target.id} is an automated check that {automated}; its evidence cannot be "
                "signed away — use --waive --expires DATE --note WHY to accept the risk")
        entry = {"by": by, "decision": decision, "note": note, "expires": expires,
                 "at": iso_or_none(at), "os_user": os_user(), "host": socket.gethostname()}
        conn.execute(signoffs.insert().values(run_id=run_id, check_id=target.id,
                                              previous_outcome=str(target.outcome), **entry))
        evidence = {**target.evidence, "signoff": entry, "signoffs": len(before) + 1}
        if automated != Outcome.PENDING and "automated_summary" not in evidence:
            evidence["automated_summary"] = target.summary
        target.outcome, target.summary = OUTCOMES[decision], summary_of(entry)
        target.evidence = evidence
        conn.execute(
            results.update()
            .where((results.c.run_id == run_id) & (results.c.check_id == target.id))
            .values(outcome=str(target.outcome), summary=target.summary,
                    evidence=json.dumps(evidence, default=str), finished_at=iso_or_none(at)))
        finished_gate = record.command in ("check", "demo") or record.status != "running"
        if finished_gate and record.status != "interrupted":  # an interrupted run has no verdict
            verdict = decide(record.results)
            conn.execute(runs.update().where(runs.c.id == run_id)
                         .values(verdict=str(verdict), exit_code=exit_code(verdict)))
    return store.load_run(run_id), target.id

