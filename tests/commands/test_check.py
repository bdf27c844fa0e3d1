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
    assert gonogo("check", "--phase", "ver", "--phase", "pre", "--only", "c", cwd=tmp_path).returncode == 0
    assert gonogo("check", "--only", "c", cwd=tmp_path).returncode == 0
    assert state_rows(tmp_path, "select r.check_id from results r join runs u on u.id = r.run_id order by u.started_at, r.seq") == [
        ("a",), ("c",), ("a",), ("c",)]


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


# ---- nothing passes by absence ----------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("version: 1\n", "no checks to run: gonogo.yml has no phases"),
        ("version: 1\nphases: []\n", "no checks to run: gonogo.yml has no phases"),
        ("phases:\n  - {id: pre, kind: preflight}\n  - {id: ver, kind: verify, checks: []}\n",
         "no checks to run: phases 'pre', 'ver' have no checks"),
        ("phases:\n  - {id: dep, kind: deploy, checks: [{id: d, run: 'touch ran'}]}\n",
         "no checks to run: gonogo.yml has no preflight or verify phase "
         "(`gonogo check` runs only preflight and verify phases)"),
    ],
)
def test_an_empty_gate_is_a_usage_error_not_go(tmp_path: Path, config: str, message: str) -> None:
    project(tmp_path, config)
    result = gonogo("check", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"gonogo: error: {message}\n")
    assert not (tmp_path / "ran").exists()
    assert not (tmp_path / ".gonogo").exists()  # no run recorded as GO


SELECTIONS = """
    phases:
      - {id: pre, kind: preflight, checks: [{id: build, run: "touch built"}]}
      - {id: empty, kind: verify}
      - {id: dep, kind: deploy, checks: [{id: ship, run: "touch shipped"}]}
      - {id: ver, kind: verify, checks: [{id: api-health, run: "touch checked"}]}
"""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--phase", "empty"], "no checks to run: --phase empty has no checks"),
        (["--phase", "dep"], "--phase 'dep': a deploy phase; `gonogo check` runs only preflight "
                             "and verify phases"),
        (["--only", "ship"], "--only 'ship': in deploy phase 'dep'; `gonogo check` runs only "
                             "preflight and verify phases"),
        (["--phase", "ver", "--only", "build"],
         "--phase ver and --only build select nothing together ('build' is in phase 'pre')"),
        (["--phase", "ver", "--only", "api-health", "--only", "build"],
         "--only 'build' is not in --phase ver ('build' is in phase 'pre')"),
    ],
)
def test_a_selection_that_selects_nothing_is_a_usage_error(
    tmp_path: Path, args: list[str], message: str
) -> None:
    project(tmp_path, SELECTIONS)
    result = gonogo("check", *args, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"gonogo: error: {message}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gonogo.yml"]


def test_only_and_phase_intersect(tmp_path: Path) -> None:
    project(tmp_path, SELECTIONS)
    result = gonogo("check", "--phase", "ver", "--only", "api-health", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert state_rows(tmp_path) == [("api-health", "passed")]
    assert not (tmp_path / "built").exists()


NEEDS_ELSEWHERE = """
    phases:
      - {id: pre, kind: preflight, checks: [{id: migrate-status, run: "exit 1"}]}
      - {id: dep, kind: deploy, checks: [{id: ship, run: "touch shipped"}]}
      - id: ver
        kind: verify
        checks:
          - {id: api-health, run: "true", needs: [migrate-status]}
          - {id: shipped, run: "true", needs: [ship]}
"""


def test_a_need_outside_the_selected_phases_skips_its_dependent(tmp_path: Path) -> None:
    project(tmp_path, NEEDS_ELSEWHERE)
    result = gonogo("check", "--phase", "ver", "--only", "api-health", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "\nNO-GO: 1 skipped · run " in result.stdout
    assert state_rows(tmp_path, "select check_id, outcome, summary from results") == [
        ("api-health", "skipped", "needs migrate-status, not selected (add --phase pre)")]


def test_a_need_in_a_phase_kind_check_never_runs_skips_its_dependent(tmp_path: Path) -> None:
    project(tmp_path, NEEDS_ELSEWHERE)
    result = gonogo("check", "--phase", "ver", "--phase", "pre", "--only", "shipped", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "  ↷ command: true [ver] 0.0s — needs ship, not selected " \
           "(`gonogo check` does not run deploy phases)\n" in result.stdout
    assert state_rows(tmp_path) == [("shipped", "skipped")]
    assert not (tmp_path / "shipped").exists()


def test_check_phase_verify_is_not_go_when_a_needed_preflight_check_would_fail(tmp_path: Path) -> None:
    project(tmp_path, NEEDS_ELSEWHERE)
    result = gonogo("check", "--phase", "ver", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert state_rows(tmp_path, "select check_id, outcome, summary from results order by seq") == [
        ("api-health", "skipped", "needs migrate-status, not selected (add --phase pre)"),
        ("shipped", "skipped", "needs ship, not selected (`gonogo check` does not run deploy phases)"),
    ]
    assert "\nNO-GO: 2 skipped · run " in result.stdout
