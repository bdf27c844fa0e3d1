"""``typecheck``: real ``tsc --noEmit -p tsconfig.json`` per package of the pnpm fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.core.outcomes import Outcome
from testing.checks import run_check
from testing.node_workspace import node_env, workspace_repo, write


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workspace_repo(tmp_path_factory.mktemp("tsc") / "repo")


def typecheck(repo: Path, **params: object) -> tuple[Outcome, str, dict[str, object], str | None]:
    result, output = run_check("typecheck", params, repo, env=node_env(), timeout=120)
    return result.outcome, result.summary, result.evidence, output


def test_a_clean_workspace_passes_and_a_type_error_fails_with_file_line_column(
        repo: Path) -> None:
    outcome, summary, evidence, _ = typecheck(repo)
    assert (outcome, summary) == (Outcome.PASSED, "no TypeScript errors in api, web")
    assert evidence == {"packages": {"api": 0, "web": 0}, "errors": 0, "findings": []}
    bad = write(repo, "apps/web/src/bad.ts", "import { render } from \"./page\";\n"
                "export const n: number = render({ title: \"x\", path: \"/\" });\n")
    try:
        outcome, summary, evidence, output = typecheck(repo)
    finally:
        bad.unlink()
    assert outcome == Outcome.FAILED
    assert summary == "1 TypeScript error: apps/web/src/bad.ts:2:14 TS2322"
    assert evidence["packages"] == {"api": 0, "web": 1}
    assert output == ("apps/web/src/bad.ts:2:14: error TS2322: "
                      "Type 'string' is not assignable to type 'number'.\n")


def test_a_missing_project_file_is_an_error(repo: Path) -> None:
    outcome, summary, _, _ = typecheck(repo, packages=["api"], project="tsconfig.build.json")
    assert (outcome, summary) == (
        Outcome.ERRORED, "apps/api/tsconfig.build.json not found (package api)")


def test_a_broken_tsconfig_is_an_error_not_a_finding(repo: Path) -> None:
    write(repo, "apps/api/tsconfig.bad.json",
          '{"extends": "./tsconfig.nope.json", "compilerOptions": {"target": "ES2022"}}\n')
    outcome, summary, _, output = typecheck(repo, packages=["api"], project="tsconfig.bad.json")
    assert (outcome, summary) == (
        Outcome.ERRORED, "tsc could not check api (exit 2): "
                         "error TS5083: Cannot read file '"
                         f"{(repo / 'apps/api/tsconfig.nope.json').resolve()}'.")
