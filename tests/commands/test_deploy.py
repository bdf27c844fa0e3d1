"""`gonogo deploy` without Docker: refused when nothing would be deployed or nothing gates it."""

from __future__ import annotations

from pathlib import Path

from testing.cli import gonogo
from testing.project import project


def test_deploy_phases_without_checks_are_nothing_to_deploy(tmp_path: Path) -> None:
    project(tmp_path, """
        environments:
          production: {}
        phases:
          - {id: pre, kind: preflight, checks: [{id: ok, run: "touch gated"}]}
          - {id: ship, kind: deploy}
    """)
    result = gonogo("deploy", "--version", "v1", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", "gonogo: error: nothing to deploy: the config has no `services:` and its deploy "
               "phases (ship) have no checks\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gonogo.yml"]


def test_a_deploy_nothing_gates_is_a_usage_error(tmp_path: Path) -> None:
    project(tmp_path, """
        environments:
          production: {}
        phases:
          - {id: pre, kind: preflight}
          - {id: ship, kind: deploy, checks: [{id: go, run: "touch shipped"}]}
    """)
    result = gonogo("deploy", "--version", "v1", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", "gonogo: error: nothing gates this deploy: no preflight phase has checks and no "
               "`services:` to probe (add a preflight check)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gonogo.yml"]


def test_a_gated_deploy_of_deploy_phases_runs(tmp_path: Path) -> None:
    project(tmp_path, """
        environments:
          production: {}
        phases:
          - {id: pre, kind: preflight, checks: [{id: ok, run: "true"}]}
          - {id: ship, kind: deploy, checks: [{id: go, run: "touch shipped"}]}
    """)
    result = gonogo("deploy", "--version", "v1", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "shipped").exists()
