"""``file``: exists (or absent), contains, not_contains, matches, mode."""

from __future__ import annotations

import os
from pathlib import Path

from gonogo.core.outcomes import Outcome
from testing.checks import run_check
from testing.cli import write


def test_an_existing_file_passes_with_its_size(tmp_path: Path) -> None:
    write(tmp_path / "conf" / "app.env", "NODE_ENV=production\n")
    result, _ = run_check("file", {"path": "conf/app.env"}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.PASSED, "conf/app.env ok (20 bytes)")
    assert result.evidence == {"path": str(tmp_path / "conf" / "app.env"), "size": 20}


def test_a_missing_file_fails(tmp_path: Path) -> None:
    result, _ = run_check("file", {"path": "nope.txt"}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.FAILED, "nope.txt does not exist")


def test_exists_false_wants_it_absent(tmp_path: Path) -> None:
    result, _ = run_check("file", {"path": "maintenance.flag", "exists": False}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.PASSED, "maintenance.flag absent")
    write(tmp_path / "maintenance.flag", "")
    result, _ = run_check("file", {"path": "maintenance.flag", "exists": False}, tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.FAILED, "maintenance.flag exists, expected it absent")


def test_contains_not_contains_and_matches(tmp_path: Path) -> None:
    write(tmp_path / "schema.prisma", 'datasource db {\n  provider = "postgresql"\n}\n')
    base = {"path": "schema.prisma"}
    assert run_check("file", {**base, "contains": "datasource", "not_contains": "sqlite",
                              "matches": r'^\s+provider = "postgresql"$'}, tmp_path)[0].outcome \
        == Outcome.PASSED
    result, _ = run_check("file", {**base, "contains": "generator"}, tmp_path)
    assert result.summary == "schema.prisma does not contain 'generator'"
    result, _ = run_check("file", {**base, "not_contains": "postgresql"}, tmp_path)
    assert result.summary == "schema.prisma contains 'postgresql'"
    result, _ = run_check("file", {**base, "matches": "^provider"}, tmp_path)
    assert result.summary == "schema.prisma does not match /^provider/"


def test_contains_on_a_directory_fails(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    result, _ = run_check("file", {"path": "dir", "contains": "x"}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.FAILED, "dir is not a regular file")


def test_mode(tmp_path: Path) -> None:
    key = write(tmp_path / "deploy.key", "k")
    os.chmod(key, 0o644)
    result, _ = run_check("file", {"path": "deploy.key", "mode": "0600"}, tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.FAILED, "deploy.key has mode 0644, expected 0600")
    assert result.evidence["mode"] == "0644"
    os.chmod(key, 0o600)
    assert run_check("file", {"path": "deploy.key", "mode": "600"}, tmp_path)[0].outcome == Outcome.PASSED


def test_an_absolute_path_is_used_as_is(tmp_path: Path) -> None:
    target = write(tmp_path / "elsewhere" / "x.txt", "x")
    result, _ = run_check("file", {"path": str(target)}, tmp_path / "unrelated")
    assert result.outcome == Outcome.PASSED
