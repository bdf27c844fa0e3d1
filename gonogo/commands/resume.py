"""`gonogo resume RUN [--rollback]`: continue an interrupted deploy from its journal, or roll
back what it had changed."""

from __future__ import annotations

import argparse

from gonogo.commands._state import open_run_state
from gonogo.error_handler import use_redactor
from gonogo.sources import load_config


def main(args: argparse.Namespace) -> int:
    from gonogo.deploy.resume import resume_state, run_resume

    store = open_run_state(args)
    try:
        run_id, state, results = resume_state(store, args.run)
        record = store.load_run(run_id)
    finally:
        store.close()
    config = load_config(args.config or record.config_path, env=record.environment,
                         extra_vars={"version": str(state["version"])})
    use_redactor(config.environment.redactor)
    return run_resume(config, run_id, state, results, rollback=args.rollback)
