"""The configured checklist as `gonogo explain` shows it, for the checklist page: each item
with its source line, binding and what `gonogo check` does with it (secrets redacted)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gonogo.commands.explain import _secret_fields, as_dict
from gonogo.config.load import build_config, load_config
from gonogo.errors import GonogoError
from gonogo.markdown.sidecar import is_markdown, resolve


def explained(config_path: Path | None) -> dict[str, Any]:
    """``{"file", "checks": [...], "summary", "error"}``; a config that does not load is
    shown as its one-line error, never a crash of the page."""
    if config_path is None:
        return {"error": "no config: start `gonogo serve -c gonogo.yml` to show its checklist"}
    try:
        data = _read(config_path)
    except GonogoError as exc:
        return {"error": str(exc)}
    source = Path(str(data.get("file") or config_path))
    try:
        lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    data["source_lines"] = lines
    return data


def _read(path: Path) -> dict[str, Any]:
    env = dict(os.environ)
    if is_markdown(path) or _names_checklist(path):
        located, compiled = resolve(path, env=None, process_env=env)
        config = build_config(located, path, env=None, extra_vars={}, strict=False,
                              process_env=env)
        return as_dict(compiled, config.environment.redactor, _secret_fields())
    config = load_config(path, strict=False)
    checks = [{"line": spec.line, "text": spec.title, "item": True, "id": spec.id,
               "phase": spec.phase, "kind": spec.kind, "type": spec.type, "params": {},
               "via": "gonogo.yml", "reason": None, "check": {"runs": spec.kind in
                                                             ("preflight", "verify"), "why": ""}}
              for spec in config.checks.values()]
    return {"file": str(path), "name": config.name, "checks": checks, "summary": None}


def _names_checklist(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    return any(line.startswith("checklist:") for line in text.splitlines())
