"""Whether a shell command taken from a Markdown checklist is read-only — the policy that
makes ``gonogo check`` change nothing *by construction*.

A command found in a checklist runs under ``check`` (phases of kind ``preflight`` and
``verify``) only when every simple command in it is on this module's allow-list of
read-only verbs. Anything else becomes a ``manual`` item naming the first verb that is
not read-only; a person opts it in with an inline ``<!-- gonogo: {run: …} -->``, a block
``<!-- gonogo: {allow: true} -->``, a ``# gonogo: allow`` comment or a sidecar ``bind:``.

The line is parsed with tree-sitter-bash (a real shell grammar, not regexes), so every
simple command is seen: across ``&&``, ``||``, ``;``, ``|``, subshells, ``{ …; }``,
``if``/``for``/``while`` bodies, ``$(…)``, backticks and process substitution; inside
``sh -c '…'``/``bash -c '…'`` (the inner string is parsed too), ``xargs CMD``, ``env``,
``timeout``, ``nice``, ``time``, ``command``, ``exec``, ``npx``/``pnpm exec``/``dlx``,
``bundle exec``, ``poetry run``/``uv run`` and ``python -m`` wrappers. A redirection that
writes (``>``, ``>>``, ``&>``, ``>|`` to anything but ``/dev/null``/``/dev/stdout``/
``/dev/stderr``) and ``tee FILE`` are writes. A program name that is not a literal
(``$TOOL``), a line the grammar cannot parse, ``eval``, ``source``, ``sudo`` and running a
script file (``sh deploy.sh``, ``./deploy.sh``, ``node x.js``) are not read-only.

What "read-only" means here: nothing outside the project changes and nothing deployed
changes. Building and testing the project are read-only in that sense even though they
write build output (``dist/``, ``target/``, ``node_modules/``, local Docker images)
inside the project — that is what a checklist's quality gates do. So are: installing
the locked dependencies (``npm ci``, ``pnpm install``/``yarn install`` without package
names — note that a plain ``pnpm install`` may refresh ``pnpm-lock.yaml`` when
``package.json`` changed; write ``--frozen-lockfile`` to forbid that), package scripts
whose *name* says build/test/lint/typecheck/check (the project's own definition of those
gates; ``lint:fix``, ``db:migrate``, ``deploy`` … are not), ``--dry-run``/``--check``
forms, status/list/describe/version/help verbs, and the classic text tools (``grep``,
``cat``, ``jq`` …). Publishing, pushing, deploying, migrating, deleting, installing
globally, writing files and sending data (``curl -X POST``, ``-d``) are not.

The rules per program live in ``gonogo.markdown.verbs``. The denylist in
``gonogo.markdown.shell.destructive`` stays as a second guard.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from gonogo.markdown.verbs import RULES, RUNTIMES
from gonogo.markdown.verbs.words import (
    HARMLESS_TARGETS,
    PATH_TOOLS,
    Arg,
    Inner,
    Refused,
    version_or_help,
)

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

_WRITE_REDIRECTS = frozenset({">", ">>", "&>", "&>>", ">|", "<>"})
_MAX_DEPTH = 6  # sh -c 'sh -c "…"' nesting we still look into


@dataclass(frozen=True)
class Analysis:
    """The verdict on one command line: read-only, or the first verb that is not."""

    read_only: bool
    #: The first verb that may change something (``rm``, ``npm publish``, ``> out.txt``).
    culprit: str | None = None


def analyze(script: str) -> Analysis:
    """Whether every simple command of ``script`` (one command line, heredocs included)
    is read-only; if not, the first verb that is not."""
    try:
        _check_script(script, 0)
    except Refused as refused:
        return Analysis(False, refused.culprit)
    return Analysis(True)


# ---- the grammar ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _parser() -> Parser:
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_bash.language()))


def _check_script(script: str, depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise Refused("sh -c (nested too deep)")
    tree = _parser().parse(script.encode())
    if tree.root_node.has_error:
        raise Refused(_first_word(script) + " (not parsed as shell)")
    _walk(tree.root_node, depth)


def _first_word(script: str) -> str:
    words = script.split()
    word = words[0] if words else script
    return word if len(word) <= 40 else word[:39] + "…"


def _walk(root: Node, depth: int) -> None:
    """Every node in source order; a loop, not recursion, so deep nesting cannot crash it."""
    stack = [root]
    while stack:
        node = stack.pop()
        kind = node.type
        if kind == "command":
            _check_command(node, depth)
        elif kind == "file_redirect":
            _check_redirect(node)
        elif kind == "function_definition":
            raise Refused("function definition")
        stack.extend(reversed(node.children))


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _literal(node: Node) -> Arg:
    """The value of a word after quote removal, or None when it expands at run time."""
    kind = node.type
    if kind in ("word", "number"):
        text = _text(node)
        return re.sub(r"\\(.)", r"\1", text) if "\\" in text else text
    if kind == "raw_string":
        return _text(node)[1:-1]
    if kind == "string":
        parts = [c for c in node.children if c.is_named]
        if all(c.type == "string_content" for c in parts):
            return "".join(_text(c) for c in parts)
        return None
    if kind == "concatenation":
        values = [_literal(c) for c in node.children]
        return None if any(v is None for v in values) else "".join(v for v in values if v is not None)
    return None


def _check_redirect(node: Node) -> None:
    operator = next((_text(c) for c in node.children if not c.is_named), "")
    destination = node.child_by_field_name("destination")
    target = _literal(destination) if destination is not None else None
    if operator == ">&" or operator == "<&":
        if target is not None and (target.isdigit() or target == "-"):
            return  # 2>&1: a descriptor, not a file
        operator = ">"
    if operator not in _WRITE_REDIRECTS:
        return
    if target in HARMLESS_TARGETS:
        return
    raise Refused(f"{operator} {target if target is not None else _text(destination) if destination else '?'}")


def _check_command(node: Node, depth: int) -> None:
    argv: list[Arg] = []
    name = node.child_by_field_name("name")
    if name is None:
        return  # a bare assignment: FOO=bar
    for child in node.children:
        if child.type in ("variable_assignment", "file_redirect", "herestring_redirect", "comment"):
            continue
        if child.type == "command_name":
            argv.append(_literal(child.children[0]) if child.children else None)
        elif child.is_named:
            argv.append(_literal(child))
    check_argv(argv, depth)


# ---- the allow-list ---------------------------------------------------------------------


def check_argv(argv: Sequence[Arg], depth: int = 0) -> None:
    """Raise ``Refused`` unless ``argv`` (one simple command) is read-only."""
    if not argv:
        return
    program = argv[0]
    if program is None:
        raise Refused("a program name that expands at run time")
    base = program.rsplit("/", 1)[-1]
    if "/" in program:
        # ./gradlew, vendor/bin/phpunit, node_modules/.bin/tsc: a known tool inside the
        # project; any other path is a script we cannot see into
        if program.startswith("/") or ".." in program.split("/") or base not in PATH_TOOLS:
            raise Refused(program)
    rest = list(argv[1:])
    rule = RULES.get(base)
    if rule is None:
        if base in RUNTIMES and version_or_help(rest):
            return
        raise Refused(base)
    rule(base, rest, Inner(lambda nested: check_argv(nested, depth),
                           lambda script: _check_script(script, depth + 1)))
