"""``lint``: real ESLint (typescript-eslint, flat config) on the pnpm workspace fixture;
errors fail, warnings pass with counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.core.outcomes import Outcome
from testing.checks import run_check
from testing.node_workspace import node_env, workspace_repo, write


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workspace_repo(tmp_path_factory.mktemp("lint") / "repo")


def lint(repo: Path, **params: object) -> tuple[Outcome, str, dict[str, object], str | None]:
    result, output = run_check("lint", params, repo, env=node_env(), timeout=120)
    return result.outcome, result.summary, result.evidence, output


def test_clean_passes_a_warning_passes_and_is_counted_an_error_fails(repo: Path) -> None:
    outcome, summary, evidence, _ = lint(repo)
    assert (outcome, summary) == (Outcome.PASSED, "no lint errors or warnings in api, web")
    assert evidence["packages"] == {"api": {"errors": 0, "warnings": 0},
                                    "web": {"errors": 0, "warnings": 0}}
    warn = write(repo, "apps/web/src/log.ts", "export function log(m: string): void {\n"
                 "  console.log(m);\n}\n")
    outcome, summary, evidence, output = lint(repo)
    assert (outcome, summary) == (Outcome.PASSED, "no lint errors in api, web; 1 warning (web: 1)")
    assert output == "apps/web/src/log.ts:2:3: warning no-console: Unexpected console statement.\n"
    bad = write(repo, "apps/api/src/bad.ts", "export function f(): number {\n"
                "  let unused = 1;\n  return 2;\n}\n")
    try:
        outcome, summary, evidence, output = lint(repo)
    finally:
        bad.unlink()
        warn.unlink()
    assert outcome == Outcome.FAILED
    assert summary == ("2 lint errors (1 warning): apps/api/src/bad.ts:2:7 prefer-const, "
                       "apps/api/src/bad.ts:2:7 @typescript-eslint/no-unused-vars")
    assert evidence["packages"] == {"api": {"errors": 2, "warnings": 0},
                                    "web": {"errors": 0, "warnings": 1}}
    assert evidence["findings"][0] == {  # type: ignore[index]
        "file": "apps/api/src/bad.ts", "line": 2, "column": 7, "severity": "error",
        "rule": "prefer-const", "package": "api",
        "message": "prefer-const: 'unused' is never reassigned. Use 'const' instead.",
    }


def test_max_warnings_and_one_package(repo: Path) -> None:
    warn = write(repo, "apps/web/src/log.ts", "console.warn('x');\nconsole.info('y');\n")
    try:
        web = lint(repo, packages=["web"], max_warnings=1)
        api = lint(repo, packages=["apps/api"], max_warnings=1)
    finally:
        warn.unlink()
    assert web[:2] == (Outcome.FAILED, "2 warnings, more than max_warnings 1")
    assert api[:2] == (Outcome.PASSED, "no lint errors or warnings in api")


def test_an_unknown_package_is_an_error(repo: Path) -> None:
    outcome, summary, _, _ = lint(repo, packages=["mobile"])
    assert outcome == Outcome.ERRORED
    assert summary == (f"unknown package 'mobile' in the workspace at {repo.resolve()} "
                       "(packages: api, web)")


def test_eslint_missing_says_to_install(tmp_path: Path) -> None:
    repo = workspace_repo(tmp_path / "repo", node_modules=False)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    result, _ = run_check("lint", {"packages": ["web"]}, repo, env=node_env(PATH=str(empty)))
    assert result.outcome == Outcome.ERRORED
    assert result.summary == (f"eslint not found: run pnpm install (looked in node_modules/.bin "
                              f"of apps/web and {repo.resolve()}, then PATH and npx)")
