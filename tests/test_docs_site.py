"""The MkDocs site builds with --strict, with a page per check type generated from the
check classes, the CLI reference from the parser and the exit codes from gonogo.core.errors;
a broken link fails the build."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gonogo.plugins import check_types

ROOT = Path(__file__).resolve().parents[1]


def build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                           "-f", str(root / "mkdocs.yml"), "--site-dir", str(site)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)


def text_of(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))


def rows(page: Path) -> list[list[str]]:
    """The page's table rows, each a list of its cells' text."""
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", page.read_text(), re.S) if "<td" in row]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = build(ROOT, out)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_one_page_per_check_type_from_its_class(site: Path) -> None:
    for name, cls in check_types().items():
        page = text_of(site / "checks" / name / "index.html")
        assert re.sub(r"[`*]", "", cls.__doc__ or "").split()[0] in page, name
        for field_name, field in cls.model_fields.items():
            assert (field.alias or field_name) in page, (name, field_name)
    http = rows(site / "checks" / "http" / "index.html")
    assert ["url", "str", "required", ""] in http
    assert ["max_latency", "duration | None", "null", ""] in http


def test_cli_reference_and_exit_codes_come_from_the_code(site: Path) -> None:
    cli = text_of(site / "cli" / "index.html")
    assert "gonogo check" in cli and "--skip-tag T" in cli and "gonogo completion" in cli
    codes = rows(site / "exit-codes" / "index.html")
    assert [str(c[0]) for c in codes] == ["0", "1", "2", "3", "4", "5", "6", "7", "130"]
    assert codes[-1][:2] == ["130", "EXIT_INTERRUPTED"]
    started = text_of(site / "getting-started" / "index.html")
    assert "pipx install 'gonogo[all]'" in started


def test_a_broken_link_fails_the_strict_build(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "docs", copy / "docs")
    shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
    (copy / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "docs_hooks.py", copy / "scripts" / "docs_hooks.py")
    with open(copy / "docs" / "ci.md", "a") as handle:
        handle.write("\nSee [the missing page](no-such-page.md).\n")
    done = build(copy, tmp_path / "site")
    assert done.returncode != 0
    assert ("Doc file 'ci.md' contains a link 'no-such-page.md', but the target is not found "
            "among documentation files.") in done.stderr
