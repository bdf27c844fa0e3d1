"""`gonogo validate`: load the config and report the first error, changing nothing.

Exactly as strict as `check`: the same loader with the same environment (``--env E``, else
the only one declared), so a config that validates does not then fail `check` on an
undefined ``${VAR}``, a duration or a URL. A config with nothing to run is an error too.
``--version V`` validates as ``gonogo deploy --version V`` loads the config (``${version}``).
"""

from __future__ import annotations

import argparse

from gonogo.config.model import PHASE_KINDS
from gonogo.gate import GateOptions, plan_for
from gonogo.sources import load_config


def main(args: argparse.Namespace) -> int:
    version = getattr(args, "version", None)
    if version is not None:  # as `gonogo deploy --version V` loads it
        from gonogo.commands.deploy import check_version

        config = load_config(args.config, env=args.env, extra_vars={"version": check_version(version)})
    else:
        config = load_config(args.config, env=args.env)
    if not config.model.services:  # without services, the checks are all there is to run
        plan_for(config, GateOptions(kinds=PHASE_KINDS, command="validate"))
    checks = config.checks
    manual = sum(1 for c in checks.values() if c.manual)
    print(
        f"{config.path}: ok — {len(config.phases)} phases, {len(checks)} checks "
        f"({len(checks) - manual} automated, {manual} manual)"
        + (f", environment {config.environment.name}" if config.environment.name else "")
    )
    return 0
