"""`gonogo report RUN --format F [-o PATH]`: render a recorded run."""

from __future__ import annotations

import argparse

from gonogo.commands._state import load_run
from gonogo.reports import ReportSpec, write_report


def main(args: argparse.Namespace) -> int:
    record = load_run(args)
    path = write_report(record, ReportSpec(args.format, args.output or "-"))
    if path is not None:
        print(f"{args.format} report: {path}")
    return 0
