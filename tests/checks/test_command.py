"""``command``: shell string or argv, cwd, env, exit codes, stdout/stderr contains or matches."""

from __future__ import annotations

from pathlib import Path

from gonogo.core.outcomes import Outcome
from gonogo.redact import Redactor
from testing.checks import run_check


def test_a_shell_string_passes_on_exit_0(tmp_path: Path) -> None:
    result, output = run_check("command", {"run": "echo hello; echo oops >&2"}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.PASSED, "exit 0")
    assert result.evidence == {
        "command": "echo hello; echo oops >&2", "exit_code": 0, "stdout_bytes": 6, "stderr_bytes": 5,
    }
    assert output == "hello\n\n--- stderr ---\noops\n"


def test_a_failure_shows_the_exit_code_and_the_last_line(tmp_path: Path) -> None:
    result, output = run_check("command", {"run": "echo building; echo 'error: no space' >&2; exit 3"},
                               tmp_path)
    assert (result.outcome, result.summary) == (Outcome.FAILED, "exit 3: error: no space")
    assert output == "building\n\n--- stderr ---\nerror: no space\n"
    assert "output" not in result.evidence


def test_an_unknown_shell_command_says_so(tmp_path: Path) -> None:
    result, _ = run_check("command", {"run": "no-such-tool-xyz --version"}, tmp_path)
    assert result.outcome == Outcome.FAILED
    assert result.summary.startswith("exit 127 (command not found): ")
    assert "no-such-tool-xyz" in result.summary


def test_an_argv_list_is_not_split_by_a_shell(tmp_path: Path) -> None:
    result, output = run_check("command", {"run": ["printf", "%s|", "a b", "$HOME;x"]}, tmp_path)
    assert result.outcome == Outcome.PASSED
    assert output == "a b|$HOME;x|"
    assert result.evidence["command"] == "printf '%s|' 'a b' '$HOME;x'"


def test_a_missing_program_in_argv_form_is_errored(tmp_path: Path) -> None:
    result, _ = run_check("command", {"run": ["no-such-tool-xyz"]}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.ERRORED, "command not found: no-such-tool-xyz")


def test_expected_exit_codes(tmp_path: Path) -> None:
    result, _ = run_check("command", {"run": "exit 1", "exit_codes": [0, 1]}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.PASSED, "exit 1")
    result, _ = run_check("command", {"run": "true", "exit_codes": [1]}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.FAILED, "exit 0")


def test_cwd_is_relative_to_the_config_and_must_exist(tmp_path: Path) -> None:
    (tmp_path / "apps" / "api").mkdir(parents=True)
    result, output = run_check("command", {"run": "pwd", "cwd": "apps/api"}, tmp_path)
    assert result.outcome == Outcome.PASSED
    assert output == f"{tmp_path}/apps/api\n"
    result, _ = run_check("command", {"run": "pwd", "cwd": "apps/web"}, tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.ERRORED, f"working directory {tmp_path}/apps/web does not exist")


def test_env_adds_to_the_run_environment(tmp_path: Path) -> None:
    result, output = run_check("command", {"run": 'echo "$A-$B"', "env": {"B": "from-check"}},
                               tmp_path, env={"A": "from-env", "B": "overridden"})
    assert result.outcome == Outcome.PASSED
    assert output == "from-env-from-check\n"


def test_stdout_and_stderr_contains(tmp_path: Path) -> None:
    params = {"run": "echo ready; echo warn >&2", "stdout_contains": "ready", "stderr_contains": "warn"}
    assert run_check("command", params, tmp_path)[0].outcome == Outcome.PASSED
    result, _ = run_check("command", {**params, "stdout_contains": "READY"}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.FAILED, "stdout does not contain 'READY'")
    result, _ = run_check("command", {**params, "stderr_contains": "error"}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.FAILED, "stderr does not contain 'error'")


def test_stdout_and_stderr_matches_are_multiline_regexes(tmp_path: Path) -> None:
    params = {"run": "echo 'v1.2.3'; echo 'ok: 3 migrations' >&2",
              "stdout_matches": r"^v\d+\.\d+\.\d+$", "stderr_matches": r"^ok: \d+ migrations"}
    assert run_check("command", params, tmp_path)[0].outcome == Outcome.PASSED
    result, _ = run_check("command", {**params, "stdout_matches": r"^v2\."}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.FAILED, r"stdout does not match /^v2\./")
    result, _ = run_check("command", {**params, "stderr_matches": "fail"}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.FAILED, "stderr does not match /fail/")


def test_a_timeout_fails_the_check(tmp_path: Path) -> None:
    result, _ = run_check("command", {"run": "sleep 30"}, tmp_path, timeout=0.3)
    assert (result.outcome, result.summary) == (Outcome.FAILED, "timed out after 0.3s")


def test_advisory_failure_is_warned(tmp_path: Path) -> None:
    result, _ = run_check("command", {"run": "exit 2"}, tmp_path, advisory=True)
    assert (result.outcome, result.summary, result.advisory) == (Outcome.WARNED, "exit 2", True)


def test_a_secret_printed_by_the_command_is_redacted(tmp_path: Path) -> None:
    redactor = Redactor()
    redactor.add("API_TOKEN", "s3cr3t-value-1234")
    result, output = run_check("command", {"run": "echo token=$API_TOKEN; exit 1"}, tmp_path,
                               env={"API_TOKEN": "s3cr3t-value-1234"}, redactor=redactor)
    assert result.summary == "exit 1: token=[REDACTED:API_TOKEN]"
    assert output == "token=[REDACTED:API_TOKEN]\n"
