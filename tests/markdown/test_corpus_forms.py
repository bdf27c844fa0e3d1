"""The corpus holds enough documents of each form issue 14 names (table rows with a box or a
status cell, numbered step headings, plain bullets under a checklist heading), counted from
what `gonogo explain --format json` says each item's form is — so a parser change that stops
recognising a form in real documents shows up here."""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from testing.cli import gonogo

CORPUS = Path(__file__).parent.parent / "data" / "checklists"
FILES = sorted(p for p in CORPUS.glob("*.md") if p.name != "SOURCES.md")
#: Issue 14, item 5: at least this many public documents of each form.
TARGETS = {"table": 10, "step": 5, "bullet": 5}
#: Written for gonogo's tests (SOURCES.md, "gonogo (original)"): in the corpus, not a public document.
ORIGINAL = {"38"}


def _forms(path: Path) -> Counter[str]:
    result = gonogo("explain", path.name, "--format", "json", cwd=path.parent)
    if result.returncode == 2:  # a document without items says so in one line
        return Counter()
    assert result.returncode == 0, result.stderr
    return Counter(str(c["form"]) for c in json.loads(result.stdout)["checks"] if c["item"])


@pytest.fixture(scope="module")
def documents() -> dict[str, set[str]]:
    """Each form → the corpus files that exercise it: three or more table rows; or, in a
    document without task boxes, two or more step headings / plain bullets."""
    found: dict[str, set[str]] = {form: set() for form in TARGETS}
    with ThreadPoolExecutor(max_workers=4) as pool:  # each explain is a gonogo subprocess
        every = list(pool.map(_forms, FILES))
    for path, forms in zip(FILES, every, strict=True):
        if forms["table"] >= 3:
            found["table"].add(path.name[:2])
        for form in ("step", "bullet"):
            if forms[form] >= 2 and not forms["task"]:
                found[form].add(path.name[:2])
    return found


def test_the_corpus_has_sixty_files() -> None:
    assert len(FILES) >= 60


@pytest.mark.parametrize("form", ["table", "step", "bullet"])
def test_the_corpus_has_enough_public_documents_of_each_form(form: str, documents: dict[str, set[str]]) -> None:
    public = documents[form] - ORIGINAL
    assert len(public) >= TARGETS[form], sorted(public)


def test_the_documents_that_exercise_each_form(documents: dict[str, set[str]]) -> None:
    """Which files carry which form, so a change in recognition is visible in review."""
    assert {form: sorted(names) for form, names in documents.items()} == {
        "table": ["38", "46", "47", "49", "61", "64", "65", "66", "67", "68", "69", "70", "90", "91", "96", "97"],
        "step": ["50", "51", "54", "55", "56", "62"],
        "bullet": ["44", "48", "51", "55", "56", "57", "58", "63", "92", "93", "94", "98"],
    }
