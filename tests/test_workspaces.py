"""Workspace discovery: pnpm-workspace.yaml / package.json workspaces → packages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gonogo.workspaces import WorkspaceError, command_package, discover, glob_match
from testing.cli import write
from testing.node_workspace import FIXTURE


def test_the_pnpm_fixture_has_api_and_web() -> None:
    ws = discover(FIXTURE)
    assert (ws.manager, ws.patterns) == ("pnpm", ("apps/*",))
    assert [(p.name, p.rel) for p in ws.packages] == [("api", "apps/api"), ("web", "apps/web")]
    api = ws.packages[0]
    assert api.scripts["build"] == "tsc -p tsconfig.json"
    assert api.has_tsconfig and api.has_eslint_config and not ws.has_eslint_config


def test_npm_and_yarn_workspaces_with_exclusions_and_scopes(tmp_path: Path) -> None:
    write(tmp_path / "package.json", json.dumps(
        {"name": "root", "workspaces": {"packages": ["packages/*", "!packages/legacy"]}}))
    write(tmp_path / "yarn.lock", "")
    for name, pkg in (("core", "@team/core"), ("legacy", "legacy"), ("ui", "@team/ui")):
        write(tmp_path / "packages" / name / "package.json", json.dumps({"name": pkg}))
    (tmp_path / "packages" / "notes").mkdir()  # no package.json: not a package
    ws = discover(tmp_path)
    assert ws.manager == "yarn"
    assert ws.names == ["@team/core", "@team/ui"]
    assert ws.find("core") is ws.packages[0]  # scopeless, as pnpm --filter accepts
    assert ws.find("./packages/ui") is ws.packages[1]
    with pytest.raises(WorkspaceError, match=r"unknown package 'legacy' in the workspace at .* "
                                             r"\(packages: @team/core, @team/ui\)"):
        ws.select(["core", "legacy"])


def test_a_root_without_workspaces_is_one_package(tmp_path: Path) -> None:
    write(tmp_path / "package.json", '{"name": "solo", "scripts": {"build": "tsc"}}')
    ws = discover(tmp_path)
    assert [(p.name, p.rel, p.scripts) for p in ws.packages] == [("solo", ".", {"build": "tsc"})]


def test_broken_manifests_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no package.json or pnpm-workspace.yaml in"):
        discover(tmp_path)
    write(tmp_path / "package.json", "{\n  nope\n}")
    with pytest.raises(WorkspaceError, match=r"package.json:2: invalid JSON: Expecting property"):
        discover(tmp_path)


@pytest.mark.parametrize(("command", "expected"), [
    ("pnpm --filter api build", ("api", "build")),
    ("pnpm -F web run lint", ("web", "lint")),
    ("pnpm --filter=@team/api test", ("@team/api", "test")),
    ("npm run build -w api", ("api", "build")),
    ("npm --workspace web run lint", ("web", "lint")),
    ("yarn workspace api build", ("api", "build")),
    ("pnpm install", None),
    ("make build", None),
    ("pnpm --filter 'unterminated", None),
])
def test_a_workspace_command_maps_to_its_package(command: str, expected: tuple[str, str] | None) -> None:
    assert command_package(command) == expected


@pytest.mark.parametrize(("path", "pattern", "expected"), [
    ("apps/api/src/a.d.ts", "*.d.ts", True),
    ("apps/api/src/a.ts", "*.d.ts", False),
    ("apps/api/src/generated/x.ts", "apps/api/src/generated/**", True),
    ("apps/web/src/generated/x.ts", "apps/api/src/generated/**", False),
    ("apps/api/src/x.ts", "apps/*/src/*.ts", True),
    ("apps/api/src/deep/x.ts", "apps/*/src/*.ts", False),
    ("apps/api/src/deep/x.ts", "apps/**/x.ts", True),
])
def test_allow_globs(path: str, pattern: str, expected: bool) -> None:
    assert glob_match(path, pattern) is expected
