"""`tags:` on checks, selected with `gonogo check --tag T` / `--skip-tag T`. What the tags
leave out is said to be not selected; a check that needs it is skipped (never passes by
absence), and a selection that leaves nothing fails closed (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

from testing.cli import gonogo, write

CONFIG = """version: 1
phases:
  - id: pre
    kind: preflight
    checks:
      - id: lint
        run: "true"
        tags: [quick]
      - id: e2e
        run: "true"
        tags: [slow, browser]
      - id: report
        run: "true"
        needs: [e2e]
        tags: [quick]
      - id: build
        run: "true"
"""


def ran(root: Path) -> dict[str, str]:
    (path,) = (root / ".gonogo" / "runs").glob("*/report.json")
    return {c["id"]: c["outcome"] for c in json.loads(path.read_text())["checks"]}


def test_tag_selects_tagged_checks_with_their_needs(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", CONFIG)
    done = gonogo("check", "--tag", "quick", "--report", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("not selected (--tag quick): build\n")
    assert ran(tmp_path) == {"lint": "passed", "e2e": "passed", "report": "passed"}


def test_skip_tag_leaves_a_check_out_and_what_needs_it_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", CONFIG)
    done = gonogo("check", "--skip-tag", "slow", "--report", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("not selected (--skip-tag slow): e2e\n")
    assert "needs e2e, not selected (excluded by --skip-tag slow)" in done.stdout
    assert ran(tmp_path) == {"lint": "passed", "report": "skipped", "build": "passed"}


def test_a_selection_of_nothing_fails_closed(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", CONFIG)
    done = gonogo("check", "--tag", "browser", "--skip-tag", "slow", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("gonogo: error: no checks to run: --tag browser --skip-tag slow selects "
                           "none of the 4 checks `gonogo check` runs\n")
    assert not (tmp_path / ".gonogo" / "runs").exists() or not any((tmp_path / ".gonogo" / "runs").iterdir())


def test_an_unknown_tag_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", CONFIG)
    for flag in ("--tag", "--skip-tag"):
        done = gonogo("check", flag, "quik", cwd=tmp_path)
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == (f"gonogo: error: {flag} 'quik': no check has this tag "
                               "(tags: browser, quick, slow)\n")


def test_a_tag_must_look_like_an_id(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", CONFIG.replace("[quick]", "['no spaces']", 1))
    done = gonogo("validate", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == ("gonogo: error: gonogo.yml:8: phases[0].checks[0].tags[0]: expected "
                           "letters, digits, '-', '_' or '.', got 'no spaces'\n")
