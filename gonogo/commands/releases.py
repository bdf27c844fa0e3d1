"""`gonogo releases [--env E]`: per environment, which version of each service is live,
since when, by whom, from which run — and the release history."""

from __future__ import annotations

import argparse
import json
import sys

from gonogo.commands._state import open_state
from gonogo.errors import NoState


def main(args: argparse.Namespace) -> int:
    from gonogo.journal.releases import ReleaseStore

    try:
        store = open_state(args)
    except NoState as missing:  # nothing ran here: no releases, and nothing created
        print(f"gonogo: no releases yet (no state at {missing.location})", file=sys.stderr)
        if args.format == "json":
            print(json.dumps({"live": [], "releases": []}, indent=2))
        return 0
    try:
        releases = ReleaseStore(store.engine)
        live = releases.live(args.env)
        history = releases.history(args.env, limit=args.limit)
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps({
            "live": [{"environment": s.environment, "service": s.service, "version": s.version,
                      "image": s.image, "since": s.since.isoformat(), "by": s.user,
                      "run_id": s.run_id, "state": s.state} for s in live],
            "releases": [{"run_id": r.run_id, "environment": r.environment,
                          "version": r.version, "status": r.status, "verified": r.verified,
                          "command": r.command, "started_at": r.started_at.isoformat(),
                          "by": r.user, "note": r.note} for r in history],
        }, indent=2))
        return 0
    if not live and not history:
        print("no releases recorded yet" + (f" for {args.env}" if args.env else ""))
        return 0
    environments = sorted({s.environment for s in live} | {r.environment for r in history})
    for env in environments:
        print(f"{env}:")
        rows = [s for s in live if s.environment == env]
        if rows:
            table: list[tuple[str, ...]] = [("SERVICE", "VERSION", "IMAGE", "SINCE (UTC)", "BY", "RUN")]
            for s in rows:
                version = s.version or "UNKNOWN (rollback failed)"
                table.append((s.service, version, s.image or "-",
                              f"{s.since:%Y-%m-%d %H:%M:%S}", s.user or "-", s.run_id or "-"))
            _print_table(table, "  ")
        rel = [r for r in history if r.environment == env]
        if rel:
            print("  releases (newest first):")
            table = [("VERSION", "STATUS", "VERIFIED", "COMMAND", "STARTED (UTC)", "BY", "RUN",
                      "NOTE")]
            for r in rel:
                table.append((r.version, r.status, "yes" if r.verified else "no", r.command,
                              f"{r.started_at:%Y-%m-%d %H:%M:%S}", r.user or "-", r.run_id,
                              r.note or ""))
            _print_table(table, "    ")
    return 0


def _print_table(rows: list[tuple[str, ...]], indent: str) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
