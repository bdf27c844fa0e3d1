"""`gonogo rollback --env E [--to V]`: return to a previous release — by default the last
one that passed verification, named before anything changes."""

from __future__ import annotations

import argparse
import sys

from gonogo.commands.deploy import check_version
from gonogo.config import load_config
from gonogo.error_handler import use_redactor


def main(args: argparse.Namespace) -> int:
    from gonogo.deploy.run import rollback_target, run_deploy
    from gonogo.gate import store_for
    from gonogo.journal.releases import ReleaseStore, env_key

    to = check_version(args.to, "--to") if args.to else None
    probe = load_config(args.config, env=args.env, strict=False)
    use_redactor(probe.environment.redactor)
    store = store_for(probe)
    try:
        version, why = rollback_target(ReleaseStore(store.engine), probe.environment.name, to)
    finally:
        store.close()
    print(f"Rolling back {env_key(probe.environment.name)} to {why}.")
    sys.stdout.flush()
    config = load_config(args.config, env=args.env, extra_vars={"version": version})
    use_redactor(config.environment.redactor)
    return run_deploy(config, version, yes=args.yes, command="rollback")
