"""`-c/--config` and `--env` before the subcommand too, as `git -C` and `docker compose -f`
users type them."""

from __future__ import annotations

from pathlib import Path

from testing.cli import gonogo, write

CONFIG = """version: 1
environments:
  staging: {vars: {domain: staging.test}}
  production: {vars: {domain: prod.test}}
phases:
  - id: pre
    kind: preflight
    checks:
      - id: ok
        run: "echo ${domain}"
"""


def test_config_and_env_before_the_subcommand(tmp_path: Path) -> None:
    write(tmp_path / "deploy" / "gonogo.yml", CONFIG)
    done = gonogo("-c", "deploy/gonogo.yml", "--env", "staging", "validate", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == ("deploy/gonogo.yml: ok — 1 phases, 1 checks (1 automated, 0 manual), "
                           "environment staging\n")
    done = gonogo("-c", "deploy/gonogo.yml", "-e", "production", "check", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "exit 0" in done.stdout and "GO: 1 passed" in done.stdout


def test_the_same_value_on_both_sides_is_fine_a_different_one_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", CONFIG)
    same = gonogo("-c", "gonogo.yml", "validate", "-c", "gonogo.yml", "--env", "staging", cwd=tmp_path)
    assert same.returncode == 0, same.stderr
    clash = gonogo("-c", "gonogo.yml", "validate", "-c", "other.yml", cwd=tmp_path)
    assert clash.returncode == 2
    assert clash.stderr.splitlines()[-1] == (
        "gonogo: error: -c/--config given twice: 'gonogo.yml' before `validate` and "
        "'other.yml' after it")


def test_a_global_option_the_command_does_not_take_is_a_usage_error(tmp_path: Path) -> None:
    done = gonogo("-c", "gonogo.yml", "schema", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines()[-1] == "gonogo: error: -c/--config does not apply to `gonogo schema`"
    done = gonogo("--env", "staging", "runs", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == "gonogo: error: --env does not apply to `gonogo runs`"
