"""``lint``: ESLint reports no errors in each workspace package ("Lint passes (no errors)").

ESLint runs with ``--format json``; errors fail the check, warnings are counted and
reported but pass (unless ``max_warnings`` is set and exceeded).
"""

from __future__ import annotations

import json
import os
from typing import Any

from pydantic import Field

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.core.errors import CheckError, CheckFailed
from gonogo.hookimpl import hookimpl
from gonogo.workspaces import (
    ToolRun,
    Workspace,
    last_line,
    pick_packages,
    rel_to_root,
    run_tool_per_package,
    workspace_at,
)

SHOWN = 3
MAX_FINDINGS = 200


class LintCheck(Check):
    """ESLint finds no errors in the workspace's packages (warnings are counted, not fatal)."""

    type_name = "lint"
    example = {"packages": ["api", "web"]}

    #: The workspace root (config-relative): where pnpm-workspace.yaml / package.json is.
    workspace: str = "."
    #: Package names or directories; default: every package with an ESLint config
    #: (all packages when the workspace root has one).
    packages: list[str] = []
    #: What ESLint lints, relative to each package.
    paths: list[str] = Field(default=["."], min_length=1)
    #: Extra ESLint arguments.
    args: list[str] = []
    #: Fail when there are more warnings than this (default: warnings never fail).
    max_warnings: int | None = Field(default=None, ge=0)
    #: Packages linted at once.
    jobs: int = Field(default=4, ge=1)

    def describe(self) -> str:
        return "lint: ESLint, no errors in " + (", ".join(self.packages) or "every package")

    async def run(self, ctx: CheckContext) -> Evidence:
        ws = workspace_at(ctx.resolve(self.workspace))
        packages = pick_packages(
            ws, self.packages, lambda p: ws.has_eslint_config or p.has_eslint_config,
            "an ESLint config (eslint.config.js)",
        )
        env = dict(ctx.env)
        env.setdefault("PATH", os.environ.get("PATH", os.defpath))
        env.setdefault("NO_COLOR", "1")
        runs = await run_tool_per_package(
            "eslint", ["--format", "json", *self.args, *self.paths], packages, ws, env, self.jobs
        )
        findings: list[dict[str, Any]] = []
        counts: dict[str, dict[str, int]] = {}
        for run in runs:
            found = _parse(run, ws)
            findings.extend(found)
            counts[run.package.name] = {
                "errors": sum(1 for f in found if f["severity"] == "error"),
                "warnings": sum(1 for f in found if f["severity"] == "warning"),
            }
        errors = [f for f in findings if f["severity"] == "error"]
        warnings = len(findings) - len(errors)
        names = ", ".join(counts)
        data: dict[str, Any] = {
            "packages": counts, "errors": len(errors), "warnings": warnings,
            "findings": findings[:MAX_FINDINGS],
        }
        output = "".join(
            f"{f['file']}:{f['line']}:{f['column']}: {f['severity']} {f['message']}\n"
            for f in findings
        )
        warned = f"{warnings} warning{'s' if warnings != 1 else ''}"
        if errors:
            shown = ", ".join(f"{f['file']}:{f['line']}:{f['column']} {f['rule']}"
                              for f in errors[:SHOWN])
            more = f" …and {len(errors) - SHOWN} more" if len(errors) > SHOWN else ""
            raise CheckFailed(
                f"{len(errors)} lint error{'s' if len(errors) != 1 else ''} ({warned}): "
                f"{shown}{more}",
                {**data, "output": output},
            )
        if self.max_warnings is not None and warnings > self.max_warnings:
            raise CheckFailed(
                f"{warned}, more than max_warnings {self.max_warnings}", {**data, "output": output}
            )
        if warnings:
            per = ", ".join(f"{n}: {c['warnings']}" for n, c in counts.items() if c["warnings"])
            summary = f"no lint errors in {names}; {warned} ({per})"
        else:
            summary = f"no lint errors or warnings in {names}"
        return Evidence(summary=summary, data=data, output=output or None)


def _parse(run: ToolRun, ws: Workspace) -> list[dict[str, Any]]:
    """ESLint's JSON report as findings; anything else (config error, crash) is a CheckError."""
    try:
        report = json.loads(run.stdout) if run.stdout.strip() else None
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, list) or run.exit_code not in (0, 1):
        if run.via_npx and run.exit_code != 0 and report is None:
            raise CheckError(f"eslint not found: run {ws.manager} install (npx: {last_line(run)})")
        raise CheckError(
            f"eslint could not lint {run.package.name} (exit {run.exit_code}): {last_line(run)}"
        )
    found: list[dict[str, Any]] = []
    for entry in report:
        if not isinstance(entry, dict):
            continue
        file = rel_to_root(str(entry.get("filePath", "?")), run.package, ws)
        for msg in entry.get("messages") or []:
            severity = "error" if msg.get("severity") == 2 or msg.get("fatal") else "warning"
            rule = msg.get("ruleId") or ("parse error" if msg.get("fatal") else "eslint")
            found.append({
                "file": file,
                "line": msg.get("line") or 0,
                "column": msg.get("column") or 0,
                "severity": severity,
                "rule": rule,
                "message": f"{rule}: {msg.get('message', '')}",
                "package": run.package.name,
            })
    return found


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [LintCheck]
