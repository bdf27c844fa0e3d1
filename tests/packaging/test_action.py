"""The GitHub Action (action.yml) run as a runner runs it: each `run:` step's script with
its `env:` filled from the inputs, under the variables GitHub sets (GITHUB_STEP_SUMMARY,
GITHUB_OUTPUT, GITHUB_ACTION_PATH, GITHUB_WORKSPACE, RUNNER_TEMP), on a Python where the
wheel is installed. Only `actions/setup-python` (a `uses:` step) is left to GitHub."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from testing.cli import write
from tests.packaging.conftest import ROOT, CleanVenv, Dist

CHECKLIST = """# Release

## Pre-Deployment Verification

- [ ] Build passes <!-- gonogo: {type: command, run: "true"} -->
- [ ] Tests pass <!-- gonogo: {type: command, run: "echo 2 failing; exit 1"} -->
"""

EXPRESSION = re.compile(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}")


def run_action(inputs: dict[str, str], venv: CleanVenv, dist: Dist, workspace: Path,
               temp: Path) -> tuple[list[subprocess.CompletedProcess[str]], dict[str, Path]]:
    action: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    given = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(inputs) - set(given)
    assert not unknown, f"not inputs of the action: {unknown}"
    given.update(inputs)
    files = {name: temp / name for name in ("step_summary", "output", "path", "env")}
    for file in files.values():
        file.write_text("")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GONOGO_", "PYTHON"))}
    base.update({
        "PATH": f"{venv.bin}:/usr/bin:/bin", "CI": "true", "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(files["step_summary"]), "GITHUB_OUTPUT": str(files["output"]),
        "GITHUB_PATH": str(files["path"]), "GITHUB_ENV": str(files["env"]),
        "RUNNER_TEMP": str(temp), "RUNNER_OS": "Linux",
        # the wheel under test, already in the venv: pip must not reach for anything else
        "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(dist.wheel.parent),
    })
    done = []
    for step in action["runs"]["steps"]:
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@")
            continue
        assert step["shell"] == "bash"
        env = dict(base)
        for name, value in (step.get("env") or {}).items():
            assert set(re.findall(r"\$\{\{(.*?)\}\}", value)) == {
                m.group(0)[3:-2] for m in EXPRESSION.finditer(value)}, value
            env[name] = EXPRESSION.sub(lambda m: given[m.group(1)], value)
        # how GitHub runs `shell: bash`
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                cwd=workspace, env=env, capture_output=True, text=True, timeout=300)
        done.append(result)
        if result.returncode != 0:
            break
    return done, files


def test_the_action_runs_the_gate_summarises_and_annotates(
        clean_venv: CleanVenv, dist: Dist, tmp_path: Path) -> None:
    workspace, temp = tmp_path / "repo", tmp_path / "runner-temp"
    temp.mkdir()
    write(workspace / "docs" / "CHECKLIST.md", CHECKLIST)
    steps, files = run_action({"config": "docs/CHECKLIST.md", "gonogo-version": dist.version},
                              clean_venv, dist, workspace, temp)
    install, gate = steps
    assert install.returncode == 0, install.stderr
    assert install.stdout.endswith(f"gonogo {dist.version}\n")
    assert gate.returncode == 1, gate.stdout + gate.stderr
    assert ("::error file=docs/CHECKLIST.md,line=6,title=gonogo%3A tests-pass failed::"
            "Tests pass — exit 1: 2 failing\n") in gate.stdout
    summary = files["step_summary"].read_text()
    assert summary.startswith("## 🔴 Release: NO-GO\n")
    assert "| ❌ | Tests pass | pre-deployment-verification |" in summary
    assert files["output"].read_text() == "exit-code=1\n"


def test_the_action_passes_inputs_as_arguments_never_as_script_text(
        clean_venv: CleanVenv, dist: Dist, tmp_path: Path) -> None:
    workspace, temp = tmp_path / "repo", tmp_path / "runner-temp"
    temp.mkdir()
    write(workspace / "gonogo.yml", "version: 1\nphases: []\n")
    steps, files = run_action({"command": "validate", "environment": "$(touch pwned)",
                               "gonogo-version": dist.version}, clean_venv, dist, workspace, temp)
    gate = steps[-1]
    assert gate.returncode == 2
    assert not (workspace / "pwned").exists()
    assert files["output"].read_text() == "exit-code=2\n"
    assert files["step_summary"].read_text() == ""
