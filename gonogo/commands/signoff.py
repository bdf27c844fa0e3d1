"""`gonogo signoff RUN ITEM --by NAME`: record a human decision; the run's verdict follows."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

from gonogo.commands._state import open_run_state
from gonogo.core.errors import UsageError
from gonogo.core.outcomes import Verdict, exit_code
from gonogo.journal.signoffs import sign
from gonogo.reports.common import verdict_of


def _expiry(text: str) -> str:
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


def main(args: argparse.Namespace) -> int:
    if not args.by.strip():
        raise UsageError("--by: expected the name of the person signing off")
    if args.waive and not args.expires:
        raise UsageError("--waive needs --expires DATE: an accepted risk must end")
    if args.waive and not args.note:
        raise UsageError("--waive needs --note: say why the risk is accepted")
    if args.expires and not args.waive:
        raise UsageError("--expires goes with --waive")
    decision = "waived" if args.waive else "rejected" if args.reject else "approved"
    expires = _expiry(args.expires) if args.expires else None
    store = open_run_state(args)
    try:
        # appended, never replacing an earlier decision; the item follows the latest one
        record, item_id = sign(store, args.run, args.item, by=args.by, decision=decision,
                               note=args.note, expires=expires)
    finally:
        store.close()
    verdict = verdict_of(record)
    changed = next(r for r in record.results if r.id == item_id)
    print(f"{changed.id}: {changed.outcome} — {changed.summary}")
    print(f"run {record.id} is now {verdict}")
    return exit_code(Verdict(verdict)) if verdict in ("GO", "NO-GO", "PENDING") else 0
