"""`gonogo runs`: the history of runs, newest first."""

from __future__ import annotations

import argparse
import json
import sys

from gonogo.commands._state import open_state
from gonogo.console import table
from gonogo.core.errors import NoState
from gonogo.journal.policy import as_enforced, expire_overdue
from gonogo.reports.common import counts_line, status_line, verdict_of
from gonogo.reports.json_report import run_summary


def main(args: argparse.Namespace) -> int:
    try:
        store = open_state(args)
    except NoState as missing:  # nothing ran here: an empty history, and nothing created
        print(f"gonogo: no runs yet (no state at {missing.location})", file=sys.stderr)
        if args.format == "json":
            print("[]")
        return 0
    try:
        expired = expire_overdue(store)  # past their sign-off deadline: NO-GO, as `show` says
        records = store.list_runs(limit=args.limit)
        as_enforced(records, expired)
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps([run_summary(r) for r in records], indent=2))
        return 0
    if not records:
        print(f"no runs recorded yet in {store.display}")
        return 0
    rows = [("RUN", "COMMAND", "ENV", "VERDICT", "STARTED (UTC)", "RESULTS")]
    rows += [(r.id, r.command, r.environment or "-", verdict_of(r),
              r.started_at.strftime("%Y-%m-%d %H:%M:%S"), counts_line(r)) for r in records]
    print("\n".join(table(rows)))
    notes = [f"{r.id}: {line}" for r in records
             if (r.status == "interrupted" and (r.resumable or r.rerun_hint)) or r.elsewhere
             if (line := status_line(r))]
    if notes:
        print()
        print("\n".join(notes))
    return 0
