"""The sign-off rules of one run, fixed when it starts and kept in its ``meta``.

* four-eyes: whoever started the run may not approve or waive its items, unless the config
  says ``allow_self_approval: true``;
* ``approvals: N``: an item passes once N distinct people approved it (per environment,
  or per item on a ``manual`` check); a rejection starts the count again;
* ``signoff_within: 2h``: a pending item not signed off by then fails the run, instead of
  the run waiting forever.

Recorded with the run so that a later change of the config cannot loosen the rules of a
run already waiting for its sign-offs.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from gonogo.core.errors import UsageError
from gonogo.core.outcomes import CheckResult, Outcome, Verdict, decide, exit_code
from gonogo.journal.records import RunRecord

if TYPE_CHECKING:
    from gonogo.journal.store import Store

META_KEY = "signoff_policy"


class SignoffRefused(UsageError):
    """The rules forbid this person this decision (four-eyes, past the deadline)."""


def parse_expiry(text: str) -> str:
    """A waiver's end: a date (the end of that day, UTC) or an ISO time, in the future."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
    except ValueError:
        raise UsageError(f"--expires {text!r}: expected a date like 2026-12-31 or an ISO time") from None
    if moment <= datetime.now(UTC):
        raise UsageError(f"--expires {text!r} is in the past")
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class Policy:
    allow_self_approval: bool = False
    approvals: int = 1
    items: Mapping[str, int] = field(default_factory=dict)
    deadline: str | None = None  # ISO time

    def to_meta(self) -> dict[str, Any]:
        return {"allow_self_approval": self.allow_self_approval, "approvals": self.approvals,
                "items": dict(self.items), "deadline": self.deadline}


def make(*, allow_self_approval: bool, approvals: int, items: Mapping[str, int],
         within_s: float | None, started: datetime | None = None) -> Policy:
    deadline = None
    if within_s is not None:
        at = (started or datetime.now(UTC)) + timedelta(seconds=within_s)
        deadline = at.isoformat(timespec="seconds")
    return Policy(allow_self_approval, approvals, dict(items), deadline)


def of(record: RunRecord) -> Policy:
    """The run's rules; a run recorded before rules existed gets the defaults (four-eyes)."""
    raw = record.meta.get(META_KEY)
    if not isinstance(raw, dict):
        return Policy()
    return Policy(bool(raw.get("allow_self_approval", False)), int(raw.get("approvals") or 1),
                  {str(k): int(v) for k, v in (raw.get("items") or {}).items()},
                  raw.get("deadline"))


def starter(record: RunRecord) -> str | None:
    """Who started the run: the identity that asked for it, else the OS user."""
    return str(record.meta.get("started_by") or record.user or "") or None


def admit(rules: Policy, record: RunRecord, target: CheckResult, *, by: str,
          decision: str) -> None:
    """Refuse a decision the rules do not allow (UsageError: nothing recorded)."""
    if rules.deadline and _now() > _parse(rules.deadline):
        raise SignoffRefused(f"run {record.id}: the sign-off deadline {rules.deadline} has passed; "
                         "its pending items failed — start a new run")
    who = starter(record)
    if (decision in ("approved", "waived") and not rules.allow_self_approval and who
            and by.strip().lower() == who.lower()):
        raise SignoffRefused(f"{by} started run {record.id} and cannot approve its items "
                         "(four-eyes; `allow_self_approval: true` in the config opts out)")


def approvers(decisions: Sequence[Mapping[str, Any]]) -> list[str]:
    """Distinct approvers since the last rejection or waiver, in order."""
    names: list[str] = []
    for decision in decisions:
        if decision.get("decision") != "approved":
            names = []
            continue
        name = str(decision.get("by"))
        if name.lower() not in (n.lower() for n in names):
            names.append(name)
    return names


def required(rules: Policy, target: CheckResult) -> int:
    return max(1, rules.items.get(target.id, rules.approvals))


def enforce_deadline(store: Store, record: RunRecord) -> RunRecord:
    """Past its deadline, a run's pending items fail and its verdict follows; recorded once,
    the same fact for every reader (like a dead run marked interrupted)."""
    rules = of(record)
    pending = [r for r in record.results if r.outcome == Outcome.PENDING]
    if not rules.deadline or not pending or _now() <= _parse(rules.deadline):
        return record
    summary = f"no sign-off by the deadline {rules.deadline}"
    for result in pending:
        result.outcome, result.summary = Outcome.FAILED, summary
    finished_gate = record.command in ("check", "demo") or record.status != "running"
    decided = finished_gate and record.status != "interrupted"
    if decided:
        verdict = decide(record.results)
        record.verdict, record.exit_code = str(verdict), exit_code(verdict)
    # here, not at the top: a gate run reads its rules (``make``) without SQLAlchemy
    import sqlalchemy as sa

    from gonogo.journal import audit
    from gonogo.journal.schema import results, runs

    try:
        with store.engine.begin() as conn:
            changed = 0
            for result in pending:
                changed += conn.execute(
                    results.update()
                    .where((results.c.run_id == record.id) & (results.c.check_id == result.id)
                           & (results.c.outcome == str(Outcome.PENDING)))
                    .values(outcome=str(Outcome.FAILED), summary=summary,
                            evidence=json.dumps({**result.evidence, "deadline": rules.deadline},
                                                default=str))).rowcount
            if not changed:
                return record  # another reader recorded it first: one audit row, not two
            if decided:
                conn.execute(runs.update().where(runs.c.id == record.id)
                             .values(verdict=record.verdict, exit_code=record.exit_code))
            audit.record(conn, "run-finished", "gonogo", run_id=record.id,
                         detail={"deadline": rules.deadline, "failed": [r.id for r in pending]})
    except sa.exc.SQLAlchemyError:
        pass  # a store this process cannot write: shown as failed all the same
    return record


def past_deadline(meta: str | Mapping[str, Any] | None) -> bool:
    """Whether a run's sign-off deadline (in its ``meta``, as stored or parsed) has passed."""
    data = json.loads(meta or "{}") if not isinstance(meta, Mapping) else meta
    rules = data.get(META_KEY) if isinstance(data, Mapping) else None
    deadline = rules.get("deadline") if isinstance(rules, Mapping) else None
    try:
        return isinstance(deadline, str) and _now() > _parse(deadline)
    except ValueError:
        return False


def expire_overdue(store: Store) -> dict[str, RunRecord]:
    """Apply ``enforce_deadline`` to every run still PENDING whose deadline has passed, so that
    lists, the overview and the status endpoint say what the run's own page says. Cheap: it
    reads only the PENDING runs' ids and rules, and loads only the overdue ones (by id)."""
    import sqlalchemy as sa

    from gonogo.journal.schema import runs

    with store.engine.connect() as conn:
        waiting = conn.execute(sa.select(runs.c.id, runs.c.meta)
                               .where(runs.c.verdict == str(Verdict.PENDING))).all()
    return {row.id: enforce_deadline(store, store.load_run(row.id))
            for row in waiting if past_deadline(row.meta)}


def as_enforced(records: Sequence[RunRecord], expired: Mapping[str, RunRecord]) -> None:
    """Listed runs (counts, no results) as ``expire_overdue`` left them: also right where the
    store could not be written (the failed items are then known in memory only)."""
    for record in records:
        done = expired.get(record.id)
        if done is not None:
            record.verdict, record.exit_code = done.verdict, done.exit_code
            record.counts = dict(Counter(str(r.outcome) for r in done.results))


def _now() -> datetime:
    return datetime.now(UTC)


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
