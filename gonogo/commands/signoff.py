"""`gonogo signoff RUN ITEM --by NAME`: record a human decision; the run's verdict follows."""

from __future__ import annotations

import argparse

from gonogo.commands._state import open_run_state
from gonogo.core.errors import UsageError
from gonogo.core.outcomes import Verdict, exit_code
from gonogo.journal.audit import cli_source
from gonogo.journal.policy import enforce_deadline, parse_expiry
from gonogo.journal.signoffs import sign
from gonogo.reports.common import verdict_of


def _expiry(text: str) -> str:
    return parse_expiry(text)


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
        enforce_deadline(store, store.load_run(args.run))
        record, item_id = sign(store, args.run, args.item, by=args.by.strip(), decision=decision,
                               note=args.note, expires=expires, source=cli_source())
    finally:
        store.close()
    verdict = verdict_of(record)
    changed = next(r for r in record.results if r.id == item_id)
    print(f"{changed.id}: {changed.outcome} — {changed.summary}")
    print(f"run {record.id} is now {verdict}")
    return exit_code(Verdict(verdict)) if verdict in ("GO", "NO-GO", "PENDING") else 0
