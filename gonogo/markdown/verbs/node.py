"""Rules for JavaScript's package managers and tools: npm, pnpm, yarn, bun, npx, tsc, eslint,
prettier, prisma, vitest, next, turbo, vercel, netlify; script names that mean a gate.
"""

from __future__ import annotations

import re

from gonogo.markdown.verbs.words import (
    Arg,
    Inner,
    Refused,
    Rule,
    _dry_run_only,
    _exec,
    _flags,
    _forbid_flags,
    _leading,
    _no_args,
    _positionals,
    _short,
    version_or_help,
)

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
