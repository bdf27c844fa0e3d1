"""The read-only allow-list of ``gonogo.markdown.readonly``: one rule per program.

A rule gets the program's name and its words (``None`` for a word that expands at run
time) and raises ``Refused`` naming the verb when the command may change something;
wrappers (``timeout 5 CMD``, ``sh -c '…'``, ``npx tool``) hand what they wrap back to
the analysis through ``Inner``. The policy is described in ``readonly``'s docstring.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: A word of a command line: its literal text, or None when it is not a literal
#: (``$VAR``, ``"$(…)"``): a rule that must know the word refuses.
Arg = str | None

#: Where a write is not a write.
HARMLESS_TARGETS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr", "-"})


class Refused(Exception):
    """A command that may change something; ``culprit`` names its verb."""

    def __init__(self, culprit: str) -> None:
        super().__init__(culprit)
        self.culprit = culprit


@dataclass(frozen=True)
class Inner:
    """How a wrapper's rule looks into what it wraps: another command or a shell script."""

    argv: Callable[[Sequence[Arg]], None]
    script: Callable[[str], None]


Rule = Callable[[str, list[Arg], Inner], None]


def version_or_help(rest: Sequence[Arg]) -> bool:
    return len(rest) == 1 and rest[0] in ("--version", "-V", "-v", "version", "--help", "-h", "help")


def _ok(program: str, rest: list[Arg], nested: Inner) -> None:
    return None


def _refuse(program: str, rest: list[Arg], nested: Inner) -> None:
    raise Refused(program)


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
            raise Refused(f"{program} {flag}")


def _wrapper(skip_values: frozenset[str] = frozenset(), positional_prefix: int = 0) -> Rule:
    """``timeout 5 CMD``, ``nice -n 5 CMD``: the wrapped command must be read-only."""

    def rule(program: str, rest: list[Arg], nested: Inner) -> None:
        _, inner = _leading(rest, skip_values)
        inner = inner[positional_prefix:]
        nested.argv(inner)

    return rule


def _env(program: str, rest: list[Arg], nested: Inner) -> None:
    _, inner = _leading(rest, frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}))
    while inner and inner[0] is not None and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", inner[0]):
        inner = inner[1:]
    nested.argv(inner)


def _xargs(program: str, rest: list[Arg], nested: Inner) -> None:
    _, inner = _leading(rest, frozenset({"-I", "-i", "-n", "-P", "-L", "-d", "-s", "-E", "-a",
                                         "--max-args", "--max-procs", "--delimiter", "--arg-file"}))
    nested.argv(inner or ["echo"])


def _shell(program: str, rest: list[Arg], nested: Inner) -> None:
    """``sh -c 'SCRIPT'`` is read-only when SCRIPT is; ``sh FILE`` runs a script we cannot see."""
    for i, arg in enumerate(rest):
        if arg is not None and re.fullmatch(r"-[a-zA-Z]*c[a-zA-Z]*", arg):
            script = rest[i + 1] if i + 1 < len(rest) else None
            if script is None:
                raise Refused(f"{program} -c (a script that expands at run time)")
            nested.script(script)
            return
        if arg in ("-o", "+o"):
            continue
        if arg is None or not arg.startswith(("-", "+")):
            if i > 0 and rest[i - 1] in ("-o", "+o"):
                continue
            raise Refused(f"{program} {arg if arg is not None else '…'}")
    raise Refused(program)  # an interactive shell reading stdin


def _subcommands(
    table: dict[str, Rule | bool],
    with_value: frozenset[str] = frozenset(),
    *,
    dry_run: Sequence[str] = (),
    label: str | None = None,
) -> Rule:
    """``git status``: the first positional picks a rule (True: read-only whatever follows).
    Any of the ``dry_run`` options makes any subcommand read-only."""

    def rule(program: str, rest: list[Arg], nested: Inner) -> None:
        name = label or program
        if dry_run and any(a is not None and a.split("=", 1)[0] in dry_run
                           and not a.endswith(("=none", "=false")) for a in rest):
            return
        if version_or_help(rest) or (rest and rest[-1] in ("--help", "-h")):
            return
        _, tail = _leading(rest, with_value)
        if not tail or tail[0] is None:
            raise Refused(name if not tail else f"{name} …")
        verb, args = tail[0], tail[1:]
        entry = table.get(verb)
        if entry is None or entry is False:
            raise Refused(f"{name} {verb}")
        if entry is True:
            return
        entry(f"{name} {verb}", args, nested)

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


def _script(program: str, rest: list[Arg], nested: Inner) -> None:
    """``npm run build``: a read-only script name."""
    names = _positionals(rest, frozenset({"--filter", "-F", "-w", "--workspace", "--prefix", "-C", "--dir"}))
    if not names or not _gate_name(names[0]):
        raise Refused(f"{program} {names[0] if names and names[0] else ''}".strip())


def _install(program: str, rest: list[Arg], nested: Inner) -> None:
    """``pnpm install`` of the lockfile (no package names: those edit package.json)."""
    names = _positionals(rest, frozenset({"--filter", "-F", "-w", "--workspace", "--prefix", "-C", "--dir"}))
    if names or "-g" in rest or "--global" in rest:
        raise Refused(program)


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

    def rule(program: str, rest: list[Arg], nested: Inner) -> None:
        if version_or_help(rest):
            return
        _, tail = _leading(rest, _NODE_PM_VALUES)
        if not tail:
            if program in ("yarn", "bun"):  # `yarn` alone installs
                return _install(program, [], nested)
            raise Refused(program)
        verb = tail[0]
        if verb is None:
            raise Refused(f"{program} …")
        entry = table.get(verb)
        if entry is None:
            if scripts_as_commands and _gate_name(verb):
                return None
            raise Refused(f"{program} {verb}")
        if entry is True:
            return None
        if entry is False:
            raise Refused(f"{program} {verb}")
        entry(f"{program} {verb}", tail[1:], nested)

    return rule


def _forbid_fix(program: str, rest: list[Arg], nested: Inner) -> None:
    _forbid_flags(program, rest, "--fix", "fix")
    if "fix" in rest:
        raise Refused(f"{program} fix")


def _ok_dr(program: str, rest: list[Arg], nested: Inner) -> None:
    return None


def _config_get(program: str, rest: list[Arg], nested: Inner) -> None:
    if not rest or rest[0] not in ("get", "list", "ls"):
        raise Refused(program)


def _no_args(program: str, rest: list[Arg], nested: Inner) -> None:
    if _positionals(rest):
        raise Refused(program)


def _dry_run_only(program: str, rest: list[Arg], nested: Inner) -> None:
    if "--dry-run" not in _flags(rest):
        raise Refused(program)


def _exec(program: str, rest: list[Arg], nested: Inner) -> None:
    """``npx tsc``, ``pnpm exec eslint .``, ``pnpm dlx prisma migrate status``."""
    _, inner = _leading(rest, frozenset({"-p", "--package", "-c", "--call"}))
    nested.argv(inner)


def _tsc(program: str, rest: list[Arg], nested: Inner) -> None:
    _forbid_flags(program, rest, "--init")


def _linter(program: str, rest: list[Arg], nested: Inner) -> None:
    """eslint, stylelint, rubocop, golangci-lint …: fine unless told to fix."""
    _forbid_flags(program, rest, "--fix", "--write", "--apply", "--apply-unsafe", "-a", "-A",
                  "--autocorrect", "--autocorrect-all", "--unsafe-fixes")


def _formatter(*checks: str) -> Rule:
    """prettier, black, gofmt …: read-only only in their check/list/diff forms."""

    def rule(program: str, rest: list[Arg], nested: Inner) -> None:
        flags = _flags(rest)
        if not any(c in flags or (len(c) == 2 and c[1] != "-" and _short(rest, c[1])) for c in checks):
            raise Refused(program)
        _forbid_flags(program, rest, "--write", "-w", "--fix")

    return rule


def _prisma(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest, frozenset({"--schema"}))
    if version_or_help(rest) or pos[:1] in (["generate"], ["validate"], ["version"]):
        return
    if pos[:2] in (["migrate", "status"], ["migrate", "diff"]):
        return
    if pos[:1] == ["format"] and "--check" in _flags(rest):
        return
    raise Refused(" ".join(["prisma", *[p or "…" for p in pos[:2]]]))


def _vitest(program: str, rest: list[Arg], nested: Inner) -> None:
    _forbid_flags(program, rest, "-u", "--update", "--updateSnapshot")


def _next(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["build"], ["lint"], ["info"]):
        _linter(program, rest, nested)
        return
    raise Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _turbo(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest, frozenset({"--filter", "-F", "--concurrency"}))
    if pos[:1] == ["run"]:
        pos = pos[1:]
    if not pos or not all(_gate_name(p) for p in pos):
        raise Refused(f"{program} {' '.join(p or '…' for p in pos)}".strip())


def _make(program: str, rest: list[Arg], nested: Inner) -> None:
    flags = _flags(rest)
    if flags & {"-n", "--dry-run", "--just-print", "--recon", "-q", "--question"} or _short(rest, "n"):
        return
    targets = [p for p in _positionals(rest, frozenset({"-C", "-f", "--file", "-j", "--jobs", "-o", "-W"}))
               if p is None or "=" not in p]
    if not targets:
        raise Refused(f"{program} (its default target)")
    for target in targets:
        if not _gate_name(target):
            raise Refused(f"{program} {target or '…'}")


def _cargo(program: str, rest: list[Arg], nested: Inner) -> None:
    _, tail = _leading(rest, frozenset({"--manifest-path", "-Z", "--config", "-C"}))
    if version_or_help(rest) or not tail and rest in (["-V"], ["--version"]):
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
    raise Refused(f"cargo {verb or ''}".strip())


def _go(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest, frozenset({"-C", "-o", "-run", "-tags", "-p", "-timeout", "-count"}))
    verb = pos[0] if pos else None
    if verb in ("build", "test", "vet", "version", "list", "doc", "help"):
        return
    if verb == "env" and not _flags(rest) & {"-w", "-u"}:
        return
    if verb == "mod" and pos[1:2] in (["verify"], ["why"], ["graph"]):
        return
    raise Refused(f"go {verb or ''}".strip())


def _python(program: str, rest: list[Arg], nested: Inner) -> None:
    """``python -m pytest``: the module must be a read-only tool; ``python manage.py check``."""
    if version_or_help(rest) or rest == ["-V"] or rest == ["--version"]:
        return
    for i, arg in enumerate(rest):
        if arg == "-m" and i + 1 < len(rest):
            module = rest[i + 1]
            if module in ("pip",):
                return _pip("python -m pip", list(rest[i + 2:]), nested)
            nested.argv([module, *rest[i + 2:]])
            return
        if arg is not None and arg.endswith("manage.py"):
            return _django(f"{program} manage.py", list(rest[i + 1:]), nested)
        if arg is None or not arg.startswith("-"):
            break
    raise Refused(program if not rest or rest[0] is None else f"{program} {rest[0]}")


def _django(program: str, rest: list[Arg], nested: Inner) -> None:
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
    raise Refused(f"{program} {verb or ''}".strip())


def _pip(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["check"], ["list"], ["freeze"], ["show"], ["--version"]) or version_or_help(rest):
        return
    if pos[:1] == ["install"] and "--dry-run" in _flags(rest):
        return
    raise Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _ruff(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] == ["check"] or not pos:
        _linter(program, rest, nested)
        return
    if pos[:1] == ["format"]:
        return _formatter("--check", "--diff")(program, rest, nested)
    if version_or_help(rest) or pos[:1] == ["version"]:
        return
    raise Refused(f"{program} {pos[0] or ''}".strip())


def _alembic(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest, frozenset({"-c", "--config", "-n", "--name", "-x"}))
    if pos[:1] in (["current"], ["history"], ["heads"], ["branches"], ["show"], ["check"]):
        return
    if pos[:1] in (["upgrade"], ["downgrade"]) and "--sql" in _flags(rest):
        return
    raise Refused(f"alembic {pos[0] if pos and pos[0] else ''}".strip())


def _in_order(words: Sequence[Arg], *allowed: Sequence[str]) -> bool:
    return any(list(words[: len(a)]) == list(a) for a in allowed)


def _git(program: str, rest: list[Arg], nested: Inner) -> None:
    _, tail = _leading(rest, frozenset({"-C", "-c", "--git-dir", "--work-tree"}))
    if version_or_help(rest):
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
    raise Refused(f"git {verb or ''}".strip())


_DOCKER_VALUES = frozenset({"-H", "--host", "--context", "-c", "--config", "-l", "--log-level"})
_COMPOSE_VALUES = frozenset({"-f", "--file", "-p", "--project-name", "--env-file", "--profile",
                             "--project-directory", "--ansi", "--progress", "--parallel"})


def _no_follow(program: str, rest: list[Arg], nested: Inner) -> None:
    """logs: fine unless it follows (then it never ends — see ``shell.nonterminating``)."""
    _forbid_flags(program, rest, "-f", "--follow")


def _buildx(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["ls"], ["inspect"], ["version"], ["du"]):
        return
    if pos[:1] == ["build"]:
        return _docker_build(f"{program} build", rest, nested)
    raise Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _docker_build(program: str, rest: list[Arg], nested: Inner) -> None:
    """A build writes a local image (read-only in this policy); ``--push`` publishes it."""
    _forbid_flags(program, rest, "--push")
    for i, arg in enumerate(rest):
        if arg is not None and arg.startswith(("--output", "-o")) and arg not in ("-o",) or arg == "-o":
            value = arg.split("=", 1)[1] if arg is not None and "=" in arg else (rest[i + 1] if i + 1 < len(rest) else None)
            if value is None or "registry" in value or "push=true" in value:
                raise Refused(f"{program} --output")


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


def _terraform(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    verb = pos[0] if pos else None
    if verb in ("plan", "validate", "show", "output", "version", "providers", "graph", "console"):
        return
    if verb == "fmt" and _flags(rest) & {"-check", "--check"}:
        return
    if verb == "state" and pos[1:2] in (["list"], ["show"], ["pull"]):
        return
    raise Refused(f"{program} {verb or ''}".strip())


_KUBE_VALUES = frozenset({"-n", "--namespace", "--context", "--kubeconfig", "-l", "--selector", "-o",
                          "--output", "-f", "--filename", "--cluster", "--user", "-c", "--container",
                          "--field-selector", "-s", "--server", "--sort-by", "--tail", "--since"})


def _kubectl(program: str, rest: list[Arg], nested: Inner) -> None:
    if any(a is not None and a.startswith("--dry-run") and a not in ("--dry-run=none", "--dry-run=false")
           for a in rest):
        return
    pos = _positionals(rest, _KUBE_VALUES)
    verb = pos[0] if pos else None
    if verb in ("get", "describe", "diff", "top", "version", "explain", "api-resources", "api-versions",
                "cluster-info", "events", "wait"):
        return
    if verb == "logs":
        return _no_follow(f"{program} logs", rest, nested)
    if verb == "config" and pos[1:2] in (["view"], ["get-contexts"], ["current-context"], ["get-clusters"]):
        return
    if verb == "auth" and pos[1:2] == ["can-i"]:
        return
    if verb == "rollout" and pos[1:2] in (["status"], ["history"]):
        return
    raise Refused(f"{program} {verb or ''}".strip())


def _helm(program: str, rest: list[Arg], nested: Inner) -> None:
    if "--dry-run" in _flags(rest):
        return
    pos = _positionals(rest, _KUBE_VALUES | {"--version", "-f", "--values", "--set"})
    verb = pos[0] if pos else None
    if verb in ("lint", "template", "list", "ls", "status", "history", "get", "show", "version",
                "diff", "search", "env", "verify"):
        return
    if verb in ("dependency", "dep") and pos[1:2] == ["list"]:
        return
    raise Refused(f"{program} {verb or ''}".strip())


#: curl short options that take a value.
_CURL_VALUES = set("bcdDeEFHKmoPQrtTuUwxXyYzA")


def _curl(program: str, rest: list[Arg], nested: Inner) -> None:
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
            raise Refused(f"curl {name} {value or '…'}")
        if name in _CURL_SENDS and not (get and name in ("-d", "--data", "--data-urlencode")):
            raise Refused(f"curl {name}")
        if name in _CURL_WRITES and value not in HARMLESS_TARGETS:
            raise Refused(f"curl {name} {value or '…'}")
        if name in ("-O", "--remote-name", "--remote-name-all", "-J", "--remote-header-name"):
            raise Refused(f"curl {name}")


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


def _wget(program: str, rest: list[Arg], nested: Inner) -> None:
    flags = _flags(rest)
    if "--spider" in flags:
        return
    for i, arg in enumerate(rest):
        if arg in ("-O", "--output-document") and i + 1 < len(rest) and rest[i + 1] == "-":
            return
        if arg in ("-qO-", "-O-", "--output-document=-", "-qO", ) and (arg != "-qO" or rest[i + 1:i + 2] == ["-"]):
            return
    raise Refused(program)


def _httpie(program: str, rest: list[Arg], nested: Inner) -> None:
    _forbid_flags(program, rest, "--download", "-d", "--output", "-o", "--form", "-f")
    pos = _positionals(rest, frozenset({"-a", "--auth", "--verify", "--timeout", "--print", "-p"}))
    if pos and pos[0] is not None and pos[0].isupper():
        if pos[0] not in ("GET", "HEAD", "OPTIONS"):
            raise Refused(f"{program} {pos[0]}")
        pos = pos[1:]
    for item in pos[1:]:
        if item is None or re.search(r"(?<![=:])(=|:=|@)(?!=)", item):
            raise Refused(f"{program} (request data {item or '…'})")


def _sed(program: str, rest: list[Arg], nested: Inner) -> None:
    """sed edits only with ``-i``; a script's ``w FILE`` writes and ``e`` executes."""
    for arg in rest:
        if arg is None:
            continue
        if arg.startswith("--in-place") or re.fullmatch(r"-[a-zA-Z]*i.*", arg) and not arg.startswith("--"):
            raise Refused("sed -i")
    scripts = [a for a in _positionals(rest, frozenset({"-e", "-f"}))[:1]]
    scripts += [rest[i + 1] for i, a in enumerate(rest[:-1]) if a == "-e"]
    for script in scripts:
        if script is None or re.search(r"(^|[;{}\n]|\s)\s*[wWe](\s|$)|/[gpIiM0-9]*[we](\s|;|$)", script):
            raise Refused("sed (a script that writes or runs)")


def _awk(program: str, rest: list[Arg], nested: Inner) -> None:
    """awk's ``print > FILE`` writes and ``system()`` runs commands."""
    script = next((a for a in _positionals(rest, frozenset({"-F", "-v", "-f"}))), None)
    if "-f" in rest or script is None or re.search(r"system\s*\(|print[f]?[^;}]*>|\|\s*\"|\"\s*\|&?|getline", script):
        raise Refused(f"{program} (a script that writes or runs)")


def _find(program: str, rest: list[Arg], nested: Inner) -> None:
    for arg in rest:
        if arg in ("-delete", "-exec", "-execdir", "-ok", "-okdir", "-fprint", "-fprint0", "-fprintf", "-fls"):
            raise Refused(f"find {arg}")


def _tee(program: str, rest: list[Arg], nested: Inner) -> None:
    for arg in _positionals(rest):
        if arg not in HARMLESS_TARGETS:
            raise Refused(f"tee {arg or '…'}")


def _sort(program: str, rest: list[Arg], nested: Inner) -> None:
    _forbid_flags(program, rest, "-o", "--output")


def _tar(program: str, rest: list[Arg], nested: Inner) -> None:
    first = rest[0] if rest else None
    if first is not None and (first in ("-t", "--list", "-tf", "-tzf", "-tvf", "-tvzf")
                              or re.fullmatch(r"-?[tvzjJf]*t[tvzjJf]*", first)):
        return
    raise Refused(program)


def _gcloud_like(*read: str) -> Rule:
    """gcloud/az: a command group path ending in a read verb (``run services describe``)."""

    def rule(program: str, rest: list[Arg], nested: Inner) -> None:
        words: list[Arg] = []
        for arg in rest:
            if arg is None or arg.startswith("-"):
                break
            words.append(arg)
        if version_or_help(rest) or any(w in read for w in words):
            return
        raise Refused(" ".join([program, *[w or "…" for w in words[:3]]]))

    return rule


def _aws(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest, frozenset({"--region", "--profile", "--output", "--query", "--endpoint-url"}))
    op = pos[1] if len(pos) > 1 else None
    if pos[:2] == ["sts", "get-caller-identity"] or pos[:2] == ["s3", "ls"] or version_or_help(rest):
        return
    if op is not None and re.match(r"^(describe|list|get)-", op) and op != "get-secret-value":
        return
    raise Refused(" ".join(["aws", *[p or "…" for p in pos[:2]]]))


def _systemctl(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["status"], ["is-active"], ["is-enabled"], ["is-failed"], ["list-units"], ["show"],
                   ["list-timers"], ["cat"]):
        return
    raise Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _journalctl(program: str, rest: list[Arg], nested: Inner) -> None:
    _forbid_flags(program, rest, "-f", "--follow", "--rotate", "--vacuum-size", "--vacuum-time",
                  "--vacuum-files", "--flush", "--sync", "--relinquish-var")


def _openssl(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["s_client"], ["version"], ["verify"], ["ciphers"]):
        return
    if pos[:1] in (["x509"], ["req"], ["rsa"], ["pkey"]) and "-out" not in rest and "-noout" in rest:
        return
    raise Refused(f"openssl {pos[0] if pos and pos[0] else ''}".strip())


def _gradle(program: str, rest: list[Arg], nested: Inner) -> None:
    tasks = _positionals(rest, frozenset({"-p", "--project-dir", "-x", "--exclude-task"}))
    if "--dry-run" in rest or "-m" in rest or version_or_help(rest):
        return
    ok = ("build", "test", "check", "assemble", "lint", "javadoc", "dependencies", "tasks", "projects",
          "compileJava", "compileKotlin", "spotlessCheck", "detekt", "ktlintCheck", "jacocoTestReport")
    for task in tasks:
        name = (task or "").rsplit(":", 1)[-1]
        if not (name in ok or _gate_name(name)):
            raise Refused(f"{program} {task or '…'}")
    if not tasks:
        raise Refused(f"{program} (its default tasks)")


def _mvn(program: str, rest: list[Arg], nested: Inner) -> None:
    goals = _positionals(rest, frozenset({"-f", "--file", "-pl", "--projects", "-P", "-s", "-D"}))
    ok = ("validate", "compile", "test", "package", "verify", "test-compile", "dependency:tree",
          "spotless:check", "checkstyle:check", "help:effective-pom")
    if version_or_help(rest):
        return
    if not goals or any(g not in ok for g in goals):
        bad = next((g for g in goals if g not in ok), None)
        raise Refused(f"{program} {bad or ''}".strip())


def _bundle(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] == ["exec"]:
        _, inner = _leading(rest[rest.index("exec") + 1:], frozenset())
        return nested.argv(inner)
    if pos[:1] in (["check"], ["list"], ["outdated"], ["version"]) or version_or_help(rest):
        return
    raise Refused(f"bundle {pos[0] if pos and pos[0] else ''}".strip())


def _rails(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest, frozenset({"-e", "--environment"}))
    if pos[:1] in (["test"], ["db:migrate:status"], ["about"], ["routes"], ["stats"], ["notes"],
                   ["zeitwerk:check"], ["version"]) or version_or_help(rest):
        return
    raise Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _rake(program: str, rest: list[Arg], nested: Inner) -> None:
    tasks = _positionals(rest)
    if tasks and all(t in ("test", "spec", "db:migrate:status", "rubocop") or _gate_name(t) for t in tasks):
        return
    raise Refused(f"{program} {tasks[0] if tasks and tasks[0] else ''}".strip())


def _artisan(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["test"], ["about"], ["route:list"], ["migrate:status"], ["--version"]):
        return
    if pos[:1] == ["migrate"] and "--pretend" in _flags(rest):
        return
    raise Refused(f"artisan {pos[0] if pos and pos[0] else ''}".strip())


def _php(program: str, rest: list[Arg], nested: Inner) -> None:
    if rest[:1] == ["-l"] or version_or_help(rest):
        return
    if rest[:1] == ["artisan"]:
        return _artisan(program, list(rest[1:]), nested)
    if rest and rest[0] is not None and rest[0].rsplit("/", 1)[-1] in PATH_TOOLS:
        return nested.argv(rest)
    raise Refused(f"{program} {rest[0] if rest and rest[0] else ''}".strip())


def _composer(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["validate"], ["audit"], ["show"], ["outdated"], ["check-platform-reqs"], ["diagnose"]):
        return
    if pos[:1] in (["install"], ["update"]) and "--dry-run" in _flags(rest):
        return
    if pos[:1] in (["test"], ["lint"], ["analyse"], ["check"]):
        return
    raise Refused(f"composer {pos[0] if pos and pos[0] else ''}".strip())


def _flutter(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["test"], ["analyze"], ["build"], ["doctor"], ["--version"], ["devices"]) \
            or pos[:2] == ["pub", "get"] or pos[:2] == ["pub", "outdated"] or version_or_help(rest):
        return
    if pos[:1] == ["format"] and "--set-exit-if-changed" in rest and "--output=none" in rest:
        return
    raise Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _poetry_like(program: str, rest: list[Arg], nested: Inner) -> None:
    """poetry run / uv run / pipenv run / hatch run CMD; ``poetry check`` and friends."""
    pos = _positionals(rest)
    if pos[:1] == ["run"]:
        index = next(i for i, a in enumerate(rest) if a == "run")
        _, inner = _leading(rest[index + 1:], frozenset({"--with", "--python", "-p", "--env"}))
        return nested.argv(inner)
    if pos[:1] in (["check"], ["show"], ["build"], ["lock"] if "--check" in rest else ["-"], ["--version"],
                   ["version"] if len(pos) == 1 else ["-"], ["tree"], ["sync"] if "--locked" in rest else ["-"]) \
            or version_or_help(rest):
        return
    raise Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _redis(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest, frozenset({"-h", "-p", "-a", "-n", "-u", "--user", "--pass"}))
    if [p.lower() if p else p for p in pos[:1]] in (["ping"], ["info"], ["dbsize"]) or rest == ["--version"]:
        return
    raise Refused(f"redis-cli {pos[0] if pos and pos[0] else ''}".strip())


def _vercel(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest, frozenset({"--scope", "--token", "-t", "--cwd"}))
    if pos[:1] in (["whoami"], ["ls"], ["list"], ["inspect"], ["--version"]) or version_or_help(rest) \
            or pos[:2] in (["env", "ls"], ["domains", "ls"]):
        return
    raise Refused(f"{program} {pos[0] if pos and pos[0] else '(deploys)'}".strip())


def _netlify(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["status"], ["--version"], ["build"] if "--dry" in rest else ["-"]) \
            or version_or_help(rest):
        return
    raise Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _gh(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if len(pos) >= 2 and pos[1] in ("view", "list", "status", "checks", "diff") or pos[:2] == ["auth", "status"]:
        return
    raise Refused(" ".join(["gh", *[p or "…" for p in pos[:2]]]))


def _nginx(program: str, rest: list[Arg], nested: Inner) -> None:
    """``nginx -t``/``-T`` test the configuration; anything else starts or signals a server."""
    if not rest or not all(a in ("-t", "-T", "-q", "-v", "-V", "-c", "-p", "-g") or
                           (i > 0 and rest[i - 1] in ("-c", "-p", "-g")) for i, a in enumerate(rest)):
        raise Refused(program)
    if "-g" in rest:
        raise Refused(f"{program} -g")


def _uniq(program: str, rest: list[Arg], nested: Inner) -> None:
    if len(_positionals(rest, frozenset({"-f", "-s", "-w"}))) > 1:  # uniq IN OUT writes OUT
        raise Refused("uniq (an output file)")


def _yq(program: str, rest: list[Arg], nested: Inner) -> None:
    _forbid_flags(program, rest, "-i", "--inplace")


def _command_builtin(program: str, rest: list[Arg], nested: Inner) -> None:
    if rest[:1] in (["-v"], ["-V"]):
        return
    nested.argv(rest)


def _mvn_wrapper(program: str, rest: list[Arg], nested: Inner) -> None:
    return _mvn(program, rest, nested)


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

RULES: dict[str, Rule] = {name: _ok for name in _READ_ONLY_PROGRAMS}
RULES.update({
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
PATH_TOOLS = frozenset({"gradlew", "mvnw", "phpunit", "pest", "phpstan", "psalm", "jest", "vitest",
                         "eslint", "tsc", "prettier", "rspec", "rubocop", "pytest", "mypy", "ruff",
                         "black", "flake8", "playwright", "stylelint", "biome", "next", "vite",
                         "prisma", "knip", "artisan"})
RULES["artisan"] = _artisan

#: Programs that answer ``--version``/``--help`` without doing anything else.
RUNTIMES = frozenset({"node", "deno", "java", "javac", "ruby", "rustc", "dotnet", "psql", "pg_dump",
                       "pg_restore", "mysql", "mongosh", "flyctl", "fly", "heroku", "railway", "render",
                       "firebase", "supabase", "wrangler", "serverless", "sls", "pulumi", "ansible",
                       "ansible-playbook", "packer", "vault", "consul", "nomad", "kind", "minikube",
                       "k9s", "argocd", "skaffold", "tilt", "ssh", "scp", "rsync", "sqlite3", "flyway",
                       "liquibase", "sentry-cli", "swift", "xcodebuild", "fastlane", "pod", "expo",
                       "eas", "gunicorn", "uvicorn", "celery", "caddy", "certbot", "rclone"})
