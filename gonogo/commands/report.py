"""`gonogo report RUN --format F [-o PATH]`: render a recorded run."""

from __future__ import annotations

import argparse

from gonogo.commands._state import load_run
from gonogo.reports import ReportSpec, format_named, write_report


def main(args: argparse.Namespace) -> int:
    format_named(args.format)  # an unknown format is refused before the journal is opened
    record = load_run(args)
    path = write_report(record, ReportSpec(args.format, args.output or "-"))
    if path is not None:
        print(f"{args.format} report: {path}")
    return 0
