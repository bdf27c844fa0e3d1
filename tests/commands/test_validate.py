"""`gonogo validate`: config errors only, nothing run."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.cli import gonogo, write
from testing.project import project


def test_a_valid_config_is_summarised(tmp_path: Path) -> None:
    project(tmp_path, """
        environments:
          production: {env_files: [.env.production]}
        phases:
          - id: p
            kind: preflight
            checks:
              - {id: a, run: "touch ran"}
              - {id: b, type: manual}
          - {id: v, kind: verify, checks: [{id: c, type: tcp, port: 5432}]}
    """)
    write(tmp_path / ".env.production", "X=1\n")
    result = gonogo("validate", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "gonogo.yml: ok — 2 phases, 3 checks (2 automated, 1 manual), environment production\n")
    assert not (tmp_path / "ran").exists()
    assert not (tmp_path / ".gonogo").exists()


def test_validate_reports_the_first_error_in_one_line(tmp_path: Path) -> None:
    project(tmp_path, """
        phases:
          - id: p
            kind: preflight
            checks:
              - id: a
                run: "true"
                timeout: soon
    """)
    result = gonogo("validate", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("gonogo: error: gonogo.yml:7: phases[0].checks[0].timeout: "
                             "expected a duration like 30s or 5m, got 'soon'\n")


# ---- exactly as strict as `check` ------------------------------------------------------

UNDEFINED = ("gonogo: error: gonogo.yml:{line}: phases[0].checks[0].url: undefined variable "
             "${{API_URL}} (hint: set it in environments.<env>.vars, an env file or the process "
             "environment)\n")


def two_environments(root: Path) -> None:
    """staging sets API_URL; production's env file does not."""
    write(root / ".env.production", "OTHER=1\n")


def test_validate_rejects_an_undefined_variable_as_check_does(tmp_path: Path) -> None:
    project(tmp_path, """
        environments:
          staging: {vars: {API_URL: "http://127.0.0.1:9"}}
          production: {env_files: [.env.production]}
        phases:
          - id: ver
            kind: verify
            checks:
              - {id: api, type: http, url: "${API_URL}/health"}
    """)
    two_environments(tmp_path)
    for env in ([], ["--env", "production"]):  # no --env: neither environment is read
        validated, checked = (gonogo(cmd, *env, cwd=tmp_path) for cmd in ("validate", "check"))
        assert (validated.returncode, validated.stdout, validated.stderr) == (
            2, "", UNDEFINED.format(line=8))
        assert (checked.returncode, checked.stdout, checked.stderr) == (
            validated.returncode, validated.stdout, validated.stderr)
    ok = gonogo("validate", "--env", "staging", cwd=tmp_path)
    assert (ok.returncode, ok.stderr) == (0, "")
    assert ok.stdout == ("gonogo.yml: ok — 1 phases, 1 checks (1 automated, 0 manual), "
                         "environment staging\n")
    assert not (tmp_path / ".gonogo").exists()


def test_validate_a_markdown_checklist_with_its_sidecar_as_check_does(tmp_path: Path) -> None:
    write(tmp_path / "CHECKLIST.md", "# Release\n\n## Verify\n\n"
          '- [ ] API answers <!-- gonogo: {type: http, url: "${API_URL}/health"} -->\n')
    project(tmp_path, """
        checklist: CHECKLIST.md
        environments:
          staging: {vars: {API_URL: "http://127.0.0.1:9"}}
          production: {env_files: [.env.production]}
    """)
    two_environments(tmp_path)
    for env in ([], ["--env", "production"]):
        validated, checked = (gonogo(cmd, "-c", "CHECKLIST.md", *env, cwd=tmp_path)
                              for cmd in ("validate", "check"))
        assert validated.returncode == 2 and validated.stdout == ""
        assert validated.stderr.startswith("gonogo: error: ")
        assert "url: undefined variable ${API_URL} (hint: " in validated.stderr
        assert (checked.returncode, checked.stdout, checked.stderr) == (
            validated.returncode, validated.stdout, validated.stderr)
    ok = gonogo("validate", "-c", "CHECKLIST.md", "--env", "staging", cwd=tmp_path)
    assert (ok.returncode, ok.stderr) == (0, "")
    assert ok.stdout == ("CHECKLIST.md: ok — 1 phases, 1 checks (1 automated, 0 manual), "
                         "environment staging\n")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("version: 1\nphases: []\n", "no checks to run: gonogo.yml has no phases"),
        ("phases:\n  - {id: pre, kind: preflight}\n", "no checks to run: phase 'pre' has no checks"),
    ],
)
def test_validate_rejects_a_config_with_nothing_to_run(tmp_path: Path, config: str, message: str) -> None:
    project(tmp_path, config)
    for command in ("validate", "check"):
        result = gonogo(command, cwd=tmp_path)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", f"gonogo: error: {message}\n")


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ("{id: a, run: 'true', timeout: 0}",
         "gonogo.yml:5: phases[0].checks[0].timeout: expected a duration of more than 0, got 0"),
        ("{id: a, type: http, url: 'http://[::1'}",
         "gonogo.yml:5: phases[0].checks[0].url: expected an http:// or https:// URL, got "
         "'http://[::1' (has an unclosed [ in its host)"),
    ],
)
def test_validate_and_check_reject_the_same_values(tmp_path: Path, check: str, message: str) -> None:
    project(tmp_path, f"""
        phases:
          - id: pre
            kind: preflight
            checks:
              - {check}
    """)
    for command in ("validate", "check"):
        result = gonogo(command, cwd=tmp_path)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", f"gonogo: error: {message}\n")


def test_validate_with_a_version_loads_the_config_as_deploy_does(tmp_path: Path) -> None:
    project(tmp_path, """
        phases:
          - id: pre
            kind: preflight
            checks:
              - {id: image, run: "docker image inspect team/api:${version}"}
    """)
    for command in ("validate", "check"):  # ${version} exists only for a deploy
        result = gonogo(command, cwd=tmp_path)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", (
            "gonogo: error: gonogo.yml:5: phases[0].checks[0].run: undefined variable ${version} "
            "(hint: the release `gonogo deploy --version V` deploys; `gonogo validate --version V` "
            "checks with one)\n"))
    result = gonogo("validate", "--version", "v2", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        0, "gonogo.yml: ok — 1 phases, 1 checks (1 automated, 0 manual)\n", "")


def test_validate_lists_unbound_checklist_items_and_strict_refuses_them(tmp_path: Path) -> None:
    write(tmp_path / "CHECKLIST.md", "# R\n\n## Pre-Deployment Verification\n\n"
          "- [ ] Build passes <!-- gonogo: {type: command, run: \"true\"} -->\n"
          "- [ ] Critical user flows tested\n"
          "- [ ] Rollback plan reviewed <!-- gonogo: {type: manual} -->\n")
    unbound = ("CHECKLIST.md:6: unbound — Critical user flows tested: no rule recognizes this "
               "item; sign it off, or annotate it\n")
    done = gonogo("validate", "-c", "CHECKLIST.md", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == unbound + "CHECKLIST.md: ok — 1 phases, 3 checks (1 automated, 2 manual)\n"
    done = gonogo("validate", "-c", "CHECKLIST.md", "--strict", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, unbound)
    assert done.stderr == ("gonogo: error: CHECKLIST.md: 1 checklist item is unbound (--strict) "
                           "(hint: annotate each with <!-- gonogo: {type: …} -->, or "
                           "<!-- gonogo: {type: manual} --> for a sign-off)\n")
