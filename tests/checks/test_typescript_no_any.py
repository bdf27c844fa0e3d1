"""``typescript.no_any``: explicit `any` in changed TypeScript files, found by parsing
(tree-sitter), on a real git history of the pnpm workspace fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.checks.typescript_no_any import find_any
from gonogo.core.outcomes import Outcome
from testing.checks import run_check
from testing.node_workspace import commit_all, git, node_env, workspace_repo, write

SOURCE = """\
// any company may call this; anyOf is a name, not a type
const company = "any";
export let a: any = 1;
export const b = company as any;
export const c = <any>company;
export const d: any[] = [];
export const e: Map<string, any> = new Map();
export function f(anyOf: unknown): Promise<any> { return Promise.resolve(anyOf); }
export const g: string = `any ${company}`; /* any */
"""


def test_every_kind_of_explicit_any_is_found_and_nothing_else() -> None:
    found = [(f.line, f.column, f.message) for f in find_any(SOURCE.encode(), "x.ts")]
    assert found == [
        (3, 15, "explicit any in a type annotation"),
        (4, 29, "`as any` assertion"),
        (5, 19, "`<any>` assertion"),
        (6, 17, "`any[]` type"),
        (7, 29, "`any` as a generic argument"),
        (8, 44, "`any` as a generic argument"),
    ]


def test_tsx_files_parse_with_the_tsx_grammar() -> None:
    source = b"export const C = (p: any) => <div title=\"any\">{p as any}</div>;\n"
    assert [(f.line, f.column) for f in find_any(source, "c.tsx")] == [(1, 22), (1, 53)]


def test_columns_count_characters_not_bytes() -> None:
    source = 'const s = "é€"; let x: any;\n'.encode()
    assert [(f.line, f.column) for f in find_any(source, "u.ts")] == [(1, 24)]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return workspace_repo(tmp_path / "repo", node_modules=False)


def no_any(repo: Path, **params: object) -> tuple[Outcome, str, dict[str, object], str | None]:
    result, output = run_check("typescript.no_any", {"base": "main", **params}, repo,
                               env=node_env())
    return result.outcome, result.summary, result.evidence, output


def test_a_change_adding_an_explicit_any_fails_naming_file_line_column(repo: Path) -> None:
    write(repo, "apps/api/src/greet.ts",
          (repo / "apps/api/src/greet.ts").read_text() + "\nexport let x: any = 1;\n")
    commit_all(repo, "add an any")
    outcome, summary, evidence, output = no_any(repo)
    assert outcome == Outcome.FAILED
    assert summary == "1 explicit any in changed files: apps/api/src/greet.ts:9:15"
    assert evidence["findings"] == [{"file": "apps/api/src/greet.ts", "line": 9, "column": 15,
                                     "message": "explicit any in a type annotation"}]
    assert output == "apps/api/src/greet.ts:9:15: explicit any in a type annotation\n"


def test_a_change_that_only_mentions_any_passes(repo: Path) -> None:
    write(repo, "apps/web/src/page.ts", (repo / "apps/web/src/page.ts").read_text() + (
        "// Pages may show any title; anyOf and company are names.\n"
        "export const anyOf = \"any\";\nexport const company: string = `any ${anyOf}`;\n"))
    commit_all(repo, "mention any")
    outcome, summary, evidence, _ = no_any(repo)
    head = git(repo, "rev-parse", "--short=10", "main").strip()
    assert (outcome, summary) == (
        Outcome.PASSED, f"no explicit any in 1 changed TypeScript file (main @ {head})")
    assert evidence["files"] == ["apps/web/src/page.ts"]


def test_only_changed_files_count_and_uncommitted_work_is_included(repo: Path) -> None:
    write(repo, "apps/api/src/old.ts", "export const legacy: any = 1;\n")
    commit_all(repo, "legacy any")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge", "feature")
    git(repo, "checkout", "-q", "-b", "next")
    assert no_any(repo)[:2][0] == Outcome.PASSED  # old.ts is on main already
    write(repo, "apps/web/src/new.ts", "export const v = JSON.parse(\"1\") as any;\n")  # untracked
    outcome, summary, _, _ = no_any(repo)
    assert (outcome, summary) == (Outcome.FAILED,
                                  "1 explicit any in changed files: apps/web/src/new.ts:1:37")


def test_allow_globs_and_the_inline_escape(repo: Path) -> None:
    write(repo, "apps/api/src/generated/client.ts", "export type T = any;\n")
    write(repo, "apps/api/src/edge.ts",
          "// gonogo-allow-any: the SDK ships no types\nexport const sdk: any = {};\n"
          "export const h = {} as any; /* gonogo-allow-any: JSON from the wire */\n"
          "// gonogo-allow-any:\nexport const nope: any = 1;\n")
    outcome, summary, evidence, _ = no_any(repo, allow=["apps/api/src/generated/**"])
    assert (outcome, summary) == (
        Outcome.FAILED, "1 explicit any in changed files: apps/api/src/edge.ts:5:20")
    assert [(a["line"], a["allowed_by"]) for a in evidence["allowed"]] == [  # type: ignore[index, union-attr]
        (2, "the SDK ships no types"), (3, "JSON from the wire")]
    write(repo, "apps/api/src/edge.ts", "// gonogo-allow-any: the SDK ships no types\n"
          "export const sdk: any = {};\n")
    outcome, summary, _, _ = no_any(repo, allow=["apps/api/src/generated/**"])
    assert outcome == Outcome.PASSED
    assert summary.endswith("; 1 allowed by gonogo-allow-any")


def test_staged_mode_checks_what_will_be_committed(repo: Path) -> None:
    path = write(repo, "apps/api/src/wip.ts", "export const w: any = 1;\n")
    git(repo, "add", str(path))
    path.write_text("export const w: number = 1;\n")  # fixed in the work tree, not staged
    outcome, summary, _, _ = no_any(repo, staged=True)
    assert (outcome, summary) == (Outcome.FAILED,
                                  "1 explicit any in changed files: apps/api/src/wip.ts:1:17")
    git(repo, "add", str(path))
    outcome, summary, _, _ = no_any(repo, staged=True)
    assert (outcome, summary) == (Outcome.PASSED,
                                  "no explicit any in 1 changed TypeScript file (staged)")


def test_an_unknown_base_is_an_error_saying_what_to_do(repo: Path) -> None:
    outcome, summary, _, _ = no_any(repo, base="origin/main")
    assert outcome == Outcome.ERRORED
    assert summary == ("base 'origin/main' is not a commit here: fetch it (git fetch origin) "
                       "or set `base:` to an existing ref")


def test_outside_a_git_repository_is_an_error(tmp_path: Path) -> None:
    result, _ = run_check("typescript.no_any", {}, tmp_path, env=node_env(GIT_CEILING_DIRECTORIES=str(tmp_path.parent)))
    assert result.outcome == Outcome.ERRORED
    assert result.summary == ("git rev-parse failed (exit 128): fatal: not a git repository "
                              "(or any of the parent directories): .git")
