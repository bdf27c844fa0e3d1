"""Which reader a config file gets: YAML, or a Markdown checklist with its sidecar.

It sits above both ``config`` and ``markdown`` so that neither imports the other to decide;
commands load configs through ``load_config`` here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from gonogo.config.load import build_config
from gonogo.config.model import Config
from gonogo.config.read import find_config, is_markdown, read_source
from gonogo.markdown import checklist_source
from gonogo.markdown.sidecar import with_checklist
from gonogo.yamlsource import Located, parse_yaml


def parse_source(path: Path, text: str) -> Located:
    """Raw data with line numbers, from YAML or from a Markdown checklist."""
    if is_markdown(path):
        return checklist_source(text, str(path))
    return parse_yaml(text, str(path))


def load_config(
    path: str | Path | None = None,
    *,
    env: str | None = None,
    extra_vars: Mapping[str, str] | None = None,
    strict: bool = True,
    process_env: Mapping[str, str] | None = None,
) -> Config:
    """Load, validate and resolve a config for one environment."""
    config_path = find_config(str(path) if path else None)
    located = parse_source(config_path, read_source(config_path))
    process_env = os.environ if process_env is None else process_env
    if is_markdown(config_path) or (
        isinstance(located.data, dict) and located.data.get("checklist")
    ):  # a checklist, with the sidecar gonogo.yml that adds what it lacks
        located = with_checklist(config_path, located, env=env, process_env=process_env)
    return build_config(
        located,
        config_path,
        env=env,
        extra_vars=extra_vars or {},
        strict=strict,
        process_env=process_env,
    )
