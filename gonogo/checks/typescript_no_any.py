"""``typescript.no_any``: no explicit ``any`` type in the TypeScript files a change touches.

Files are parsed with tree-sitter's TypeScript grammar, so only real type positions
count (``x: any``, ``as any``, ``<any>x``, ``any[]``, ``Promise<any>``); ``any`` in
strings, comments and identifiers (``company``, ``anyOf``) never does.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.core.errors import CheckError, CheckFailed
from gonogo.hookimpl import hookimpl
from gonogo.targets.local import HEAD_BYTES, TAIL_BYTES, run_process
from gonogo.workspaces import glob_match

if TYPE_CHECKING:
    from tree_sitter import Language, Node

ALLOW_MARK = re.compile(r"gonogo-allow-any:\s*(\S.*?)\s*(?:\*/)?$")
GIT_TIMEOUT_S = 60.0
SHOWN = 5

_KIND = {
    "type_annotation": "explicit any in a type annotation",
    "as_expression": "`as any` assertion",
    "type_assertion": "`<any>` assertion",
    "array_type": "`any[]` type",
    "type_arguments": "`any` as a generic argument",
}


@dataclass(frozen=True)
class AnyFinding:
    file: str
    line: int
    column: int
    message: str
    allowed_by: str | None = None

    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file": self.file, "line": self.line, "column": self.column, "message": self.message
        }
        if self.allowed_by is not None:
            data["allowed_by"] = self.allowed_by
        return data


class TypescriptNoAny(Check):
    """No explicit `any` types in TypeScript files changed since a base (or staged)."""

    type_name = "typescript.no_any"
    example = {"base": "origin/main", "allow": ["**/*.d.ts", "apps/api/src/generated/**"]}

    #: Git ref to compare with; the merge-base of it and HEAD unless ``merge_base: false``.
    base: str = Field(default="origin/main", min_length=1)
    merge_base: bool = True
    #: Check the staged version of staged files instead (a pre-commit hook).
    staged: bool = False
    #: A directory inside the git repository (config-relative).
    dir: str = "."
    #: Globs (repository-relative) of files where `any` is accepted.
    allow: list[str] = []
    extensions: list[str] = [".ts", ".tsx", ".mts", ".cts"]

    @field_validator("base")
    @classmethod
    def _ref(cls, value: str) -> str:
        if value.startswith("-") or any(c.isspace() for c in value):
            raise ValueError(f"expected a git ref like origin/main, got {value!r}")
        return value

    def describe(self) -> str:
        what = "staged files" if self.staged else f"files changed since {self.base}"
        return f"typescript.no_any: no explicit any in {what}"

    async def run(self, ctx: CheckContext) -> Evidence:
        try:
            _language(False)
        except ImportError:
            raise CheckError(
                "typescript.no_any needs tree-sitter: pip install 'gonogo[typescript]'"
            ) from None
        env = dict(ctx.env)
        env.setdefault("PATH", os.environ.get("PATH", os.defpath))
        start = ctx.resolve(self.dir)
        if not start.is_dir():
            raise CheckError(f"directory {start} does not exist")
        top = Path((await _git(["rev-parse", "--show-toplevel"], start, env)).strip())
        if self.staged:
            label = "staged"
            names = _split(await _git(
                ["diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR"], top, env))
        else:
            commit = (await _git(
                ["rev-parse", "--verify", "--quiet", f"{self.base}^{{commit}}"], top, env,
                missing=f"base {self.base!r} is not a commit here: fetch it "
                        f"(git fetch origin) or set `base:` to an existing ref")).strip()
            if self.merge_base:
                commit = (await _git(["merge-base", commit, "HEAD"], top, env)).strip()
            label = f"{self.base} @ {commit[:10]}"
            names = _split(await _git(
                ["diff", "--name-only", "-z", "--diff-filter=ACMR", commit, "--"], top, env))
            names += _split(await _git(
                ["ls-files", "--others", "--exclude-standard", "-z"], top, env))
        files = sorted({
            n for n in names
            if n.endswith(tuple(self.extensions)) and not any(glob_match(n, g) for g in self.allow)
        })
        findings: list[AnyFinding] = []
        with tempfile.TemporaryDirectory(prefix="gonogo-staged-") as tmp:
            where = top
            if self.staged and files:
                # the staged content, not the work tree's, is what will be committed
                await _git(["checkout-index", f"--prefix={tmp}/", "--", *files], top, env)
                where = Path(tmp)
            for name in files:
                try:
                    source = (where / name).read_bytes()
                except OSError:
                    continue  # deleted or unreadable in the work tree: nothing to parse
                findings.extend(find_any(source, name))
        blocking = [f for f in findings if f.allowed_by is None]
        allowed = len(findings) - len(blocking)
        data: dict[str, Any] = {
            "base": label,
            "files": files,
            "findings": [f.as_dict() for f in blocking],
        }
        if allowed:
            data["allowed"] = [f.as_dict() for f in findings if f.allowed_by is not None]
        if blocking:
            shown = ", ".join(f.where() for f in blocking[:SHOWN])
            more = f" …and {len(blocking) - SHOWN} more" if len(blocking) > SHOWN else ""
            output = "\n".join(f"{f.where()}: {f.message}" for f in blocking)
            raise CheckFailed(
                f"{len(blocking)} explicit any in changed files: {shown}{more}",
                {**data, "output": output + "\n"},
            )
        noun = "file" if len(files) == 1 else "files"
        summary = f"no explicit any in {len(files)} changed TypeScript {noun} ({label})"
        if allowed:
            summary += f"; {allowed} allowed by gonogo-allow-any"
        return Evidence(summary=summary, data=data)


def find_any(source: bytes, name: str) -> list[AnyFinding]:
    """Every explicit ``any`` type in one TypeScript source, with 1-based line:column."""
    from tree_sitter import Parser

    tree = Parser(_language(name.endswith(".tsx"))).parse(source)
    allowances: dict[int, str] = {}
    found: list[AnyFinding] = []
    stack: list[Node] = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "comment":
            match = ALLOW_MARK.search(_text(node))
            if match:
                row = node.start_point[0] + 1
                allowances[row] = allowances[row + 1] = match.group(1)
        elif node.type == "predefined_type" and _text(node) == "any":
            row = node.start_point[0] + 1
            line_start = node.start_byte - node.start_point[1]
            column = len(source[line_start:node.start_byte].decode("utf-8", "replace")) + 1
            parent = node.parent
            kind = _KIND.get(parent.type if parent else "", "explicit any type")
            if parent is not None and parent.type == "type_arguments" and parent.parent is not None \
                    and parent.parent.type == "type_assertion":
                kind = _KIND["type_assertion"]
            found.append(AnyFinding(name, row, column, kind))
        stack.extend(reversed(node.children))
    found.sort(key=lambda f: (f.line, f.column))
    return [
        AnyFinding(f.file, f.line, f.column, f.message, allowances.get(f.line)) for f in found
    ]


@functools.cache
def _language(tsx: bool) -> Language:
    import tree_sitter_typescript as grammar
    from tree_sitter import Language

    return Language(grammar.language_tsx() if tsx else grammar.language_typescript())


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _split(output: str) -> list[str]:
    return [name for name in output.split("\0") if name]


async def _git(
    args: list[str], cwd: Path, env: dict[str, str], *, missing: str | None = None
) -> str:
    argv = ["git", "-C", str(cwd), "-c", "core.quotepath=off", *args]
    try:
        result = await run_process(argv, env=env, timeout=GIT_TIMEOUT_S)
    except FileNotFoundError:
        raise CheckError("git not found on PATH") from None
    if result.stdout_bytes > HEAD_BYTES + TAIL_BYTES:
        raise CheckError(f"git {args[0]} printed more than gonogo reads ({result.stdout_bytes} bytes)")
    if result.exit_code != 0:
        if missing is not None:
            raise CheckError(missing)
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise CheckError(f"git {args[0]} failed (exit {result.exit_code}): {last}")
    return result.stdout


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [TypescriptNoAny]
