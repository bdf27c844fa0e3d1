"""Finding a checklist's sidecar: `check -c CHECKLIST.md`, `validate` and `explain` agree,
and a sidecar whose `checklist:` is wrong is never ignored silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.cli import gonogo, write

CHECKLIST = "# Release\n\n## Verify\n\n- [ ] Smoke test passes\n"


def sidecar(checklist: str) -> str:
    return (f"checklist: {checklist}\n"
            "bind:\n"
            "  - item: Smoke test passes\n"
            "    run: 'true'\n")


MISTYPED = ("gonogo: error: gonogo.yml:1: checklist: 'CHECKLIST.mdd' not found; "
            "did you mean 'CHECKLIST.md'?\n")


@pytest.mark.parametrize("argv", [
    ("check", "-c", "CHECKLIST.md"),
    ("check",),
    ("validate", "-c", "CHECKLIST.md"),
    ("validate",),
    ("explain", "CHECKLIST.md"),
    ("explain", "CHECKLIST.md", "-c", "gonogo.yml"),
    ("import", "CHECKLIST.md"),
])
def test_a_mistyped_checklist_path_is_an_error_at_its_line(tmp_path: Path, argv: tuple[str, ...]) -> None:
    write(tmp_path / "CHECKLIST.md", CHECKLIST)
    write(tmp_path / "gonogo.yml", sidecar("CHECKLIST.mdd"))
    result = gonogo(*argv, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", MISTYPED)


def test_the_error_names_the_sidecar_beside_a_checklist_in_another_folder(tmp_path: Path) -> None:
    write(tmp_path / "release" / "CHECKLIST.md", CHECKLIST)
    write(tmp_path / "release" / "gonogo.yml", "# values for the release checklist\n"
          + sidecar("docs/CHECKLST.md"))
    write(tmp_path / "release" / "docs" / "CHECKLIST.md", CHECKLIST)
    result = gonogo("check", "-c", "release/CHECKLIST.md", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, (
        "gonogo: error: release/gonogo.yml:2: checklist: 'docs/CHECKLST.md' not found; "
        "did you mean 'docs/CHECKLIST.md'?\n"))


def test_a_checklist_path_with_nothing_close_says_what_it_is_relative_to(tmp_path: Path) -> None:
    write(tmp_path / "CHECKLIST.md", CHECKLIST)
    write(tmp_path / "gonogo.yml", sidecar("runbooks/deploy.md"))
    result = gonogo("validate", "-c", "CHECKLIST.md", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, (
        "gonogo: error: gonogo.yml:1: checklist: 'runbooks/deploy.md' not found "
        "(hint: the path is relative to the folder of gonogo.yml)\n"))


def test_a_checklist_key_that_is_not_a_path_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "CHECKLIST.md", CHECKLIST)
    write(tmp_path / "gonogo.yml", "checklist: 5\n")
    result = gonogo("check", "-c", "CHECKLIST.md", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2, "gonogo: error: gonogo.yml:1: checklist: expected a path to a Markdown checklist\n")


@pytest.mark.parametrize("argv", [("check", "-c", "CHECKLIST.md"), ("check",),
                                  ("validate", "-c", "CHECKLIST.md"), ("explain", "CHECKLIST.md")])
def test_a_sidecar_naming_the_checklist_binds_it_from_either_end(tmp_path: Path, argv: tuple[str, ...]) -> None:
    write(tmp_path / "CHECKLIST.md", CHECKLIST)
    write(tmp_path / "gonogo.yml", sidecar("CHECKLIST.md"))
    result = gonogo(*argv, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    if argv[0] == "validate":
        assert result.stdout == "CHECKLIST.md: ok — 1 phases, 1 checks (1 automated, 0 manual)\n"
    elif argv[0] == "explain":
        assert "→ would run: command {run: true}  [sidecar]" in result.stdout


def test_a_sidecar_of_another_checklist_is_left_out_with_a_warning(tmp_path: Path) -> None:
    """Two checklists in one folder: gonogo.yml belongs to the other one, so this one runs
    without its bindings (its item waits for a sign-off), and stderr says why, once."""
    write(tmp_path / "CHECKLIST.md", CHECKLIST)
    write(tmp_path / "STAGING.md", CHECKLIST)
    write(tmp_path / "gonogo.yml", sidecar("STAGING.md"))
    warning = ("gonogo: warning: gonogo.yml:1: checklist: names 'STAGING.md', not 'CHECKLIST.md'; "
               "CHECKLIST.md gets no values or bindings from it\n")
    result = gonogo("check", "-c", "CHECKLIST.md", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (4, warning)
    assert "⏳ Smoke test passes" in result.stdout
    result = gonogo("validate", "-c", "CHECKLIST.md", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, warning)
    assert result.stdout == ("CHECKLIST.md:5: unbound — Smoke test passes: no rule recognizes "
                             "this item; sign it off, or annotate it\n"
                             "CHECKLIST.md: ok — 1 phases, 1 checks (0 automated, 1 manual)\n")
    # the checklist it names still gets it
    result = gonogo("validate", "-c", "STAGING.md", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "STAGING.md: ok — 1 phases, 1 checks (1 automated, 0 manual)\n"


def test_an_explicit_sidecar_of_another_checklist_is_used_with_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "CHECKLIST.md", CHECKLIST)
    write(tmp_path / "STAGING.md", CHECKLIST)
    write(tmp_path / "values.yml", sidecar("STAGING.md"))
    result = gonogo("explain", "CHECKLIST.md", "-c", "values.yml", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, (
        "gonogo: warning: values.yml:1: checklist: names 'STAGING.md', not 'CHECKLIST.md'; "
        "using it for CHECKLIST.md as -c asks\n"))
    assert "→ would run: command {run: true}  [sidecar]" in result.stdout


def test_a_full_config_beside_a_checklist_is_not_its_sidecar(tmp_path: Path) -> None:
    """A gonogo.yml without `checklist:` is a config of its own: nothing to warn about."""
    write(tmp_path / "CHECKLIST.md", CHECKLIST)
    write(tmp_path / "gonogo.yml", "phases:\n  - id: verify\n    checks:\n      - run: 'true'\n")
    result = gonogo("validate", "-c", "CHECKLIST.md", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


def test_history_commands_read_the_state_the_sidecar_names(tmp_path: Path) -> None:
    """`runs -c CHECKLIST.md` finds the sidecar as `check -c CHECKLIST.md` does, so it
    lists the runs kept where the sidecar's `state:` says."""
    write(tmp_path / "CHECKLIST.md", CHECKLIST)
    write(tmp_path / "gonogo.yml", "state: history\n" + sidecar("CHECKLIST.md"))
    assert gonogo("check", "-c", "CHECKLIST.md", cwd=tmp_path).returncode == 0
    assert (tmp_path / "history").is_dir() and not (tmp_path / ".gonogo").exists()
    result = gonogo("runs", "-c", "CHECKLIST.md", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert [line.split()[1:4] for line in result.stdout.splitlines()[1:]] == [["check", "-", "GO"]]


WATCHED = ("# Release\n\n## Monitor\n\n- [ ] Review error logs for first 15 minutes "
           "<!-- gonogo: {run: 'true'} -->\n")


@pytest.mark.parametrize(("vars_", "window"), [
    ("{}", "  duration: 15m\n  interval: 30s\n"),
    ("{watch_duration: 45s, watch_interval: 3s}", "  duration: 45s\n  interval: 3s\n"),
    ("{watch_duration: 2m}", "  duration: 2m\n  interval: 30s\n"),
])
def test_the_sidecar_sets_the_watch_window_the_document_words(tmp_path: Path, vars_: str,
                                                                window: str) -> None:
    write(tmp_path / "CHECKLIST.md", WATCHED)
    write(tmp_path / "gonogo.yml", "checklist: CHECKLIST.md\nenvironments:\n  production:\n"
                                   f"    vars: {vars_}\n")
    result = gonogo("import", "CHECKLIST.md", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.endswith(window)
