"""`gonogo backup`: run the config's `backup` phases (a postgres.backup and the
postgres.restore_verify that proves it restores), recorded as a run."""

from __future__ import annotations

import argparse

from gonogo.core.errors import UsageError
from gonogo.error_handler import use_redactor
from gonogo.gate import GateOptions, run_gate
from gonogo.reports import parse_report_specs
from gonogo.sources import load_config


def main(args: argparse.Namespace) -> int:
    reports = parse_report_specs(args.report)
    config = load_config(args.config, env=args.env)
    use_redactor(config.environment.redactor)
    phases = [p for p in config.phases if p.kind == "backup"]
    if not phases:
        raise UsageError(
            f"{config.path}: no phase of kind backup (add one holding a postgres.backup check "
            "and a postgres.restore_verify with needs: [<backup id>])"
        )
    types = {c.type for p in phases for c in p.checks}
    if "postgres.backup" in types and "postgres.restore_verify" not in types:
        print("note: no postgres.restore_verify in the backup phases: this backup will not be "
              "proven restorable")
    outcome = run_gate(config, GateOptions(kinds={"backup"}, command="backup", reports=reports))
    return outcome.exit_code
