"""`gonogo validate`: config errors only, nothing run."""

from __future__ import annotations

from pathlib import Path

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
