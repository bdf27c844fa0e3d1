"""Items that name a command of their section's code blocks (it passes when the command
does), type-checking, and `any` in changed files."""

from __future__ import annotations

import re

from gonogo.markdown.parse import Item, Section
from gonogo.markdown.recognize.base import (
    CODE,
    FILLER,
    VERBS,
    Context,
    Recognized,
    codes,
    command_check,
    free,
    has,
    words,
)
from gonogo.markdown.shell import CommandLine


def command_of_section(item: Item, section: Section, ctx: Context) -> Recognized | None:
    """The item names a command of its section's code blocks: it passes when that command does."""
    candidates = free(ctx, section.commands)
    if not candidates:
        return None
    for code in codes(item.text):
        code = code.strip()
        if len(code) < 2:
            continue
        for strength in ("same", "prefix", "inside"):
            hits = [c for c in candidates if _names(c.text, code, strength)]
            if hits:
                return command_check(hits[:1], "command of the section")
    item_words = {w for w in words(CODE.sub(" ", item.text) + " " + " ".join(codes(item.text)))
                  if w not in FILLER}
    scored: list[tuple[int, CommandLine]] = []
    for command in candidates:
        matched = item_words & set(words(command.text))
        if matched & VERBS:
            scored.append((len(matched), command))
    if not scored:
        return None
    best = max(score for score, _ in scored)
    top = [c for score, c in scored if score == best]
    if len({c.cwd for c in top}) > 1:
        top = top[:1]
    return command_check(top, "command of the section")


def _names(command: str, code: str, strength: str) -> bool:
    """Whether an item's `code` names ``command``: exactly, as its start, or inside it."""
    if strength == "same":
        return command == code
    if strength == "prefix":
        return command.startswith(code + " ")
    return len(code) >= 4 and code in command


def typescript(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"typescript|type errors|type-?check|\btsc\b|types? (are )?(valid|correct)"):
        return None
    checking = [c for c in free(ctx, section.commands)
                if re.search(r"\btsc\b|type-?check", c.text)]
    if checking:
        return command_check(checking, "type-check command of the section")
    packages = list(dict.fromkeys(
        m.group(1) for c in section.commands for m in re.finditer(r"--filter[= ]+([\w@/.-]+)", c.text)
    ))
    return Recognized("typecheck", {"packages": packages} if packages else {}, "typecheck")


def changed_files_any(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    if not (has(text, r"`any`|\bany types?\b") and has(text, r"changed|diff|modified|new code|touched")):
        return None
    base = ctx.ref("base_ref")
    return Recognized("typescript.no_any", {"base": base} if base else {}, "typescript.no_any")
