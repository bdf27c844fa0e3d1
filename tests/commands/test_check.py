"""`gonogo check` through the real CLI: verdicts and exit codes, advisory, read-only phases."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.cli import gonogo
from testing.project import project, state_rows


def one_phase(*checks: str) -> str:
    items = "\n".join(f"      - {c}" for c in checks)
    return f"phases:\n  - id: p\n    kind: preflight\n    checks:\n{items}\n"


@pytest.mark.parametrize(
    ("checks", "code", "verdict"),
    [
        (['{id: a, run: "true"}'], 0, "GO"),
        (['{id: a, run: "true"}', '{id: b, run: "exit 1"}'], 1, "NO-GO"),
        (['{id: a, run: "true"}', "{id: b, type: manual}"], 4, "PENDING"),
        (['{id: a, run: "exit 1"}', "{id: b, type: manual}"], 1, "NO-GO"),
        (['{id: a, run: "true"}', '{id: b, run: "exit 1", advisory: true}'], 0, "GO"),
    ],
)
def test_verdict_and_exit_code(tmp_path: Path, checks: list[str], code: int, verdict: str) -> None:
    project(tmp_path, one_phase(*checks))
    result = gonogo("check", cwd=tmp_path)
    assert result.returncode == code, result.stdout + result.stderr
    assert f"\n{verdict}: " in result.stdout
    assert result.stderr == ""
    assert state_rows(tmp_path, "select verdict, exit_code, status from runs") == [
        (verdict, code, "finished")]


def test_an_advisory_failure_is_warned_and_still_go(tmp_path: Path) -> None:
    project(tmp_path, one_phase('{id: lint, title: Lint, run: "echo 3 problems; exit 1", advisory: true}'))
    result = gonogo("check", cwd=tmp_path)
    assert result.returncode == 0
    assert "  ⚠ Lint (advisory) [p] " in result.stdout
    assert result.stdout.endswith(" — exit 1: 3 problems\n\nGO: 1 warned · run "
                                  + result.stdout.rsplit("· run ", 1)[1])
    assert state_rows(tmp_path) == [("lint", "warned")]


def test_check_never_runs_changing_phases(tmp_path: Path) -> None:
    project(tmp_path, """
        phases:
          - {id: pre, kind: preflight, checks: [{id: a, run: "true"}]}
          - {id: bk, kind: backup, checks: [{id: b, run: "touch backed-up"}]}
          - {id: dep, kind: deploy, checks: [{id: c, run: "touch deployed"}]}
          - {id: post, kind: post, checks: [{id: e, run: "touch posted"}]}
          - {id: rb, kind: rollback, checks: [{id: f, run: "touch rolled-back"}]}
          - {id: ver, kind: verify, checks: [{id: d, run: "true"}]}
    """)
    result = gonogo("check", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert state_rows(tmp_path) == [("a", "passed"), ("d", "passed")]
    assert not [p for p in tmp_path.iterdir() if p.name not in ("gonogo.yml", ".gonogo")]


def test_phase_and_only_narrow_the_run(tmp_path: Path) -> None:
    project(tmp_path, """
        phases:
          - {id: pre, kind: preflight, checks: [{id: a, run: "true"}, {id: b, run: "exit 1"}]}
          - {id: ver, kind: verify, checks: [{id: c, run: "true", needs: [a]}]}
    """)
    assert gonogo("check", "--phase", "ver", cwd=tmp_path).returncode == 0
    assert gonogo("check", "--only", "c", cwd=tmp_path).returncode == 0
    assert state_rows(tmp_path, "select r.check_id from results r join runs u on u.id = r.run_id order by u.started_at, r.seq") == [
        ("c",), ("a",), ("c",)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--phase", "nope"], "gonogo: error: --phase 'nope': no such phase (phases: p)\n"),
        (["--only", "zz"], "gonogo: error: --only 'zz': no such check "
                           "(see `gonogo explain` or `gonogo validate`)\n"),
        (["--jobs", "0"], "gonogo: error: --jobs 0: expected a number of at least 1\n"),
    ],
)
def test_bad_selections_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    project(tmp_path, one_phase('{id: a, run: "touch ran"}'))
    result = gonogo("check", *args, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message)
    assert not (tmp_path / "ran").exists()


def test_config_from_gonogo_config_env_var_and_c(tmp_path: Path) -> None:
    project(tmp_path, one_phase('{id: a, run: "true"}'), name="gate.yml")
    assert gonogo("check", "-c", "gate.yml", cwd=tmp_path).returncode == 0
    assert gonogo("check", cwd=tmp_path, env={"GONOGO_CONFIG": "gate.yml"}).returncode == 0
    assert (tmp_path / ".gonogo" / "state.db").exists()
