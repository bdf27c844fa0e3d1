"""Every real checklist of the corpus parses, explains and ticks back without error,
and the ticked copy differs from the source only on item lines (see SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.core.errors import ConfigError
from gonogo.markdown.bind import compile_document
from gonogo.markdown.parse import parse, split_lines
from gonogo.markdown.tickback import Mark, item_lines, tick
from gonogo.plugins import check_types
from testing.cli import gonogo

CORPUS = Path(__file__).parent.parent / "data" / "checklists"
FILES = sorted(p for p in CORPUS.glob("*.md") if p.name != "SOURCES.md")


def test_corpus_is_large_enough_and_sourced() -> None:
    assert len(FILES) >= 25
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    missing = [p.name for p in FILES if p.name not in sources]
    assert missing == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_parses_binds_and_ticks_back(path: Path) -> None:
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    try:
        compiled = compile_document(parse(text, path.name), variables={}, types=check_types())
    except ConfigError as exc:  # a document without items may say so, in one line
        assert "\n" not in str(exc)
        return
    items = [b for b in compiled.bindings if b.item]
    marks = {b.line: Mark(i % 2 == 0, f"— ✅ {i}") for i, b in enumerate(items)}
    ticked = tick(text, marks)
    before, after = split_lines(text.removeprefix("\ufeff")), split_lines(ticked.removeprefix("\ufeff"))
    assert len(before) == len(after)
    changed = {n for n, (a, b) in enumerate(zip(before, after, strict=True), 1) if a != b}
    assert changed <= item_lines(text)
    assert ticked.startswith("\ufeff") == text.startswith("\ufeff")
    assert ticked.endswith(("\n", "\r")) == text.endswith(("\n", "\r"))
    for n in changed:  # endings are kept line by line
        assert before[n - 1][len(before[n - 1].rstrip("\r\n")):] == after[n - 1][len(after[n - 1].rstrip("\r\n")):]
    untouched = tick(text, {})
    assert {n for n, (a, b) in enumerate(zip(before, split_lines(untouched.removeprefix("\ufeff")), strict=True), 1)
            if a != b} <= {b.line for b in items}


@pytest.mark.parametrize("path", FILES[:3] + FILES[-3:], ids=lambda p: p.name)
def test_explain_runs_on_the_cli(path: Path) -> None:
    result = gonogo("explain", str(path), cwd=path.parent)
    assert result.returncode == 0, result.stderr
    assert " items: " in result.stdout.splitlines()[-1]
