"""Bad input through the real CLI: one line naming file:line and what was expected, exit 2,
never a traceback. Internal errors: "unexpected error" and a crash log, exit 3."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from gonogo.core.errors import ConfigError
from gonogo.error_handler import run_command, use_redactor
from gonogo.redact import Redactor
from testing.cli import gonogo, write

CHECK = "phases:\n  - id: p\n    kind: preflight\n    checks:\n      - {}\n"


@pytest.mark.parametrize(
    ("files", "args", "stderr"),
    [
        ({"gonogo.yml": "phases: [\n"},
         ["check"], "gonogo.yml:1: invalid YAML: expected the node content, but found '<stream end>'"),
        ({"gonogo.yml": CHECK.format("{id: a, run: 'true', timeout: 5 minutes please}")},
         ["check"], "gonogo.yml:5: phases[0].checks[0].timeout: expected a duration like 30s or 5m, "
                    "got '5 minutes please'"),
        ({"gonogo.yml": CHECK.format("{id: a, run: 7}")},
         ["check"], "gonogo.yml:5: phases[0].checks[0].run: expected a string or a list, got 7"),
        ({"gonogo.yml": CHECK.format("{id: a, type: smtp}")},
         ["validate"], "gonogo.yml:5: phases[0].checks[0].type: unknown check type 'smtp' (hint: "),
        ({"gonogo.yml": CHECK.format("{id: a, run: x, needs: [a]}")},
         ["check"], "gonogo.yml:5: phases[0].checks[0].needs: needs form a cycle: a -> a "
                    "(hint: remove one of these needs)"),
        ({"gonogo.yml": "environments:\n  prod:\n    env_files: [.env.prod]\n"},
         ["check"], "gonogo.yml:3: environments.prod.env_files[0]: env file '.env.prod' not found "
                    "(hint: create it or remove it from env_files)"),
        ({}, ["check", "-c", "missing.yml"], "missing.yml: file not found"),
        ({"gonogo.yml/x": ""}, ["validate", "-c", "gonogo.yml"], "gonogo.yml: is a directory, expected a file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, files: dict[str, str], args: list[str], stderr: str
) -> None:
    for name, text in files.items():
        write(tmp_path / name, text)
    result = gonogo(*args, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("gonogo: error: " + stderr)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_no_command_prints_help_and_exits_2(tmp_path: Path) -> None:
    result = gonogo(cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.startswith("usage: gonogo")
    assert "exit codes: 0 GO/success, 1 NO-GO" in result.stdout


def test_an_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = gonogo("launch", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid choice: 'launch'" in result.stderr


def test_expected_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    def fails(args: argparse.Namespace) -> int:
        raise ConfigError("expected 1, got 2", file="gonogo.yml", line=1, path="version")

    assert run_command(fails, argparse.Namespace()) == 2
    assert capsys.readouterr().err == "gonogo: error: gonogo.yml:1: version: expected 1, got 2\n"


def test_an_unexpected_exception_is_exit_3_with_a_redacted_crash_log(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONOGO_CRASH_DIR", str(tmp_path / "crashes"))
    redactor = Redactor()
    redactor.add("DB_PASSWORD", "hunter2-hunter2")
    use_redactor(redactor)
    try:
        def crashes(args: argparse.Namespace) -> int:
            raise KeyError("connecting with hunter2-hunter2")

        assert run_command(crashes, argparse.Namespace()) == 3
    finally:
        use_redactor(Redactor())
    err = capsys.readouterr().err
    match = re.fullmatch(
        r"gonogo: unexpected error: KeyError: '(.*)'\n"
        r"gonogo: a crash log with details is at (\S+) — please attach it to a bug report\n", err)
    assert match, err
    assert match.group(1) == "connecting with [REDACTED:DB_PASSWORD]"
    log = Path(match.group(2))
    assert log.parent == tmp_path / "crashes"
    text = log.read_text()
    assert text.startswith("gonogo 0.1.0 crash at ")
    assert "Traceback (most recent call last):" in text
    assert "hunter2-hunter2" not in text
    assert "[REDACTED:DB_PASSWORD]" in text


def test_keyboard_interrupt_is_exit_130(capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    assert run_command(interrupted, argparse.Namespace()) == 130
    assert capsys.readouterr().err == "gonogo: interrupted\n"
