"""`gonogo show RUN`: one run's items with their evidence."""

from __future__ import annotations

import argparse
import json

from gonogo.commands._state import load_run
from gonogo.reports.common import ICONS, output_tail, signoff_line, status_line, verdict_of
from gonogo.reports.console_report import summary_lines


def main(args: argparse.Namespace) -> int:
    record = load_run(args)
    print(f"run {record.id} · {record.command} · {verdict_of(record)} (exit {record.exit_code})")
    print(f"started {record.started_at:%Y-%m-%d %H:%M:%S} UTC by {record.user}@{record.host}"
          + (f" · environment {record.environment}" if record.environment else "")
          + (f" · version {record.version}" if record.version else ""))
    status = status_line(record)
    if status:
        print(status)
    phase = None
    for r in record.results:
        if r.phase != phase:
            phase = r.phase
            print(f"\n── {phase} ({r.kind})")
        print(f"  {ICONS[r.outcome]} {r.id}: {r.title} — {r.outcome}, {r.duration_s:.2f}s")
        print(f"      {r.summary}")
        for key, value in r.evidence.items():
            if key in ("traceback", "signoff", "signoffs"):  # sign-offs: their history below
                continue
            shown = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value
            print(f"      {key}: {shown}")
        if r.output_path:
            print(f"      output: {r.output_path}")
            tail = output_tail(r, 5)
            if tail and r.outcome.value in ("failed", "errored"):
                for line in tail.splitlines():
                    print(f"        | {line}")
        decisions = [s for s in record.signoffs if s.get("check_id") == r.id]
        if decisions:
            print("      sign-offs (oldest first; the last one decides):")
            for signoff in decisions:
                print(f"        {signoff_line(signoff)}")
    print()
    print("\n".join(summary_lines(record, details=False)))
    return 0
