"""Every real checklist of the corpus parses, explains and ticks back without error,
and the ticked copy differs from the source only on item lines (see SOURCES.md)."""

from __future__ import annotations

import os
import shutil
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


#: Licences that let an open-source project redistribute a copy (SPDX identifiers). A file whose
#: repository has no licence grants no reuse rights; a non-commercial one (CC-BY-NC) is not open.
REDISTRIBUTABLE = {"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0", "Unlicense",
                   "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0", "EPL-2.0", "GPL-3.0-or-later"}


def _licences() -> dict[str, str]:
    """SOURCES.md: each file's row → the text of its licence column."""
    rows: dict[str, str] = {}
    for line in (CORPUS / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) >= 5 and cells[0].endswith(".md"):
            rows[cells[0]] = cells[1] if cells[1] == "gonogo (original)" else cells[4]
    return rows


def test_every_corpus_file_may_be_redistributed() -> None:
    """Each file's licence, as SOURCES.md records it, is one that allows shipping a copy;
    written-for-gonogo files are gonogo's own."""
    licences = _licences()
    refused = {}
    for path in FILES:
        licence = licences.get(path.name, "no row")
        if licence == "gonogo (original)":
            continue
        spdx = set(licence.split(" (")[0].split(" for ")[0].split(" OR "))
        if not spdx <= REDISTRIBUTABLE:
            refused[path.name] = licence
    assert refused == {}


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


def _shims(tmp: Path) -> Path:
    """A folder with a recording shim named after every program on PATH: a command a
    checklist runs is written to $SHIM_LOG instead of running (``/bin/sh`` itself is
    called by absolute path, so the shell still works)."""
    shims = tmp / "shims"
    shims.mkdir()
    script = '#!/bin/sh\nprintf "%s %s\\n" "${0##*/}" "$*" >> "$SHIM_LOG"\nexit 0\n'
    names = {p.name for d in os.environ.get("PATH", "").split(os.pathsep) if d and Path(d).is_dir()
             for p in Path(d).iterdir()}
    for name in names:
        shim = shims / name
        shim.write_text(script)
        shim.chmod(0o755)
    return shims


@pytest.fixture(scope="module")
def shim_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _shims(tmp_path_factory.mktemp("corpus"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_checks_with_every_program_shadowed(path: Path, shim_dir: Path, tmp_path: Path) -> None:
    """`gonogo check` on every corpus file: a verdict (exit 0 GO, 1 NO-GO, 4 PENDING) or a
    one-line refusal (exit 2), never a traceback; whatever it runs is a recording shim."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(path, work / path.name)
    log = tmp_path / "shim.log"
    env = {"PATH": str(shim_dir), "SHIM_LOG": str(log), "HTTP_PROXY": "http://127.0.0.1:9",
           "HTTPS_PROXY": "http://127.0.0.1:9", "DOCKER_HOST": "unix:///nonexistent.sock"}
    result = gonogo("check", "-c", path.name, "--report", "checklist:ticked.md", cwd=work, env=env,
                    timeout=300)
    assert "Traceback" not in result.stderr
    if result.returncode == 2:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        return
    assert result.returncode in (0, 1, 4), result.stderr
    ticked = (work / "ticked.md").read_bytes().decode("utf-8")
    text = path.read_bytes().decode("utf-8")
    before, after = split_lines(text.removeprefix("\ufeff")), split_lines(ticked.removeprefix("\ufeff"))
    changed = {n for n, (a, b) in enumerate(zip(before, after, strict=True), 1) if a != b}
    assert changed <= item_lines(text)
    assert ticked.startswith("\ufeff") == text.startswith("\ufeff")
    if log.exists():  # every line a shim wrote names a program of the document
        for line in log.read_text().splitlines():
            assert line.split()[0] in text, line
