"""Tick back: the source checklist with ``[x]`` for passed or waived items, ``[ ]``
otherwise, and a short result after each item — every other byte unchanged (line
endings, BOM, front matter, tables, emoji, a missing final newline)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from gonogo.markdown.parse import parse, split_lines

_BOX = re.compile(r"^(?P<lead>[ \t]*(?:>[ \t]?)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?)\[[ xX]\]")
_ENDING = re.compile(r"(\r\n|\r|\n)$")


@dataclass(frozen=True)
class Mark:
    """What to write on one item line: ticked or not, and the short result."""

    ticked: bool
    result: str | None


def item_lines(text: str) -> set[int]:
    """The 1-based lines of the task items of ``text`` (what tick back may change)."""
    return {item.line for item in parse(text, "<tickback>").items}


def tick(text: str, marks: Mapping[int, Mark]) -> str:
    """``text`` with each item line's box set and its result appended (by line number)."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):]
    items = item_lines(body)
    lines = split_lines(body)
    for index, line in enumerate(lines):
        number = index + 1
        if number not in items:
            continue
        mark = marks.get(number, Mark(False, None))
        ending_match = _ENDING.search(line)
        ending = ending_match.group(1) if ending_match else ""
        content = line[: len(line) - len(ending)]
        box = _BOX.match(content)
        if box is None:
            continue  # an item whose box sits elsewhere: leave the line as written
        content = content[: box.end("lead")] + ("[x]" if mark.ticked else "[ ]") + content[box.end():]
        if mark.result:
            content = content.rstrip(" \t") + " " + mark.result
        lines[index] = content + ending
    return bom + "".join(lines)
