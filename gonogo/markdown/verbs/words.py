"""The words rules are made of: a command's arguments, the refusal, how a wrapper hands what it
wraps back to the analysis (``env``, ``timeout``, ``xargs``, ``sh -c``), sub-command tables.
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


def _command_builtin(program: str, rest: list[Arg], nested: Inner) -> None:
    if rest[:1] in (["-v"], ["-V"]):
        return
    nested.argv(rest)


#: Tools that may be named by a path inside the project (``./gradlew``, ``vendor/bin/phpunit``).
PATH_TOOLS = frozenset({"gradlew", "mvnw", "phpunit", "pest", "phpstan", "psalm", "jest", "vitest",
                         "eslint", "tsc", "prettier", "rspec", "rubocop", "pytest", "mypy", "ruff",
                         "black", "flake8", "playwright", "stylelint", "biome", "next", "vite",
                         "prisma", "knip", "artisan"})
