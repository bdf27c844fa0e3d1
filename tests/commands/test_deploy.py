"""`gonogo deploy` refusals that need no Docker: nothing to deploy is a usage error."""

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
