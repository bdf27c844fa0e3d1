"""Opening the state store for history commands without resolving an environment.

These commands read what other commands recorded (or add to a recorded run), so they never
create a state store: where there is none they get NoState and say so.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gonogo.config.environments import config_root
from gonogo.config.read import find_config, is_markdown, read_source
from gonogo.core.errors import ConfigError, NoState, StateError
from gonogo.journal.schema import RunRecord
from gonogo.journal.store import Store, open_store
from gonogo.markdown.sidecar import find_sidecar
from gonogo.sources import parse_source


def open_state(args: argparse.Namespace) -> Store:
    """The existing store of the config in use (``state:`` key), or ``./.gonogo`` without a
    config; NoState when nothing was recorded there yet."""
    try:
        path = find_config(getattr(args, "config", None))
    except ConfigError:
        if getattr(args, "config", None):
            raise
        return open_store(str(Path.cwd() / ".gonogo"), create=False)
    located = parse_source(path, read_source(path))
    if is_markdown(path):  # its sidecar's root: and state: hold, as in a run
        sidecar = find_sidecar(path)
        located = sidecar.located if sidecar is not None else located
    data = located.data if isinstance(located.data, dict) else {}
    named_root = data.get("root")
    root = config_root(path, named_root if isinstance(named_root, str) else None, located)
    state = data.get("state")
    if isinstance(state, str) and "://" in state:
        return open_store(state, runs_root=root / ".gonogo", create=False)
    return open_store(str(root / (state if isinstance(state, str) and state else ".gonogo")),
                      create=False)


def load_run(args: argparse.Namespace) -> RunRecord:
    """The run ``args.run`` names (id, unique prefix or ``last``) in the store in use."""
    store = open_run_state(args)
    try:
        return store.load_run(args.run)
    finally:
        store.close()


def open_run_state(args: argparse.Namespace) -> Store:
    """``open_state`` for a command about one run (``args.run``): no state is no such run."""
    try:
        return open_state(args)
    except NoState as missing:
        raise StateError(f"no run {args.run!r}: no state at {missing.location} "
                         "(nothing has run here yet)") from None
