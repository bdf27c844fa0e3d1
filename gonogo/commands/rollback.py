"""`gonogo rollback --env E [--to V] [--yes]`: return to a previous release — by default the
last one that passed verification, named before anything changes. Rolling back a protected
environment (with or without ``--to``) redeploys production, so it is confirmed first: "y"
at a terminal or ``--yes``; without a terminal nothing changes."""

from __future__ import annotations

import argparse
import sys

from gonogo.commands.deploy import check_version
from gonogo.config import load_config
from gonogo.confirm import confirm
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
        releases = ReleaseStore(store.engine)
        version, why = rollback_target(releases, probe.environment.name, to)
        live = next((r.version for r in releases.history(probe.environment.name, limit=500)
                     if r.status == "live"), None)
    finally:
        store.close()
    print(f"Rolling back {env_key(probe.environment.name)} to {why}.")
    sys.stdout.flush()
    config = load_config(args.config, env=args.env, extra_vars={"version": version})
    use_redactor(config.environment.redactor)
    env = config.environment
    if env.protected:
        now = f"from {live} " if live else ""
        confirm(f"Roll back protected environment {env.name} {now}to {version}? Its services "
                f"are redeployed at {version}.", yes=args.yes,
                refusal=f"environment {env.name} is protected: pass --yes to roll back to "
                        f"{version}")
    return run_deploy(config, version, yes=True, command="rollback")
