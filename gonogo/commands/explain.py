"""`gonogo explain CHECKLIST.md`: how each item of a Markdown checklist is bound.

Per item: its line, text, phase, and the bound check type with parameters (secret
values redacted) or ``manual: why``; then ``N items: A automated, M manual, U needing
values``. The config is also fully loaded, so explain fails exactly where a run would.

It also says what `gonogo check` would do with each item — ``would run``, ``would run
(opted in)`` for a command that is not read-only but explicitly allowed, ``not run by
check`` for a check type that changes state, ``manual: why`` — and, per phase, whether
check runs that phase at all.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from gonogo.config.load import build_config
from gonogo.config.model import READ_ONLY_KINDS
from gonogo.config.read import is_markdown
from gonogo.core.errors import UsageError
from gonogo.engine.runner import CHANGES_STATE
from gonogo.error_handler import use_redactor
from gonogo.markdown.bind import Binding, Compiled
from gonogo.markdown.readonly import analyze
from gonogo.markdown.sidecar import resolve
from gonogo.redact import Redactor


def main(args: argparse.Namespace) -> int:
    checklist = Path(args.checklist)
    if not is_markdown(checklist):
        raise UsageError(f"{checklist}: expected a Markdown checklist (.md or .markdown)")
    sidecar = Path(args.config) if args.config else None
    located, compiled = resolve(checklist, env=args.env, process_env=os.environ, sidecar_path=sidecar)
    config = build_config(located, sidecar or checklist, env=args.env, extra_vars={}, strict=False,
                          process_env=os.environ)
    redactor = config.environment.redactor
    use_redactor(redactor)
    secret_fields = _secret_fields()
    if args.format == "json":
        print(json.dumps(as_dict(compiled, redactor, secret_fields), indent=2, ensure_ascii=False))
    else:
        print(redactor.text(render_text(compiled, secret_fields)), end="")
    return 0


def summary(compiled: Compiled) -> dict[str, Any]:
    items = [b for b in compiled.bindings if b.item]
    automated = sum(1 for b in items if b.automated)
    needing = sum(1 for b in items if not b.automated and b.needs)
    manual = len(items) - automated - needing
    ratio = round(100 * automated / len(items)) if items else 0
    return {"items": len(items), "automated": automated, "manual": manual,
            "needing_values": needing, "automated_percent": ratio}


def summary_line(compiled: Compiled) -> str:
    s = summary(compiled)
    return (f"{s['items']} items: {s['automated']} automated, {s['manual']} manual, "
            f"{s['needing_values']} needing values ({s['automated_percent']}% automated)")


def _secret_fields() -> dict[str, tuple[str, ...]]:
    from gonogo.plugins import check_types

    return {name: tuple(cls.secret_fields) for name, cls in check_types().items()}


def shown_params(binding: Binding, secret_fields: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """Parameters as written (``${VAR}`` not expanded), secret fields masked unless a reference."""
    params: dict[str, Any] = {}
    hidden = secret_fields.get(binding.type, ())
    for key, value in binding.params.items():
        if key in hidden and not (isinstance(value, str) and value.startswith("${") and value.endswith("}")):
            params[key] = "[REDACTED]"
        else:
            params[key] = value
    return params


def _flow(value: Any) -> str:
    """A compact YAML-ish rendering: {url: …, expect: {status: 200}}."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if (not value or any(c in value for c in ",:{}[]#\n") or value != value.strip()) else value
    return json.dumps(value)


def under_check(binding: Binding) -> tuple[bool, str]:
    """(runs, why): what `gonogo check` does with this item."""
    from gonogo.plugins import check_types

    if binding.kind not in READ_ONLY_KINDS:
        return False, f"a {binding.kind} phase: not run by check"
    if not binding.automated:
        return False, f"manual: {binding.reason or binding.params.get('reason') or 'manual'}"
    check_type = check_types().get(binding.type)
    if check_type is not None and getattr(check_type, "changes_state", False):
        return False, CHANGES_STATE
    run = binding.params.get("run")
    if binding.type == "command" and isinstance(run, str) and not analyze(run.replace("$${", "${")).read_only:
        return True, "would run (opted in)"
    return True, "would run"


def describe(binding: Binding, secret_fields: dict[str, tuple[str, ...]]) -> str:
    if not binding.automated:
        reason = binding.reason or binding.params.get("reason") or "manual"
        return f"manual: {reason}"
    params = shown_params(binding, secret_fields)
    common = {k: v for k, v in binding.common.items() if k not in ("title",)}
    text = binding.type + (" " + _flow(params) if params else "")
    if common:
        text += " " + _flow(common)
    return text


def render_text(compiled: Compiled, secret_fields: dict[str, tuple[str, ...]]) -> str:
    doc = compiled.document
    out = [f"{doc.file}" + (f" — {doc.title}" if doc.title else "")]
    phase = None
    width = len(str(doc.line_count))
    for binding in compiled.bindings:
        if binding.phase != phase:
            phase = binding.phase
            out.append("")
            checked = "check runs it" if binding.kind in READ_ONLY_KINDS else "not run by check"
            out.append(f"{binding.phase} ({binding.kind}; {checked})")
        marker = "" if binding.item else "$ "
        out.append(f"  L{binding.line:<{width}}  {marker}{binding.text}")
        via = "" if binding.via in ("manual", "command step") else f"  [{binding.via}" + (
            f"; {binding.note}" if binding.note else "") + "]"
        advisory = " (advisory)" if binding.advisory else ""
        runs, why = under_check(binding)
        prefix = f"{why}: " if binding.kind in READ_ONLY_KINDS and binding.automated else ""
        if prefix and not runs:
            prefix = f"not run by check ({why.split('; ')[0]}): "
        out.append(f"  {'':{width + 1}}  → {prefix}{describe(binding, secret_fields)}{advisory}{via}")
    out.append("")
    if compiled.deploy_order:
        arrow = " → ".join(compiled.deploy_order)
        has_services = bool(compiled.data.get("services"))
        out.append(f"deploy order (line {compiled.deploy_order_line}): {arrow}"
                   + ("" if has_services else " (needs: services in sidecar)"))
    out.extend(compiled.table_notes)
    out.append(summary_line(compiled))
    return "\n".join(out) + "\n"


def as_dict(
    compiled: Compiled, redactor: Redactor, secret_fields: dict[str, tuple[str, ...]]
) -> dict[str, Any]:
    entries = []
    for b in compiled.bindings:
        runs, why = under_check(b)
        entries.append({
            "line": b.line,
            "text": b.text,
            "item": b.item,
            "id": b.id,
            "phase": b.phase,
            "kind": b.kind,
            "type": b.type,
            "params": shown_params(b, secret_fields) if b.automated else {},
            "via": b.via,
            "reason": b.reason,
            "needs": b.needs,
            "advisory": b.advisory,
            "note": b.note,
            "check": {"runs": runs, "why": why},
        })
    data: dict[str, Any] = {
        "file": compiled.document.file,
        "name": compiled.document.title,
        "checks": entries,
        "deploy_order": compiled.deploy_order,
        "secrets": [s.get("name") for s in compiled.data.get("secrets", [])],
        "contacts": compiled.data.get("contacts", []),
        "summary": summary(compiled),
    }
    redacted: dict[str, Any] = redactor.data(data)
    return redacted
