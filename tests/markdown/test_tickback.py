"""Tick back: boxes and results on item lines, every other byte unchanged."""

from __future__ import annotations

import pytest

from gonogo.markdown.tickback import Mark, item_lines, tick


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_line_endings_bom_and_no_final_newline_survive(eol: str) -> None:
    text = "\ufeff---" + eol + "title: T" + eol + "---" + eol + "# T 🚀" + eol + eol + "- [ ] one" + eol + "- [x] two"
    out = tick(text, {6: Mark(True, "— ✅ 0.4s"), 7: Mark(False, "— ❌ exit 1")})
    assert out == ("\ufeff---" + eol + "title: T" + eol + "---" + eol + "# T 🚀" + eol + eol
                   + "- [x] one — ✅ 0.4s" + eol + "- [ ] two — ❌ exit 1")


def test_items_without_a_result_are_unticked_and_other_lines_untouched() -> None:
    text = "1. [x] numbered\n   - [ ] nested\n\n| a | [ ] cell |\n|---|---|\n"
    assert item_lines(text) == {1, 2}
    assert tick(text, {2: Mark(False, "— ⏳ awaiting sign-off")}) == (
        "1. [ ] numbered\n   - [ ] nested — ⏳ awaiting sign-off\n\n| a | [ ] cell |\n|---|---|\n")


def test_lines_that_are_not_items_are_never_changed() -> None:
    text = "```bash\n- [ ] inside a fence\n```\n- [ ] real\n"
    assert tick(text, {2: Mark(True, "x"), 4: Mark(True, "— ✅ 1.0s")}) == (
        "```bash\n- [ ] inside a fence\n```\n- [x] real — ✅ 1.0s\n")
