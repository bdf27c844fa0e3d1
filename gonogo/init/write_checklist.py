"""Render a starter plan as a Markdown checklist in the reference's shape: phases as
headings, the commands in a fenced ``bash`` block, ``- [ ]`` items. Items gonogo might
not recognise carry an inline ``<!-- gonogo: {...} -->`` binding."""

from __future__ import annotations

from typing import Any

from gonogo.init.plan import PlannedCheck, PlannedPhase, StarterPlan
from gonogo.init.write_yaml import inline

GROUPS = (
    ("Pre-Deployment Verification", ("preflight",)),
    ("Deployment Steps", ("backup", "deploy", "verify")),
    ("Post-Deployment", ("watch", "post")),
)
_COMMON = ("id", "title", "needs", "timeout", "retry", "advisory")


def render(plan: StarterPlan) -> str:
    out = [
        "# Production Deployment Checklist",
        "",
        f"> Written by `gonogo init` for {plan.name}. Do not skip steps: "
        "`gonogo check -c DEPLOYMENT_CHECKLIST.md` runs every item it can.",
        "",
    ]
    for heading, kinds in GROUPS:
        phases = [p for p in plan.phases if p.kind in kinds]
        if heading == "Deployment Steps" and plan.services:
            phases = _with_deploy(phases, plan)
        if not phases:
            continue
        out += [f"## {heading}", ""]
        for number, phase in enumerate(phases, 1):
            out += _phase(number, phase)
        out += ["---", ""]
    out += ["## Emergency Contacts", "", "| Role | Contact |", "|------|---------|"]
    out += [f"| {c['role']} | {c['contact']} |" for c in plan.contacts]
    if plan.secrets:
        out += ["", "## Required Secrets", "", "| Secret | Purpose |", "|--------|---------|"]
        out += [f"| `{s['name']}` | {s.get('purpose', '')} |" for s in plan.secrets]
    return "\n".join(out) + "\n"


def _phase(number: int, phase: PlannedPhase) -> list[str]:
    out = [f"### {number}. {phase.title}", ""]
    # only commands of command items: each binds to its item ("API build passes") by recognition
    commands = [c.shell for c in phase.checks if c.shell and _is_command(c)]
    if commands:
        out += ["```bash", *commands, "```", ""]
    out += [_item(c) for c in phase.checks]
    out.append("")
    return out


def _item(check: PlannedCheck) -> str:
    data = check.data
    if (_is_command(check) and check.shell) or data.get("type") == "manual":
        return f"- [ ] {check.title}"
    binding: dict[str, Any] = {k: v for k, v in data.items() if k not in _COMMON}
    return f"- [ ] {check.title} <!-- gonogo: {inline(binding)} -->"


def _is_command(check: PlannedCheck) -> bool:
    return "run" in check.data and "type" not in check.data


def _with_deploy(phases: list[PlannedPhase], plan: StarterPlan) -> list[PlannedPhase]:
    """The deploy order as its own section, between the backup and the verification."""
    deploy = PlannedPhase("deploy", "Deploy Services", "deploy", [
        PlannedCheck({"id": f"deploy-{s['name']}", "title": f"{s['name']} deployed",
                      "type": "manual"}) for s in plan.services
    ])
    before = [p for p in phases if p.kind == "backup"]
    return before + [deploy] + [p for p in phases if p.kind != "backup"]
