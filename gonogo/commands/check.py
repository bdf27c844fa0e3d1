"""`gonogo check`: run the read-only gate (preflight and verify phases)."""

from __future__ import annotations

import argparse

from gonogo.config.model import READ_ONLY_KINDS
from gonogo.error_handler import use_redactor
from gonogo.gate import GateOptions, run_gate
from gonogo.reports import parse_report_specs
from gonogo.sources import load_config


def main(args: argparse.Namespace) -> int:
    reports = parse_report_specs(args.report)
    if args.jobs is not None and args.jobs < 1:
        from gonogo.core.errors import UsageError

        raise UsageError(f"--jobs {args.jobs}: expected a number of at least 1")
    config = load_config(args.config, env=args.env)
    use_redactor(config.environment.redactor)
    outcome = run_gate(
        config,
        GateOptions(
            kinds=READ_ONLY_KINDS,
            phases=args.phase,
            only=args.only,
            jobs=args.jobs,
            reports=reports,
            command="check",
            read_only=True,
        ),
    )
    return outcome.exit_code
