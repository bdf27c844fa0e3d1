"""``typecheck``: ``tsc --noEmit -p PROJECT`` is clean in each workspace package
("No TypeScript errors"); diagnostics become file:line:column findings."""

from __future__ import annotations

import os
import re
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

# `src/a.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.`
_LOCATED = re.compile(r"^(?P<file>.+?)\((?P<line>\d+),(?P<col>\d+)\): (?P<sev>error|warning) "
                      r"(?P<code>TS\d+): (?P<msg>.*)$")
# `error TS5058: The specified path does not exist: 'nope.json'.`
_GLOBAL = re.compile(r"^(?P<sev>error|warning) (?P<code>TS\d+): (?P<msg>.*)$")
#: Diagnostics about the project/options rather than the code (TS5xxx, TS6xxx and these):
#: the check could not be evaluated.
CONFIG_CODES = frozenset({"TS18003"})
SHOWN = 3
MAX_FINDINGS = 200


class TypecheckCheck(Check):
    """TypeScript compiles without errors (`tsc --noEmit -p PROJECT`) in each package."""

    type_name = "typecheck"
    example = {"packages": ["api", "web"], "project": "tsconfig.json"}

    #: The workspace root (config-relative).
    workspace: str = "."
    #: Package names or directories; default: every package with the project file.
    packages: list[str] = []
    #: The tsconfig, relative to each package.
    project: str = Field(default="tsconfig.json", min_length=1)
    #: Extra tsc arguments.
    args: list[str] = []
    #: Packages checked at once.
    jobs: int = Field(default=4, ge=1)

    def describe(self) -> str:
        where = ", ".join(self.packages) or "every package"
        return f"typecheck: tsc --noEmit -p {self.project} in {where}"

    async def run(self, ctx: CheckContext) -> Evidence:
        ws = workspace_at(ctx.resolve(self.workspace))
        packages = pick_packages(
            ws, self.packages, lambda p: (p.path / self.project).is_file(), self.project
        )
        for pkg in packages:
            if not (pkg.path / self.project).is_file():
                raise CheckError(f"{pkg.rel}/{self.project} not found (package {pkg.name})")
        env = dict(ctx.env)
        env.setdefault("PATH", os.environ.get("PATH", os.defpath))
        argv = ["--noEmit", "-p", self.project, "--pretty", "false", *self.args]
        runs = await run_tool_per_package("tsc", argv, packages, ws, env, self.jobs)
        findings: list[dict[str, Any]] = []
        counts: dict[str, int] = {}
        for run in runs:
            found = _parse(run, ws, self.project)
            counts[run.package.name] = sum(1 for f in found if f["severity"] == "error")
            findings.extend(found)
        errors = [f for f in findings if f["severity"] == "error"]
        names = ", ".join(counts)
        data: dict[str, Any] = {"packages": counts, "errors": len(errors),
                                "findings": findings[:MAX_FINDINGS]}
        output = "".join(f"{_where(f)}: {f['severity']} {f['message']}\n" for f in findings)
        if errors:
            shown = ", ".join(f"{_where(f)} {f['code']}" for f in errors[:SHOWN])
            more = f" …and {len(errors) - SHOWN} more" if len(errors) > SHOWN else ""
            raise CheckFailed(
                f"{len(errors)} TypeScript error{'s' if len(errors) != 1 else ''}: {shown}{more}",
                {**data, "output": output},
            )
        return Evidence(summary=f"no TypeScript errors in {names}", data=data,
                        output=output or None)


def _where(finding: dict[str, Any]) -> str:
    if finding["line"]:
        return f"{finding['file']}:{finding['line']}:{finding['column']}"
    return str(finding["file"])


def _parse(run: ToolRun, ws: Workspace, project: str) -> list[dict[str, Any]]:
    """tsc's ``--pretty false`` diagnostics; a failure without any is a CheckError."""
    found: list[dict[str, Any]] = []
    config_only = True
    for raw in run.stdout.splitlines():
        line = raw.rstrip()
        located = _LOCATED.match(line)
        loose = None if located else _GLOBAL.match(line)
        match = located or loose
        if match is None:
            if line.startswith(" ") and found:  # continuation of a multi-line message
                found[-1]["detail"] = (found[-1].get("detail", "") + line.strip() + "\n")
            continue
        code = match["code"]
        config_only = config_only and (code.startswith(("TS5", "TS6")) or code in CONFIG_CODES)
        found.append({
            "file": rel_to_root(located["file"], run.package, ws) if located
            else rel_to_root(project, run.package, ws),
            "line": int(located["line"]) if located else 0,
            "column": int(located["col"]) if located else 0,
            "severity": match["sev"],
            "code": code,
            "message": f"{code}: {match['msg']}",
            "package": run.package.name,
        })
    if run.exit_code == 0:
        return found
    if not found or config_only:
        if run.via_npx and not found:
            raise CheckError(f"tsc not found: run {ws.manager} install (npx: {last_line(run)})")
        raise CheckError(
            f"tsc could not check {run.package.name} (exit {run.exit_code}): {last_line(run)}"
        )
    return found


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [TypecheckCheck]
