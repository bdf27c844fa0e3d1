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

The denylist in ``gonogo.markdown.shell.destructive`` stays as a second guard.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

#: A word of a command line: its literal text, or None when it is not a literal
#: (``$VAR``, ``"$(…)"``): a rule that must know the word refuses.
Arg = str | None

#: Where a write is not a write.
HARMLESS_TARGETS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr", "-"})
_WRITE_REDIRECTS = frozenset({">", ">>", "&>", "&>>", ">|", "<>"})
_MAX_DEPTH = 6  # sh -c 'sh -c "…"' nesting we still look into


@dataclass(frozen=True)
class Analysis:
    """The verdict on one command line: read-only, or the first verb that is not."""

    read_only: bool
    #: The first verb that may change something (``rm``, ``npm publish``, ``> out.txt``).
    culprit: str | None = None


class _Refused(Exception):
    def __init__(self, culprit: str) -> None:
        super().__init__(culprit)
        self.culprit = culprit


def analyze(script: str) -> Analysis:
    """Whether every simple command of ``script`` (one command line, heredocs included)
    is read-only; if not, the first verb that is not."""
    try:
        _check_script(script, 0)
    except _Refused as refused:
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
        raise _Refused("sh -c (nested too deep)")
    tree = _parser().parse(script.encode())
    if tree.root_node.has_error:
        raise _Refused(_first_word(script) + " (not parsed as shell)")
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
            raise _Refused("function definition")
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
    raise _Refused(f"{operator} {target if target is not None else _text(destination) if destination else '?'}")


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
    """Raise ``_Refused`` unless ``argv`` (one simple command) is read-only."""
    if not argv:
        return
    program = argv[0]
    if program is None:
        raise _Refused("a program name that expands at run time")
    base = program.rsplit("/", 1)[-1]
    if "/" in program:
        # ./gradlew, vendor/bin/phpunit, node_modules/.bin/tsc: a known tool inside the
        # project; any other path is a script we cannot see into
        if program.startswith("/") or ".." in program.split("/") or base not in _PATH_TOOLS:
            raise _Refused(program)
    rest = list(argv[1:])
    rule = _RULES.get(base)
    if rule is None:
        if base in _RUNTIMES and _only_version_or_help(rest):
            return
        raise _Refused(base)
    rule(base, rest, depth)


Rule = Callable[[str, list[Arg], int], None]


def _only_version_or_help(rest: Sequence[Arg]) -> bool:
    return len(rest) == 1 and rest[0] in ("--version", "-V", "-v", "version", "--help", "-h", "help")


def _ok(program: str, rest: list[Arg], depth: int) -> None:
    return None


def _refuse(program: str, rest: list[Arg], depth: int) -> None:
    raise _Refused(program)


def _flags(rest: Sequence[Arg]) -> set[str]:
    """Every option word, long options without their ``=value``."""
    return {a.split("=", 1)[0] for a in rest if a is not None and a.startswith("-")}


def _short(rest: Sequence[Arg], letter: str) -> bool:
    """Whether a bundle of short options (``-sSfi``) holds ``letter``."""
    return any(a is not None and re.fullmatch(r"-[A-Za-z0-9]+", a) is not None and letter in a[1:]
               for a in rest)


def _positionals(rest: Sequence[Arg], with_value: frozenset[str] = frozenset()) -> list[Arg]:
    """Non-option words, skipping the values of options that take one."""
    out: list[Arg] = []
    skip = False
    for arg in rest:
        if skip:
            skip = False
            continue
        if arg is not None and arg.startswith("-") and arg != "-":
            if arg == "--":
                continue
            skip = arg in with_value
            continue
        out.append(arg)
    return out


def _leading(rest: Sequence[Arg], with_value: frozenset[str]) -> tuple[list[Arg], list[Arg]]:
    """(options before the first positional, the rest from that positional on)."""
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg is not None and arg.startswith("-") and arg != "-":
            i += 2 if arg in with_value else 1
            continue
        break
    return list(rest[:i]), list(rest[i:])


def _forbid_flags(program: str, rest: Sequence[Arg], *flags: str) -> None:
    found = _flags(rest)
    for flag in flags:
        if flag in found or (len(flag) == 2 and flag[0] == "-" and flag[1] != "-" and _short(rest, flag[1])):
            raise _Refused(f"{program} {flag}")


def _wrapper(skip_values: frozenset[str] = frozenset(), positional_prefix: int = 0) -> Rule:
    """``timeout 5 CMD``, ``nice -n 5 CMD``: the wrapped command must be read-only."""

    def rule(program: str, rest: list[Arg], depth: int) -> None:
        _, inner = _leading(rest, skip_values)
        inner = inner[positional_prefix:]
        check_argv(inner, depth)

    return rule


def _env(program: str, rest: list[Arg], depth: int) -> None:
    _, inner = _leading(rest, frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}))
    while inner and inner[0] is not None and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", inner[0]):
        inner = inner[1:]
    check_argv(inner, depth)


def _xargs(program: str, rest: list[Arg], depth: int) -> None:
    _, inner = _leading(rest, frozenset({"-I", "-i", "-n", "-P", "-L", "-d", "-s", "-E", "-a",
                                         "--max-args", "--max-procs", "--delimiter", "--arg-file"}))
    check_argv(inner or ["echo"], depth)


def _shell(program: str, rest: list[Arg], depth: int) -> None:
    """``sh -c 'SCRIPT'`` is read-only when SCRIPT is; ``sh FILE`` runs a script we cannot see."""
    for i, arg in enumerate(rest):
        if arg is not None and re.fullmatch(r"-[a-zA-Z]*c[a-zA-Z]*", arg):
            script = rest[i + 1] if i + 1 < len(rest) else None
            if script is None:
                raise _Refused(f"{program} -c (a script that expands at run time)")
            _check_script(script, depth + 1)
            return
        if arg in ("-o", "+o"):
            continue
        if arg is None or not arg.startswith(("-", "+")):
            if i > 0 and rest[i - 1] in ("-o", "+o"):
                continue
            raise _Refused(f"{program} {arg if arg is not None else '…'}")
    raise _Refused(program)  # an interactive shell reading stdin


def _subcommands(
    table: dict[str, Rule | bool],
    with_value: frozenset[str] = frozenset(),
    *,
    dry_run: Sequence[str] = (),
    label: str | None = None,
) -> Rule:
    """``git status``: the first positional picks a rule (True: read-only whatever follows).
    Any of the ``dry_run`` options makes any subcommand read-only."""

    def rule(program: str, rest: list[Arg], depth: int) -> None:
        name = label or program
        if dry_run and any(a is not None and a.split("=", 1)[0] in dry_run
                           and not a.endswith(("=none", "=false")) for a in rest):
            return
        if _only_version_or_help(rest) or (rest and rest[-1] in ("--help", "-h")):
            return
        _, tail = _leading(rest, with_value)
        if not tail or tail[0] is None:
            raise _Refused(name if not tail else f"{name} …")
        verb, args = tail[0], tail[1:]
        entry = table.get(verb)
        if entry is None or entry is False:
            raise _Refused(f"{name} {verb}")
        if entry is True:
            return
        entry(f"{name} {verb}", args, depth)

    return rule


# ---- per-tool rules --------------------------------------------------------------------

#: Package-script and make-target names that mean build/test/lint/typecheck/check.
_GATE_NAME = re.compile(
    r"^(build|test|tests|lint|typecheck|type-check|types|tsc|check|checks|verify|validate|ci"
    r"|audit|e2e|coverage|cov|compile|vet|format:check|fmt:check|prettier:check|fmt-check"
    r"|format-check|lint-check|(build|test|lint|typecheck|type-check|check|verify|validate|compile|e2e"
    r"|coverage)[:._-][\w:.-]*)$"
)
_CHANGING_NAME = re.compile(
    r"fix|write|deploy|publish|release|migrat|seed|push|clean|reset|start|dev|serve|watch|update"
    r"|upgrade|install|apply|destroy|drop|delete|prune|generate|snapshot|bump|tag", re.I)


def _gate_name(name: Arg) -> bool:
    return name is not None and bool(_GATE_NAME.match(name)) and not _CHANGING_NAME.search(name)


def _script(program: str, rest: list[Arg], depth: int) -> None:
    """``npm run build``: a read-only script name."""
    names = _positionals(rest, frozenset({"--filter", "-F", "-w", "--workspace", "--prefix", "-C", "--dir"}))
    if not names or not _gate_name(names[0]):
        raise _Refused(f"{program} {names[0] if names and names[0] else ''}".strip())


def _install(program: str, rest: list[Arg], depth: int) -> None:
    """``pnpm install`` of the lockfile (no package names: those edit package.json)."""
    names = _positionals(rest, frozenset({"--filter", "-F", "-w", "--workspace", "--prefix", "-C", "--dir"}))
    if names or "-g" in rest or "--global" in rest:
        raise _Refused(program)


_NODE_PM_VALUES = frozenset({"--filter", "-F", "-w", "--workspace", "--prefix", "-C", "--dir", "--cwd",
                             "--loglevel", "--reporter"})


def _node_pm(scripts_as_commands: bool) -> Rule:
    """npm, pnpm, yarn, bun: run/test/install/exec; pnpm/yarn/bun also take a script as verb."""
    table: dict[str, Rule | bool] = {
        "run": _script, "run-script": _script, "test": True, "t": True, "tst": True,
        "install": _install, "i": _install, "ci": _install, "audit": _forbid_fix,
        "ls": True, "list": True, "outdated": True, "view": True, "info": True, "why": True,
        "explain": True, "licenses": True, "doctor": _ok_dr, "config": _config_get,
        "exec": _exec, "dlx": _exec, "x": _exec, "version": _no_args, "-v": True,
        "--version": True, "help": True, "whoami": True, "pack": _dry_run_only,
        "publish": _dry_run_only, "lint": True, "build": True, "check": True, "typecheck": True,
    }

    def rule(program: str, rest: list[Arg], depth: int) -> None:
        if _only_version_or_help(rest):
            return
        _, tail = _leading(rest, _NODE_PM_VALUES)
        if not tail:
            if program in ("yarn", "bun"):  # `yarn` alone installs
                return _install(program, [], depth)
            raise _Refused(program)
        verb = tail[0]
        if verb is None:
            raise _Refused(f"{program} …")
        entry = table.get(verb)
        if entry is None:
            if scripts_as_commands and _gate_name(verb):
                return None
            raise _Refused(f"{program} {verb}")
        if entry is True:
            return None
        if entry is False:
            raise _Refused(f"{program} {verb}")
        entry(f"{program} {verb}", tail[1:], depth)

    return rule


def _forbid_fix(program: str, rest: list[Arg], depth: int) -> None:
    _forbid_flags(program, rest, "--fix", "fix")
    if "fix" in rest:
        raise _Refused(f"{program} fix")


def _ok_dr(program: str, rest: list[Arg], depth: int) -> None:
    return None


def _config_get(program: str, rest: list[Arg], depth: int) -> None:
    if not rest or rest[0] not in ("get", "list", "ls"):
        raise _Refused(program)


def _no_args(program: str, rest: list[Arg], depth: int) -> None:
    if _positionals(rest):
        raise _Refused(program)


def _dry_run_only(program: str, rest: list[Arg], depth: int) -> None:
    if "--dry-run" not in _flags(rest):
        raise _Refused(program)


def _exec(program: str, rest: list[Arg], depth: int) -> None:
    """``npx tsc``, ``pnpm exec eslint .``, ``pnpm dlx prisma migrate status``."""
    _, inner = _leading(rest, frozenset({"-p", "--package", "-c", "--call"}))
    check_argv(inner, depth)


def _tsc(program: str, rest: list[Arg], depth: int) -> None:
    _forbid_flags(program, rest, "--init")


def _linter(program: str, rest: list[Arg], depth: int) -> None:
    """eslint, stylelint, rubocop, golangci-lint …: fine unless told to fix."""
    _forbid_flags(program, rest, "--fix", "--write", "--apply", "--apply-unsafe", "-a", "-A",
                  "--autocorrect", "--autocorrect-all", "--unsafe-fixes")


def _formatter(*checks: str) -> Rule:
    """prettier, black, gofmt …: read-only only in their check/list/diff forms."""

    def rule(program: str, rest: list[Arg], depth: int) -> None:
        flags = _flags(rest)
        if not any(c in flags or (len(c) == 2 and c[1] != "-" and _short(rest, c[1])) for c in checks):
            raise _Refused(program)
        _forbid_flags(program, rest, "--write", "-w", "--fix")

    return rule


def _prisma(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest, frozenset({"--schema"}))
    if _only_version_or_help(rest) or pos[:1] in (["generate"], ["validate"], ["version"]):
        return
    if pos[:2] in (["migrate", "status"], ["migrate", "diff"]):
        return
    if pos[:1] == ["format"] and "--check" in _flags(rest):
        return
    raise _Refused(" ".join(["prisma", *[p or "…" for p in pos[:2]]]))


def _vitest(program: str, rest: list[Arg], depth: int) -> None:
    _forbid_flags(program, rest, "-u", "--update", "--updateSnapshot")


def _next(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["build"], ["lint"], ["info"]):
        _linter(program, rest, depth)
        return
    raise _Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _turbo(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest, frozenset({"--filter", "-F", "--concurrency"}))
    if pos[:1] == ["run"]:
        pos = pos[1:]
    if not pos or not all(_gate_name(p) for p in pos):
        raise _Refused(f"{program} {' '.join(p or '…' for p in pos)}".strip())


def _make(program: str, rest: list[Arg], depth: int) -> None:
    flags = _flags(rest)
    if flags & {"-n", "--dry-run", "--just-print", "--recon", "-q", "--question"} or _short(rest, "n"):
        return
    targets = [p for p in _positionals(rest, frozenset({"-C", "-f", "--file", "-j", "--jobs", "-o", "-W"}))
               if p is None or "=" not in p]
    if not targets:
        raise _Refused(f"{program} (its default target)")
    for target in targets:
        if not _gate_name(target):
            raise _Refused(f"{program} {target or '…'}")


def _cargo(program: str, rest: list[Arg], depth: int) -> None:
    _, tail = _leading(rest, frozenset({"--manifest-path", "-Z", "--config", "-C"}))
    if _only_version_or_help(rest) or not tail and rest in (["-V"], ["--version"]):
        return
    verb = tail[0] if tail else None
    if verb in ("build", "b", "test", "t", "check", "c", "doc", "bench", "tree", "metadata", "nextest",
                "audit", "deny", "verify-project", "version", "search", "outdated"):
        return
    if verb == "clippy":
        _forbid_flags("cargo clippy", tail[1:], "--fix")
        return
    if verb == "fmt" and "--check" in _flags(tail):
        return
    raise _Refused(f"cargo {verb or ''}".strip())


def _go(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest, frozenset({"-C", "-o", "-run", "-tags", "-p", "-timeout", "-count"}))
    verb = pos[0] if pos else None
    if verb in ("build", "test", "vet", "version", "list", "doc", "help"):
        return
    if verb == "env" and not _flags(rest) & {"-w", "-u"}:
        return
    if verb == "mod" and pos[1:2] in (["verify"], ["why"], ["graph"]):
        return
    raise _Refused(f"go {verb or ''}".strip())


def _python(program: str, rest: list[Arg], depth: int) -> None:
    """``python -m pytest``: the module must be a read-only tool; ``python manage.py check``."""
    if _only_version_or_help(rest) or rest == ["-V"] or rest == ["--version"]:
        return
    for i, arg in enumerate(rest):
        if arg == "-m" and i + 1 < len(rest):
            module = rest[i + 1]
            if module in ("pip",):
                return _pip("python -m pip", list(rest[i + 2:]), depth)
            check_argv([module, *rest[i + 2:]], depth)
            return
        if arg is not None and arg.endswith("manage.py"):
            return _django(f"{program} manage.py", list(rest[i + 1:]), depth)
        if arg is None or not arg.startswith("-"):
            break
    raise _Refused(program if not rest or rest[0] is None else f"{program} {rest[0]}")


def _django(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest, frozenset({"--settings", "--database"}))
    verb = pos[0] if pos else None
    flags = _flags(rest)
    if verb in ("check", "test", "showmigrations", "diffsettings", "sqlmigrate", "version", "help",
                "validate_templates"):
        return
    if verb == "makemigrations" and flags & {"--check", "--dry-run"}:
        return
    if verb == "migrate" and "--plan" in flags:
        return
    raise _Refused(f"{program} {verb or ''}".strip())


def _pip(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["check"], ["list"], ["freeze"], ["show"], ["--version"]) or _only_version_or_help(rest):
        return
    if pos[:1] == ["install"] and "--dry-run" in _flags(rest):
        return
    raise _Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _ruff(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest)
    if pos[:1] == ["check"] or not pos:
        _linter(program, rest, depth)
        return
    if pos[:1] == ["format"]:
        return _formatter("--check", "--diff")(program, rest, depth)
    if _only_version_or_help(rest) or pos[:1] == ["version"]:
        return
    raise _Refused(f"{program} {pos[0] or ''}".strip())


def _alembic(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest, frozenset({"-c", "--config", "-n", "--name", "-x"}))
    if pos[:1] in (["current"], ["history"], ["heads"], ["branches"], ["show"], ["check"]):
        return
    if pos[:1] in (["upgrade"], ["downgrade"]) and "--sql" in _flags(rest):
        return
    raise _Refused(f"alembic {pos[0] if pos and pos[0] else ''}".strip())


def _in_order(words: Sequence[Arg], *allowed: Sequence[str]) -> bool:
    return any(list(words[: len(a)]) == list(a) for a in allowed)


def _git(program: str, rest: list[Arg], depth: int) -> None:
    _, tail = _leading(rest, frozenset({"-C", "-c", "--git-dir", "--work-tree"}))
    if _only_version_or_help(rest):
        return
    verb = tail[0] if tail else None
    args = tail[1:]
    if verb in ("status", "diff", "log", "show", "rev-parse", "describe", "ls-files", "ls-tree",
                "ls-remote", "blame", "shortlog", "grep", "cat-file", "merge-base", "rev-list",
                "for-each-ref", "show-ref", "whatchanged", "version", "help", "check-ignore",
                "var", "count-objects", "cherry", "range-diff"):
        _forbid_flags(f"git {verb}", args, "--output")
        return
    pos = _positionals(args)
    if verb == "branch" and not _flags(args) - {"-a", "--all", "-r", "--remotes", "-v", "-vv", "--verbose",
                                                "--list", "-l", "--show-current", "--contains",
                                                "--merged", "--no-merged", "--points-at", "--format",
                                                "--sort", "--no-color", "--color"}:
        if not pos or "--list" in args or "-l" in args or _flags(args) & {"--contains", "--merged", "--no-merged",
                                                                         "--points-at"}:
            return
    if verb == "tag" and (not args or _flags(args) & {"-l", "--list", "--contains", "--points-at", "-n"}) \
            and not _flags(args) & {"-d", "--delete", "-a", "-s", "-f", "-m"}:
        return
    if verb == "remote" and (not args or args in (["-v"], ["--verbose"]) or _in_order(args, ["get-url"], ["show"])):
        return
    if verb == "config" and _flags(args) & {"--get", "--get-all", "--list", "-l", "--get-regexp"}:
        return
    if verb == "stash" and _in_order(args, ["list"], ["show"]):
        return
    raise _Refused(f"git {verb or ''}".strip())


_DOCKER_VALUES = frozenset({"-H", "--host", "--context", "-c", "--config", "-l", "--log-level"})
_COMPOSE_VALUES = frozenset({"-f", "--file", "-p", "--project-name", "--env-file", "--profile",
                             "--project-directory", "--ansi", "--progress", "--parallel"})


def _no_follow(program: str, rest: list[Arg], depth: int) -> None:
    """logs: fine unless it follows (then it never ends — see ``shell.nonterminating``)."""
    _forbid_flags(program, rest, "-f", "--follow")


def _buildx(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["ls"], ["inspect"], ["version"], ["du"]):
        return
    if pos[:1] == ["build"]:
        return _docker_build(f"{program} build", rest, depth)
    raise _Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _docker_build(program: str, rest: list[Arg], depth: int) -> None:
    """A build writes a local image (read-only in this policy); ``--push`` publishes it."""
    _forbid_flags(program, rest, "--push")
    for i, arg in enumerate(rest):
        if arg is not None and arg.startswith(("--output", "-o")) and arg not in ("-o",) or arg == "-o":
            value = arg.split("=", 1)[1] if arg is not None and "=" in arg else (rest[i + 1] if i + 1 < len(rest) else None)
            if value is None or "registry" in value or "push=true" in value:
                raise _Refused(f"{program} --output")


_LISTING: dict[str, Rule | bool] = {"ls": True, "list": True, "inspect": True, "ps": True, "history": True,
                                    "df": True}

_COMPOSE: dict[str, Rule | bool] = {
    "config": True, "convert": True, "ps": True, "images": True, "ls": True, "version": True,
    "top": True, "port": True, "build": _docker_build, "logs": _no_follow, "events": False,
    "pull": False,
}

_DOCKER: dict[str, Rule | bool] = {
    "build": _docker_build, "buildx": _buildx, "images": True, "ps": True, "inspect": True,
    "version": True, "info": True, "history": True, "logs": _no_follow, "top": True, "port": True,
    "search": True, "diff": True, "stats": _dry_run_only,
    "image": _subcommands({"ls": True, "list": True, "inspect": True, "history": True,
                           "build": _docker_build}),
    "container": _subcommands({"ls": True, "list": True, "inspect": True, "logs": _no_follow,
                               "top": True, "port": True, "diff": True}),
    "network": _subcommands(_LISTING), "volume": _subcommands(_LISTING),
    "service": _subcommands({**_LISTING, "logs": _no_follow}),
    "stack": _subcommands({"ls": True, "list": True, "ps": True, "services": True, "config": True}),
    "node": _subcommands(_LISTING), "secret": _subcommands(_LISTING), "config": _subcommands(_LISTING),
    "context": _subcommands({**_LISTING, "show": True}),
    "system": _subcommands({"df": True, "info": True, "events": False}),
    "manifest": _subcommands({"inspect": True}),
    "compose": _subcommands(_COMPOSE, _COMPOSE_VALUES, dry_run=("--dry-run",)),
    "scout": True, "scan": True,
}


def _terraform(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest)
    verb = pos[0] if pos else None
    if verb in ("plan", "validate", "show", "output", "version", "providers", "graph", "console"):
        return
    if verb == "fmt" and _flags(rest) & {"-check", "--check"}:
        return
    if verb == "state" and pos[1:2] in (["list"], ["show"], ["pull"]):
        return
    raise _Refused(f"{program} {verb or ''}".strip())


_KUBE_VALUES = frozenset({"-n", "--namespace", "--context", "--kubeconfig", "-l", "--selector", "-o",
                          "--output", "-f", "--filename", "--cluster", "--user", "-c", "--container",
                          "--field-selector", "-s", "--server", "--sort-by", "--tail", "--since"})


def _kubectl(program: str, rest: list[Arg], depth: int) -> None:
    if any(a is not None and a.startswith("--dry-run") and a not in ("--dry-run=none", "--dry-run=false")
           for a in rest):
        return
    pos = _positionals(rest, _KUBE_VALUES)
    verb = pos[0] if pos else None
    if verb in ("get", "describe", "diff", "top", "version", "explain", "api-resources", "api-versions",
                "cluster-info", "events", "wait"):
        return
    if verb == "logs":
        return _no_follow(f"{program} logs", rest, depth)
    if verb == "config" and pos[1:2] in (["view"], ["get-contexts"], ["current-context"], ["get-clusters"]):
        return
    if verb == "auth" and pos[1:2] == ["can-i"]:
        return
    if verb == "rollout" and pos[1:2] in (["status"], ["history"]):
        return
    raise _Refused(f"{program} {verb or ''}".strip())


def _helm(program: str, rest: list[Arg], depth: int) -> None:
    if "--dry-run" in _flags(rest):
        return
    pos = _positionals(rest, _KUBE_VALUES | {"--version", "-f", "--values", "--set"})
    verb = pos[0] if pos else None
    if verb in ("lint", "template", "list", "ls", "status", "history", "get", "show", "version",
                "diff", "search", "env", "verify"):
        return
    if verb in ("dependency", "dep") and pos[1:2] == ["list"]:
        return
    raise _Refused(f"{program} {verb or ''}".strip())


#: curl short options that take a value.
_CURL_VALUES = set("bcdDeEFHKmoPQrtTuUwxXyYzA")


def _curl(program: str, rest: list[Arg], depth: int) -> None:
    """curl reads unless told to send (``-X POST``, ``-d``, ``-F``, ``-T``) or to write a
    file (``-o FILE``, ``-O``, ``-c JAR``, ``-D FILE``, ``--trace FILE``)."""
    options: list[tuple[str, Arg]] = []
    i = 0
    while i < len(rest):
        arg = rest[i]
        i += 1
        if arg is None or not arg.startswith("-") or arg == "-":
            continue
        if arg.startswith("--"):
            name, eq, written = arg.partition("=")
            takes = name in _CURL_LONG_VALUES
            value: Arg = written
            if takes and not eq:
                value = rest[i] if i < len(rest) else None
                i += 1
            options.append((name, value if takes else None))
            continue
        for j, letter in enumerate(arg[1:], 1):
            if letter in _CURL_VALUES:
                value = arg[j + 1:] or (rest[i] if i < len(rest) else None)  # -ofile or -o file
                if not arg[j + 1:]:
                    i += 1
                options.append(("-" + letter, value))
                break
            options.append(("-" + letter, None))
    names = {n for n, _ in options}
    get = bool(names & {"-G", "--get"})
    for name, value in options:
        if name in ("-X", "--request") and (value or "").upper() not in ("GET", "HEAD", "OPTIONS"):
            raise _Refused(f"curl {name} {value or '…'}")
        if name in _CURL_SENDS and not (get and name in ("-d", "--data", "--data-urlencode")):
            raise _Refused(f"curl {name}")
        if name in _CURL_WRITES and value not in HARMLESS_TARGETS:
            raise _Refused(f"curl {name} {value or '…'}")
        if name in ("-O", "--remote-name", "--remote-name-all", "-J", "--remote-header-name"):
            raise _Refused(f"curl {name}")


_CURL_LONG_VALUES = frozenset({
    "--request", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii", "--json",
    "--form", "--form-string", "--upload-file", "--output", "--cookie-jar", "--dump-header", "--trace",
    "--trace-ascii", "--stderr", "--header", "--user", "--user-agent", "--cookie", "--max-time",
    "--connect-timeout", "--retry", "--retry-delay", "--retry-max-time", "--write-out", "--proxy",
    "--resolve", "--cacert", "--cert", "--key", "--referer", "--config", "--output-dir", "--url",
    "--connect-to", "--range", "--limit-rate", "--interface", "--oauth2-bearer", "--aws-sigv4",
    "--variable", "--expand-data", "--etag-save", "--hsts", "--alt-svc", "--libcurl",
})
_CURL_SENDS = frozenset({"-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii",
                         "--json", "-F", "--form", "--form-string", "-T", "--upload-file", "-K", "--config"})
_CURL_WRITES = frozenset({"-o", "--output", "-c", "--cookie-jar", "-D", "--dump-header", "--trace",
                          "--trace-ascii", "--stderr", "--libcurl", "--etag-save", "--hsts", "--alt-svc",
                          "--output-dir"})


def _wget(program: str, rest: list[Arg], depth: int) -> None:
    flags = _flags(rest)
    if "--spider" in flags:
        return
    for i, arg in enumerate(rest):
        if arg in ("-O", "--output-document") and i + 1 < len(rest) and rest[i + 1] == "-":
            return
        if arg in ("-qO-", "-O-", "--output-document=-", "-qO", ) and (arg != "-qO" or rest[i + 1:i + 2] == ["-"]):
            return
    raise _Refused(program)


def _httpie(program: str, rest: list[Arg], depth: int) -> None:
    _forbid_flags(program, rest, "--download", "-d", "--output", "-o", "--form", "-f")
    pos = _positionals(rest, frozenset({"-a", "--auth", "--verify", "--timeout", "--print", "-p"}))
    if pos and pos[0] is not None and pos[0].isupper():
        if pos[0] not in ("GET", "HEAD", "OPTIONS"):
            raise _Refused(f"{program} {pos[0]}")
        pos = pos[1:]
    for item in pos[1:]:
        if item is None or re.search(r"(?<![=:])(=|:=|@)(?!=)", item):
            raise _Refused(f"{program} (request data {item or '…'})")


def _sed(program: str, rest: list[Arg], depth: int) -> None:
    """sed edits only with ``-i``; a script's ``w FILE`` writes and ``e`` executes."""
    for arg in rest:
        if arg is None:
            continue
        if arg.startswith("--in-place") or re.fullmatch(r"-[a-zA-Z]*i.*", arg) and not arg.startswith("--"):
            raise _Refused("sed -i")
    scripts = [a for a in _positionals(rest, frozenset({"-e", "-f"}))[:1]]
    scripts += [rest[i + 1] for i, a in enumerate(rest[:-1]) if a == "-e"]
    for script in scripts:
        if script is None or re.search(r"(^|[;{}\n]|\s)\s*[wWe](\s|$)|/[gpIiM0-9]*[we](\s|;|$)", script):
            raise _Refused("sed (a script that writes or runs)")


def _awk(program: str, rest: list[Arg], depth: int) -> None:
    """awk's ``print > FILE`` writes and ``system()`` runs commands."""
    script = next((a for a in _positionals(rest, frozenset({"-F", "-v", "-f"}))), None)
    if "-f" in rest or script is None or re.search(r"system\s*\(|print[f]?[^;}]*>|\|\s*\"|\"\s*\|&?|getline", script):
        raise _Refused(f"{program} (a script that writes or runs)")


def _find(program: str, rest: list[Arg], depth: int) -> None:
    for arg in rest:
        if arg in ("-delete", "-exec", "-execdir", "-ok", "-okdir", "-fprint", "-fprint0", "-fprintf", "-fls"):
            raise _Refused(f"find {arg}")


def _tee(program: str, rest: list[Arg], depth: int) -> None:
    for arg in _positionals(rest):
        if arg not in HARMLESS_TARGETS:
            raise _Refused(f"tee {arg or '…'}")


def _sort(program: str, rest: list[Arg], depth: int) -> None:
    _forbid_flags(program, rest, "-o", "--output")


def _tar(program: str, rest: list[Arg], depth: int) -> None:
    first = rest[0] if rest else None
    if first is not None and (first in ("-t", "--list", "-tf", "-tzf", "-tvf", "-tvzf")
                              or re.fullmatch(r"-?[tvzjJf]*t[tvzjJf]*", first)):
        return
    raise _Refused(program)


def _gcloud_like(*read: str) -> Rule:
    """gcloud/az: a command group path ending in a read verb (``run services describe``)."""

    def rule(program: str, rest: list[Arg], depth: int) -> None:
        words: list[Arg] = []
        for arg in rest:
            if arg is None or arg.startswith("-"):
                break
            words.append(arg)
        if _only_version_or_help(rest) or any(w in read for w in words):
            return
        raise _Refused(" ".join([program, *[w or "…" for w in words[:3]]]))

    return rule


def _aws(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest, frozenset({"--region", "--profile", "--output", "--query", "--endpoint-url"}))
    op = pos[1] if len(pos) > 1 else None
    if pos[:2] == ["sts", "get-caller-identity"] or pos[:2] == ["s3", "ls"] or _only_version_or_help(rest):
        return
    if op is not None and re.match(r"^(describe|list|get)-", op) and op != "get-secret-value":
        return
    raise _Refused(" ".join(["aws", *[p or "…" for p in pos[:2]]]))


def _systemctl(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["status"], ["is-active"], ["is-enabled"], ["is-failed"], ["list-units"], ["show"],
                   ["list-timers"], ["cat"]):
        return
    raise _Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _journalctl(program: str, rest: list[Arg], depth: int) -> None:
    _forbid_flags(program, rest, "-f", "--follow", "--rotate", "--vacuum-size", "--vacuum-time",
                  "--vacuum-files", "--flush", "--sync", "--relinquish-var")


def _openssl(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["s_client"], ["version"], ["verify"], ["ciphers"]):
        return
    if pos[:1] in (["x509"], ["req"], ["rsa"], ["pkey"]) and "-out" not in rest and "-noout" in rest:
        return
    raise _Refused(f"openssl {pos[0] if pos and pos[0] else ''}".strip())


def _gradle(program: str, rest: list[Arg], depth: int) -> None:
    tasks = _positionals(rest, frozenset({"-p", "--project-dir", "-x", "--exclude-task"}))
    if "--dry-run" in rest or "-m" in rest or _only_version_or_help(rest):
        return
    ok = ("build", "test", "check", "assemble", "lint", "javadoc", "dependencies", "tasks", "projects",
          "compileJava", "compileKotlin", "spotlessCheck", "detekt", "ktlintCheck", "jacocoTestReport")
    for task in tasks:
        name = (task or "").rsplit(":", 1)[-1]
        if not (name in ok or _gate_name(name)):
            raise _Refused(f"{program} {task or '…'}")
    if not tasks:
        raise _Refused(f"{program} (its default tasks)")


def _mvn(program: str, rest: list[Arg], depth: int) -> None:
    goals = _positionals(rest, frozenset({"-f", "--file", "-pl", "--projects", "-P", "-s", "-D"}))
    ok = ("validate", "compile", "test", "package", "verify", "test-compile", "dependency:tree",
          "spotless:check", "checkstyle:check", "help:effective-pom")
    if _only_version_or_help(rest):
        return
    if not goals or any(g not in ok for g in goals):
        bad = next((g for g in goals if g not in ok), None)
        raise _Refused(f"{program} {bad or ''}".strip())


def _bundle(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest)
    if pos[:1] == ["exec"]:
        _, inner = _leading(rest[rest.index("exec") + 1:], frozenset())
        return check_argv(inner, depth)
    if pos[:1] in (["check"], ["list"], ["outdated"], ["version"]) or _only_version_or_help(rest):
        return
    raise _Refused(f"bundle {pos[0] if pos and pos[0] else ''}".strip())


def _rails(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest, frozenset({"-e", "--environment"}))
    if pos[:1] in (["test"], ["db:migrate:status"], ["about"], ["routes"], ["stats"], ["notes"],
                   ["zeitwerk:check"], ["version"]) or _only_version_or_help(rest):
        return
    raise _Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _rake(program: str, rest: list[Arg], depth: int) -> None:
    tasks = _positionals(rest)
    if tasks and all(t in ("test", "spec", "db:migrate:status", "rubocop") or _gate_name(t) for t in tasks):
        return
    raise _Refused(f"{program} {tasks[0] if tasks and tasks[0] else ''}".strip())


def _artisan(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["test"], ["about"], ["route:list"], ["migrate:status"], ["--version"]):
        return
    if pos[:1] == ["migrate"] and "--pretend" in _flags(rest):
        return
    raise _Refused(f"artisan {pos[0] if pos and pos[0] else ''}".strip())


def _php(program: str, rest: list[Arg], depth: int) -> None:
    if rest[:1] == ["-l"] or _only_version_or_help(rest):
        return
    if rest[:1] == ["artisan"]:
        return _artisan(program, list(rest[1:]), depth)
    if rest and rest[0] is not None and rest[0].rsplit("/", 1)[-1] in _PATH_TOOLS:
        return check_argv(rest, depth)
    raise _Refused(f"{program} {rest[0] if rest and rest[0] else ''}".strip())


def _composer(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["validate"], ["audit"], ["show"], ["outdated"], ["check-platform-reqs"], ["diagnose"]):
        return
    if pos[:1] in (["install"], ["update"]) and "--dry-run" in _flags(rest):
        return
    if pos[:1] in (["test"], ["lint"], ["analyse"], ["check"]):
        return
    raise _Refused(f"composer {pos[0] if pos and pos[0] else ''}".strip())


def _flutter(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["test"], ["analyze"], ["build"], ["doctor"], ["--version"], ["devices"]) \
            or pos[:2] == ["pub", "get"] or pos[:2] == ["pub", "outdated"] or _only_version_or_help(rest):
        return
    if pos[:1] == ["format"] and "--set-exit-if-changed" in rest and "--output=none" in rest:
        return
    raise _Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _poetry_like(program: str, rest: list[Arg], depth: int) -> None:
    """poetry run / uv run / pipenv run / hatch run CMD; ``poetry check`` and friends."""
    pos = _positionals(rest)
    if pos[:1] == ["run"]:
        index = next(i for i, a in enumerate(rest) if a == "run")
        _, inner = _leading(rest[index + 1:], frozenset({"--with", "--python", "-p", "--env"}))
        return check_argv(inner, depth)
    if pos[:1] in (["check"], ["show"], ["build"], ["lock"] if "--check" in rest else ["-"], ["--version"],
                   ["version"] if len(pos) == 1 else ["-"], ["tree"], ["sync"] if "--locked" in rest else ["-"]) \
            or _only_version_or_help(rest):
        return
    raise _Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _redis(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest, frozenset({"-h", "-p", "-a", "-n", "-u", "--user", "--pass"}))
    if [p.lower() if p else p for p in pos[:1]] in (["ping"], ["info"], ["dbsize"]) or rest == ["--version"]:
        return
    raise _Refused(f"redis-cli {pos[0] if pos and pos[0] else ''}".strip())


def _vercel(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest, frozenset({"--scope", "--token", "-t", "--cwd"}))
    if pos[:1] in (["whoami"], ["ls"], ["list"], ["inspect"], ["--version"]) or _only_version_or_help(rest) \
            or pos[:2] in (["env", "ls"], ["domains", "ls"]):
        return
    raise _Refused(f"{program} {pos[0] if pos and pos[0] else '(deploys)'}".strip())


def _netlify(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["status"], ["--version"], ["build"] if "--dry" in rest else ["-"]) \
            or _only_version_or_help(rest):
        return
    raise _Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _gh(program: str, rest: list[Arg], depth: int) -> None:
    pos = _positionals(rest)
    if len(pos) >= 2 and pos[1] in ("view", "list", "status", "checks", "diff") or pos[:2] == ["auth", "status"]:
        return
    raise _Refused(" ".join(["gh", *[p or "…" for p in pos[:2]]]))


def _nginx(program: str, rest: list[Arg], depth: int) -> None:
    """``nginx -t``/``-T`` test the configuration; anything else starts or signals a server."""
    if not rest or not all(a in ("-t", "-T", "-q", "-v", "-V", "-c", "-p", "-g") or
                           (i > 0 and rest[i - 1] in ("-c", "-p", "-g")) for i, a in enumerate(rest)):
        raise _Refused(program)
    if "-g" in rest:
        raise _Refused(f"{program} -g")


def _uniq(program: str, rest: list[Arg], depth: int) -> None:
    if len(_positionals(rest, frozenset({"-f", "-s", "-w"}))) > 1:  # uniq IN OUT writes OUT
        raise _Refused("uniq (an output file)")


def _yq(program: str, rest: list[Arg], depth: int) -> None:
    _forbid_flags(program, rest, "-i", "--inplace")


def _command_builtin(program: str, rest: list[Arg], depth: int) -> None:
    if rest[:1] in (["-v"], ["-V"]):
        return
    check_argv(rest, depth)


def _mvn_wrapper(program: str, rest: list[Arg], depth: int) -> None:
    return _mvn(program, rest, depth)


#: Programs that are read-only whatever their arguments (their writes go only to stdout).
_READ_ONLY_PROGRAMS = (
    "cat", "ls", "echo", "printf", "grep", "egrep", "fgrep", "rg", "ag", "head", "wc", "jq", "test", "[",
    "true", "false", ":", "pwd", "which", "whoami", "id", "date", "uname", "hostname", "stat", "file",
    "du", "df", "ps", "pgrep", "printenv", "diff", "cmp", "comm", "basename", "dirname", "realpath",
    "readlink", "cut", "tr", "paste", "column", "rev", "nl", "od", "xxd", "hexdump", "strings", "base64",
    "sha256sum", "sha1sum", "md5sum", "shasum", "cksum", "b2sum", "nproc", "free", "uptime", "lscpu",
    "getent", "dig", "nslookup", "host", "ping", "ss", "netstat", "lsof", "pg_isready", "tail", "less",
    "more", "type", "cd", "set", "sleep", "exit", "return", "wait", "read", "shift", "trap", "cal",
    "seq", "yes", "expr", "tac", "fold", "fmt", "expand", "unexpand", "join", "look", "locale",
    "tree", "whereis", "mysqladmin", "nc", "traceroute", "tracepath", "mtr", "whois", "openssl-version",
    "pytest", "py.test", "mypy", "flake8", "pylint", "bandit", "pyright", "pyflakes", "pycodestyle",
    "pydocstyle", "vulture", "radon", "xenon", "safety", "pip-audit", "tox", "nox", "coverage",
    "jest", "mocha", "ava", "tap", "playwright", "cypress", "karma", "knip", "depcheck", "madge",
    "staticcheck", "govulncheck", "shellcheck", "hadolint", "yamllint", "actionlint", "markdownlint",
    "tflint", "tfsec", "checkov", "trivy", "grype", "kubeval", "kubeconform", "conftest", "promtool",
    "amtool", "brakeman", "rspec", "phpunit", "pest", "phpstan", "psalm", "dotnet-test", "swiftlint",
    "ctest", "gotestsum", "nextest", "hurl", "k6", "ab", "wrk", "hey", "lighthouse", "pa11y",
    "htmlhint", "html-validate", "commitlint", "semgrep", "gitleaks", "detect-secrets", "trufflehog",
    "cspell", "codespell", "vale", "dotenv-linter", "sqlfluff-lint", "vite-build", "tsc-files",
)

_RULES: dict[str, Rule] = {name: _ok for name in _READ_ONLY_PROGRAMS}
_RULES.update({
    # wrappers: the wrapped command decides
    "env": _env, "timeout": _wrapper(frozenset({"-s", "--signal", "-k", "--kill-after"}), 1),
    "nice": _wrapper(frozenset({"-n", "--adjustment"})), "time": _wrapper(), "exec": _wrapper(),
    "command": _command_builtin, "xargs": _xargs, "sh": _shell, "bash": _shell, "dash": _shell,
    "zsh": _shell, "ionice": _wrapper(frozenset({"-c", "-n"})), "stdbuf": _wrapper(),
    "npx": _exec, "bunx": _exec, "pnpx": _exec,
    # writers in disguise
    "tee": _tee, "sort": _sort, "uniq": _uniq, "sed": _sed, "awk": _awk, "gawk": _awk, "mawk": _awk,
    "find": _find, "tar": _tar, "yq": _yq,
    # JavaScript
    "npm": _node_pm(False), "pnpm": _node_pm(True), "yarn": _node_pm(True), "bun": _node_pm(True),
    "tsc": _tsc, "vue-tsc": _tsc, "eslint": _linter, "stylelint": _linter, "biome": _subcommands(
        {"check": _linter, "lint": _linter, "ci": True, "format": _formatter("--check"), "version": True}),
    "prettier": _formatter("--check", "-c", "--list-different", "-l"),
    "prisma": _prisma, "vitest": _vitest, "next": _next, "vite": _subcommands({"build": True}),
    "turbo": _turbo, "nx": _subcommands({"test": True, "lint": True, "build": True, "run-many": True,
                                         "affected": True}),
    # Rust, Go
    "cargo": _cargo, "go": _go, "gofmt": _formatter("-l", "-d"), "golangci-lint": _subcommands(
        {"run": _linter, "version": True, "linters": True}), "rustfmt": _formatter("--check"),
    # Python
    "python": _python, "python3": _python, "pip": _pip, "pip3": _pip, "ruff": _ruff,
    "black": _formatter("--check", "--diff"), "isort": _formatter("--check", "--check-only", "--diff", "-c"),
    "alembic": _alembic, "poetry": _poetry_like, "uv": _poetry_like, "pipenv": _poetry_like,
    "hatch": _poetry_like, "pdm": _poetry_like, "django-admin": _django,
    # Ruby, PHP, JVM, mobile
    "bundle": _bundle, "rails": _rails, "rake": _rake, "rubocop": _linter, "php": _php,
    "composer": _composer, "gradle": _gradle, "gradlew": _gradle, "mvn": _mvn, "mvnw": _mvn_wrapper,
    "flutter": _flutter, "dart": _subcommands({"analyze": True, "test": True}),
    # build tools, VCS
    "make": _make, "git": _git,
    # containers, infrastructure
    "docker": _subcommands(_DOCKER, _DOCKER_VALUES),
    "docker-compose": _subcommands(_COMPOSE, _COMPOSE_VALUES, dry_run=("--dry-run",)),
    "podman": _subcommands(_DOCKER, _DOCKER_VALUES), "terraform": _terraform, "tofu": _terraform,
    "kubectl": _kubectl, "oc": _kubectl, "helm": _helm,
    "gcloud": _gcloud_like("list", "describe", "info", "get-value", "version"),
    "az": _gcloud_like("list", "show", "version"), "aws": _aws,
    "vercel": _vercel, "netlify": _netlify, "gh": _gh,
    # network, system
    "curl": _curl, "wget": _wget, "http": _httpie, "https": _httpie, "openssl": _openssl,
    "systemctl": _systemctl, "nginx": _nginx, "journalctl": _journalctl, "redis-cli": _redis,
})

#: Tools that may be named by a path inside the project (``./gradlew``, ``vendor/bin/phpunit``).
_PATH_TOOLS = frozenset({"gradlew", "mvnw", "phpunit", "pest", "phpstan", "psalm", "jest", "vitest",
                         "eslint", "tsc", "prettier", "rspec", "rubocop", "pytest", "mypy", "ruff",
                         "black", "flake8", "playwright", "stylelint", "biome", "next", "vite",
                         "prisma", "knip", "artisan"})
_RULES["artisan"] = _artisan

#: Programs that answer ``--version``/``--help`` without doing anything else.
_RUNTIMES = frozenset({"node", "deno", "java", "javac", "ruby", "rustc", "dotnet", "psql", "pg_dump",
                       "pg_restore", "mysql", "mongosh", "flyctl", "fly", "heroku", "railway", "render",
                       "firebase", "supabase", "wrangler", "serverless", "sls", "pulumi", "ansible",
                       "ansible-playbook", "packer", "vault", "consul", "nomad", "kind", "minikube",
                       "k9s", "argocd", "skaffold", "tilt", "ssh", "scp", "rsync", "sqlite3", "flyway",
                       "liquibase", "sentry-cli", "swift", "xcodebuild", "fastlane", "pod", "expo",
                       "eas", "gunicorn", "uvicorn", "celery", "caddy", "certbot", "rclone"})
