"""Tick back: the source checklist with each item's result written in place, in the form the
item was written — every other byte unchanged (line endings, BOM, front matter, HTML
comments, a missing final newline).

- a task ``- [ ] …`` gets ``[x]`` (passed or waived) or ``[ ]`` and a short result after it;
- a table row gets ✅/❌/⏳/➖ in its box (or Status) cells, keeping each cell's width where
  it can, the signer (or ``gonogo``) in a blank Verified By/Owner cell, the date in a blank
  Date cell and the result in a blank Notes cell;
- a numbered step heading gets a trailing `` ✅``/`` ❌``;
- a plain bullet gets the short result after it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from gonogo.markdown.forms import RowColumns
from gonogo.markdown.parse import Item, parse, split_lines

_BOX = re.compile(r"^(?P<lead>[ \t]*(?:>[ \t]?)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?)\[[ xX]\]")
_ENDING = re.compile(r"(\r\n|\r|\n)$")
_HEADING_END = re.compile(r"(?P<marks>(?:[ \t]+(?:✅|❌|⏳|➖))*)(?P<close>[ \t]+#+)?[ \t]*$")
_PLACEHOLDER = re.compile(r"^[\s_\-—–.]*$|^(tbd|todo|n/?a|\?)$", re.I)
SYMBOLS = ("✅", "❌", "⏳", "➖")


@dataclass(frozen=True)
class Mark:
    """What to write on one item line: ticked or not, the short result, and for tables and
    step headings the outcome's symbol (✅ ❌ ⏳ ➖), who signed and the date."""

    ticked: bool
    result: str | None
    symbol: str | None = None
    by: str | None = None
    date: str | None = None

    @property
    def shown(self) -> str:
        return self.symbol or ("✅" if self.ticked else "❌")


def items_by_line(text: str) -> dict[int, Item]:
    return {item.line: item for item in parse(text, "<tickback>").items}


def item_lines(text: str) -> set[int]:
    """The 1-based lines of the items of ``text`` in every form (what tick back may change)."""
    return set(items_by_line(text))


def tick(text: str, marks: Mapping[int, Mark]) -> str:
    """``text`` with each item line's result written in place (by line number)."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):]
    items = items_by_line(body)
    lines = split_lines(body)
    for index, line in enumerate(lines):
        item = items.get(index + 1)
        if item is None:
            continue
        ending_match = _ENDING.search(line)
        ending = ending_match.group(1) if ending_match else ""
        content = line[: len(line) - len(ending)]
        mark = marks.get(index + 1)
        if item.form == "task":
            changed = _task(content, mark or Mark(False, None))
        elif mark is None:
            continue  # the other forms carry no box to clear: an item without a result stays
        elif item.form == "table" and item.columns is not None:
            changed = _row(content, item.columns, mark)
        elif item.form == "step":
            changed = _heading(content, mark)
        else:
            changed = _append(content, mark.result or mark.shown)
        if changed is not None:
            lines[index] = changed + ending
    return bom + "".join(lines)


def _task(content: str, mark: Mark) -> str | None:
    box = _BOX.match(content)
    if box is None:
        return None  # an item whose box sits elsewhere: leave the line as written
    content = content[: box.end("lead")] + ("[x]" if mark.ticked else "[ ]") + content[box.end():]
    return _append(content, mark.result) if mark.result else content


def _append(content: str, result: str | None) -> str:
    return content.rstrip(" \t") + " " + result if result else content


def _heading(content: str, mark: Mark) -> str:
    end = _HEADING_END.search(content)
    assert end is not None  # the pattern matches the empty end of every line
    close = end.group("close") or ""
    return content[: end.start()] + " " + mark.shown + close


def width(text: str) -> int:
    """Display width: wide (CJK, emoji) characters take two columns, combining ones none."""
    total = 0
    for char in text:
        if unicodedata.combining(char) or char in "\ufe0f\u200d":
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def cell_spans(content: str) -> list[tuple[int, int]]:
    """(start, end) of each cell's inside on a GFM table row line (``\\|`` does not split)."""
    pipes = [i for i, char in enumerate(content)
             if char == "|" and (len(content[:i]) - len(content[:i].rstrip("\\"))) % 2 == 0]
    if not pipes:
        return []
    stripped = content.strip()
    bounds = list(pipes)
    if not stripped.startswith("|"):
        bounds.insert(0, -1)
    if not stripped.endswith("|") or stripped == "|":
        bounds.append(len(content))
    return [(bounds[k] + 1, bounds[k + 1]) for k in range(len(bounds) - 1)]


def _set(content: str, span: tuple[int, int], value: str) -> str:
    inside = content[span[0]:span[1]]
    lead = inside[: len(inside) - len(inside.lstrip())] if inside.strip() else inside[:1]
    lead = lead or " "
    value = value.replace("|", "\\|")
    room = width(inside) - width(lead) - width(value)
    tail = " " * room if room >= 1 else " "
    return content[: span[0]] + lead + value + tail + content[span[1]:]


def _row(content: str, columns: RowColumns, mark: Mark) -> str | None:
    spans = cell_spans(content)
    values: dict[int, str] = {index: mark.shown for index in columns.boxes}
    if columns.status is not None:
        values[columns.status] = mark.shown
    settled = mark.shown in ("✅", "❌")  # who and when only for a result, not for ⏳ or ➖
    for index, value in ((columns.signer, (mark.by or "gonogo") if settled else None),
                         (columns.date, mark.date if settled else None),
                         (columns.notes, (mark.result or "").removeprefix("— "))):
        if index is not None and value and index < len(spans):
            start, stop = spans[index]
            if _PLACEHOLDER.match(content[start:stop].strip()):
                values[index] = value
    for index in sorted(values, reverse=True):  # right to left: earlier spans stay valid
        if index < len(spans):
            content = _set(content, spans[index], values[index])
    return content
