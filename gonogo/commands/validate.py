"""`gonogo validate`: load the config and report the first error, changing nothing."""

from __future__ import annotations

import argparse

from gonogo.config import load_config


def main(args: argparse.Namespace) -> int:
    config = load_config(args.config, env=args.env, strict=False)
    checks = config.checks
    manual = sum(1 for c in checks.values() if c.manual)
    print(
        f"{config.path}: ok — {len(config.phases)} phases, {len(checks)} checks "
        f"({len(checks) - manual} automated, {manual} manual)"
        + (f", environment {config.environment.name}" if config.environment.name else "")
    )
    return 0
