"""`gonogo runs`: the history of runs, newest first."""

from __future__ import annotations

import argparse
import json
import sys

from gonogo.commands._state import open_state
from gonogo.errors import NoState
from gonogo.reports.common import counts_line, verdict_of
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
        records = store.list_runs(limit=args.limit)
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps([run_summary(r) for r in records], indent=2))
        return 0
    if not records:
        print(f"no runs recorded yet in {store.display}")
        return 0
    print(f"{'RUN':<22} {'COMMAND':<8} {'ENV':<12} {'VERDICT':<8} {'STARTED (UTC)':<20} RESULTS")
    for r in records:
        print(
            f"{r.id:<22} {r.command:<8} {(r.environment or '-'):<12} {verdict_of(r):<8} "
            f"{r.started_at.strftime('%Y-%m-%d %H:%M:%S'):<20} {counts_line(r)}"
        )
    return 0
