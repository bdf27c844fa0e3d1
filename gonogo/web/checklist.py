"""The configured checklist as `gonogo explain` shows it, for the checklist page: each item
with its source line, binding and whether `gonogo check` runs it (secret fields masked, as
explain masks them; the web layer sits below the commands and cannot import explain)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gonogo.config.load import build_config
from gonogo.config.model import READ_ONLY_KINDS
from gonogo.config.read import is_markdown
from gonogo.core.errors import GonogoError
from gonogo.markdown.bind import Binding
from gonogo.markdown.sidecar import resolve
from gonogo.plugins import check_types
from gonogo.sources import load_config


def explained(config_path: Path | None) -> dict[str, Any]:
    """``{"file", "name", "checks": [...], "source_lines"}`` or ``{"error"}``: a config that
    does not load shows as its one-line error, never a crash of the page."""
    if config_path is None:
        return {"error": "no config: start `gonogo serve -c gonogo.yml` to show its checklist"}
    try:
        data = _read(config_path)
    except GonogoError as exc:
        return {"error": str(exc)}
    try:
        text = Path(data["file"]).read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    data["source_lines"] = text.splitlines()
    return data


def _read(path: Path) -> dict[str, Any]:
    env = dict(os.environ)
    if is_markdown(path) or _names_checklist(path):
        located, compiled = resolve(path, env=None, process_env=env)
        config = build_config(located, path, env=None, extra_vars={}, strict=False,
                              process_env=env)
        hidden = {name: tuple(cls.secret_fields) for name, cls in check_types().items()}
        checks = [_entry(b, hidden) for b in compiled.bindings if b.item]
        data = {"file": compiled.document.file, "name": compiled.document.title,
                "checks": checks}
        redacted: dict[str, Any] = config.environment.redactor.data(data)
        return redacted
    config = load_config(path, strict=False)
    checks = [{"line": spec.line, "text": spec.title, "id": spec.id, "phase": spec.phase,
               "bound": spec.type, "runs": spec.kind in READ_ONLY_KINDS
               and not spec.params.changes_state and spec.type != "manual"}
              for spec in config.checks.values()]
    return {"file": str(path), "name": config.name, "checks": checks}


def _entry(binding: Binding, hidden: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    if binding.automated:
        masked = {k: "[REDACTED]" if k in hidden.get(binding.type, ()) and not
                  (isinstance(v, str) and v.startswith("${")) else v
                  for k, v in binding.params.items()}
        bound = binding.type + "".join(f" {k}={v}" for k, v in masked.items())
    else:
        bound = "manual: " + str(binding.reason or binding.params.get("reason") or "manual")
    return {"line": binding.line, "text": binding.text, "id": binding.id,
            "phase": binding.phase, "bound": bound,
            "runs": binding.kind in READ_ONLY_KINDS and binding.automated}


def _names_checklist(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    return any(line.startswith("checklist:") for line in text.splitlines())
