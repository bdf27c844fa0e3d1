"""Render a starter plan as ``gonogo.yml``: block style, short values inline, comments kept."""

from __future__ import annotations

from typing import Any

import yaml

from gonogo.init.plan import PlannedCheck, StarterPlan

INDENT = "  "


def scalar(value: Any) -> str:
    """One YAML scalar, quoted only when YAML needs it."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return text.removesuffix("\n...\n").rstrip("\n")


def inline(value: Any) -> str:
    """A value on one line (flow style for collections, quoted where flow context needs it)."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000,
                          sort_keys=False)
    return text.removesuffix("\n...\n").rstrip("\n")


def _simple(value: Any) -> bool:
    if isinstance(value, dict):
        return all(not isinstance(v, (dict, list)) or _simple(v) for v in value.values()) and \
            len(inline(value)) <= 70
    if isinstance(value, list):
        return all(not isinstance(v, (dict, list)) for v in value) and len(inline(value)) <= 70
    return True


def mapping(data: dict[str, Any], indent: int, first_prefix: str | None = None) -> list[str]:
    """Block lines of a mapping; ``first_prefix`` replaces the first line's indent (``- ``)."""
    lines: list[str] = []
    pad = INDENT * indent
    for i, (key, value) in enumerate(data.items()):
        lead = first_prefix if (i == 0 and first_prefix is not None) else pad
        if _simple(value):
            lines.append(f"{lead}{scalar(key)}: {inline(value)}")
        elif isinstance(value, dict):
            lines.append(f"{lead}{scalar(key)}:")
            lines.extend(mapping(value, indent + 1))
        else:
            lines.append(f"{lead}{scalar(key)}:")
            lines.extend(sequence(value, indent + 1))
    return lines


def sequence(items: list[Any], indent: int) -> list[str]:
    pad = INDENT * indent
    lines: list[str] = []
    for item in items:
        if isinstance(item, dict):
            lines.extend(mapping(item, indent + 1, first_prefix=f"{pad}- "))
        else:
            lines.append(f"{pad}- {inline(item)}")
    return lines


def render(plan: StarterPlan) -> str:
    out = [
        f"# gonogo.yml for {plan.name}, written by `gonogo init` from what it found:",
        *(f"#   - {line}" for line in plan.found or ["nothing it recognises: a generic starter"]),
        "# Every value gonogo could not know reads `TODO: …`; `gonogo validate` points at",
        "# each one (file:line) until it is filled in. Reference: docs/quality-gates.md.",
    ]
    if plan.checklist:
        out += [
            f"# An existing checklist was found: {plan.checklist}",
            f"#   `gonogo explain {plan.checklist}` shows how gonogo would run it as-is.",
        ]
    out += ["version: 1", f"name: {scalar(plan.name)}", "", "environments:"]
    for env_name, spec in plan.environments.items():
        out.append(f"  {scalar(env_name)}:")
        out.append("    # env_files: [.env.production]   # uncomment where that file exists")
        out.extend(mapping(spec, 2))
    if plan.secrets:
        out += ["", "secrets:"] + sequence(plan.secrets, 1)
    out += ["", "contacts:"] + sequence(plan.contacts, 1)
    out += ["", "phases:"]
    for phase in plan.phases:
        out.append(f"  - id: {scalar(phase.id)}")
        out.append(f"    title: {scalar(phase.title)}")
        out.append(f"    kind: {phase.kind}")
        out.append("    checks:")
        for check in phase.checks:
            out.extend(_check(check))
    if plan.services:
        out += ["", "# deployed in this order by `gonogo deploy --env production --version V`",
                "services:"]
        out += sequence(plan.services, 1)
    return "\n".join(out) + "\n"


def _check(check: PlannedCheck) -> list[str]:
    lines = []
    if check.comment:
        lines.append(f"      # {check.comment}")
    lines.extend(mapping(check.data, 4, first_prefix="      - "))
    return lines
