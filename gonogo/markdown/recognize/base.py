"""What every recognition rule shares: the proposal it returns, the context it reads, and
the word helpers that compare an item's text with commands.

The context holds the document's one-time scan (``scan.DocumentScan``): URLs of ``curl``
lines, the migration tool — looked up per item, never rescanned (linear time)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from gonogo.markdown.parse import Document, Item, Section
from gonogo.markdown.recognize.scan import DocumentScan
from gonogo.markdown.shell import CommandLine, escape


@dataclass
class Recognized:
    """A proposed binding: check type, parameters, and what it still lacks."""

    type: str
    params: dict[str, Any]
    rule: str
    needs: list[str] = field(default_factory=list)
    consumes: list[CommandLine] = field(default_factory=list)
    note: str | None = None
    #: A command the item was matched to (safety rules apply to it).
    command: CommandLine | None = None
    #: Checks this one reads the result of: its ``needs`` (checks of a phase run concurrently).
    after: list[str] = field(default_factory=list)


@dataclass
class Context:
    """What rules may look at besides the item."""

    doc: Document
    variables: Mapping[str, str]
    secrets: list[dict[str, Any]]
    services: list[dict[str, Any]]
    used: set[int] = field(default_factory=set)  # id() of consumed CommandLines
    backup_check: str | None = None  # id of the check bound to postgres.backup

    @cached_property
    def scan(self) -> DocumentScan:
        """The document scanned once (URLs of its curl lines, its migration tool)."""
        return DocumentScan(self.doc)

    def ref(self, *names: str) -> str | None:
        """``${name}`` for the first of ``names`` that has a non-empty value, else None."""
        for name in names:
            for candidate in dict.fromkeys((name, name.upper())):
                if self.variables.get(candidate):
                    return "${" + candidate + "}"
        return None

    def value(self, *names: str) -> str | None:
        for name in names:
            for candidate in dict.fromkeys((name, name.upper())):
                value = self.variables.get(candidate)
                if value:
                    return value
        return None


Rule = Callable[[Item, Section, Context], "Recognized | None"]

# ---- words ----------------------------------------------------------------------------

_SUFFIXES = ("ions", "ion", "ings", "ing", "ies", "es", "ed", "s", "e")
FILLER = frozenset(
    "pass succe succeed successful successfully work ok without error no all the a an is are "
    "be run clean cleanly green complet fine correctly of in on for to with and or any there "
    "if applicabl".split()
)
VERBS = frozenset(
    "build lint test install generat migrat compil typecheck format push pull tag deploy audit "
    "scan seed backup dump restor validat verif sync bundl pack publish upload smoke prettier "
    "eslint tsc vet fmt clippy mypy pytest rubocop check".split()
)
_ENV_NAME = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b[A-Z]{3,}[A-Z0-9]*\b")
CODE = re.compile(r"`([^`]+)`")
_WORD = re.compile(r"[A-Za-z0-9]+")
_UPPER = re.compile(r"[A-Z][A-Z0-9_]*")


def stem(word: str) -> str:
    w = word.lower()
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)]
    return w


def words(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text)]


_COMPILED: dict[str, re.Pattern[str]] = {}


def has(text: str, pattern: str) -> bool:
    """Whether ``pattern`` occurs in ``text`` (ignoring case). Called per item and rule, so
    patterns are compiled once here rather than looked up in ``re``'s cache each time."""
    compiled = _COMPILED.get(pattern)
    if compiled is None:
        compiled = _COMPILED[pattern] = re.compile(pattern, re.I)
    return compiled.search(text) is not None


def env_names(text: str) -> list[str]:
    """Environment variable names an item mentions (`JWT_SECRET`, DATABASE_URL)."""
    return list(_env_names(text))


@lru_cache(maxsize=1024)
def _env_names(text: str) -> tuple[str, ...]:  # several rules ask about the same item
    names = [c for c in CODE.findall(text) if _UPPER.fullmatch(c)]
    if not names:
        names = [n for n in _ENV_NAME.findall(text) if "_" in n]
    return tuple(dict.fromkeys(names))


def codes(text: str) -> list[str]:
    return CODE.findall(text)


def free(ctx: Context, commands: Sequence[CommandLine]) -> list[CommandLine]:
    return [c for c in commands if id(c) not in ctx.used]


def command_check(commands: list[CommandLine], rule: str) -> Recognized:
    """A ``command`` check running ``commands`` (joined with ``&&``) where the first runs."""
    first = commands[0]
    run = " && ".join(c.text for c in commands)
    params: dict[str, Any] = {"run": escape(run)}
    if first.cwd:
        params["cwd"] = escape(first.cwd)
    if first.env:
        params["env"] = {k: escape(v) for k, v in first.env.items()}
    lines = ", ".join(str(c.line) for c in commands)
    return Recognized("command", params, rule, consumes=list(commands),
                      note=f"line{'s' if len(commands) > 1 else ''} {lines}", command=first)
