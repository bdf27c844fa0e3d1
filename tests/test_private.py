"""Private by default: everything gonogo writes is its user's alone — the state folder and
run folders 0700; the journal (with its -wal and -shm), captured output, reports, the
fingerprint key 0600 — while the commands it runs for the user keep the user's umask."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from testing.cli import gonogo
from testing.postgres import fresh_database, load_sample
from testing.project import project

CONFIG = """
version: 1
name: shop
phases:
  - id: pre
    kind: preflight
    checks:
      - id: modes
        title: state files while the journal is open
        run: stat -c '%a %n' .gonogo .gonogo/state.db .gonogo/state.db-wal .gonogo/state.db-shm
      - id: build
        title: a build writes the project's files
        run: mkdir -p dist && echo built > dist/app.js
      - {id: broken, title: API build passes, run: "echo compiling; echo 'error TS2304' >&2; exit 2"}
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def modes_under(folder: Path) -> dict[str, str]:
    """Every folder and file under ``folder`` (itself included) with its mode, as ``0o…``."""
    found = {".": oct(mode(folder))}
    for path in sorted(folder.rglob("*")):
        found[str(path.relative_to(folder))] = oct(mode(path))
    return found


def user_umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def test_a_check_run_and_its_reports_are_private(tmp_path: Path) -> None:
    project(tmp_path, CONFIG)
    assert gonogo("secrets", cwd=tmp_path).returncode == 0  # makes the fingerprint key
    checked = gonogo("check", "--report", "json", "--report", "markdown",
                     "--report", "html:out/report.html", cwd=tmp_path)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    run_id = re.findall(r"· run (\S+)", checked.stdout)[-1]
    exported = gonogo("report", run_id, "--format", "junit", "-o", "out/junit.xml", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr

    state = modes_under(tmp_path / ".gonogo")
    run = f"runs/{run_id}"
    assert {".", "runs", run, f"{run}/output", "state.db", "fingerprint.key",
            f"{run}/output/modes.log", f"{run}/output/broken.log", f"{run}/report.json",
            f"{run}/report.md"} <= set(state)
    wide = {name: m for name, m in state.items()
            if m != (oct(0o700) if (tmp_path / ".gonogo" / name).is_dir() else oct(0o600))}
    assert wide == {}
    # while gonogo had the journal open, SQLite's side files were private too
    assert (tmp_path / ".gonogo" / run / "output" / "modes.log").read_text().splitlines() == [
        "700 .gonogo", "600 .gonogo/state.db", "600 .gonogo/state.db-wal",
        "600 .gonogo/state.db-shm"]
    # reports asked for outside the state folder: private as well
    assert modes_under(tmp_path / "out") == {
        ".": oct(0o700), "junit.xml": oct(0o600), "report.html": oct(0o600)}
    # what the user's own build wrote follows the user's umask, not gonogo's
    umask = user_umask()
    assert mode(tmp_path / "dist") == 0o777 & ~umask
    assert mode(tmp_path / "dist" / "app.js") == 0o666 & ~umask


def test_a_state_folder_left_open_by_an_older_gonogo_is_made_private(tmp_path: Path) -> None:
    project(tmp_path, CONFIG)
    state = tmp_path / ".gonogo"
    state.mkdir(mode=0o755)
    os.chmod(state, 0o755)
    (state / "state.db").touch()
    os.chmod(state / "state.db", 0o644)
    (state / "fingerprint.key").write_text("k" * 64 + "\n")
    os.chmod(state / "fingerprint.key", 0o644)

    checked = gonogo("check", "--only", "build", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    secrets = gonogo("secrets", cwd=tmp_path)
    assert secrets.returncode == 0, secrets.stderr
    assert (mode(state), mode(state / "runs"), mode(state / "state.db"),
            mode(state / "fingerprint.key")) == (0o700, 0o700, 0o600, 0o600)


def test_the_state_key_folder_is_made_private_with_its_parents(tmp_path: Path) -> None:
    project(tmp_path, CONFIG + "state: var/gate/state\n")
    checked = gonogo("check", "--only", "build", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert [oct(mode(p)) for p in (tmp_path / "var", tmp_path / "var" / "gate",
                                   tmp_path / "var" / "gate" / "state")] == [oct(0o700)] * 3


@pytest.mark.postgres
def test_gonogo_backup_writes_private_dumps_manifests_and_state(tmp_path: Path) -> None:
    with fresh_database() as url:
        load_sample(url)
        project(tmp_path, f"""
            version: 1
            phases:
              - id: backup
                kind: backup
                checks:
                  - {{id: backup, type: postgres.backup, database_url: "{url}",
                     path: "var/backups/app_{{timestamp}}.dump"}}
                  - {{id: verified, type: postgres.restore_verify, backup: backup, needs: [backup]}}
            """)
        done = gonogo("backup", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    backups = modes_under(tmp_path / "var")
    assert len(backups) == 4  # var, backups, the dump and its manifest
    assert {m for name, m in backups.items() if name.endswith((".dump", ".json"))} == {oct(0o600)}
    assert {m for name, m in backups.items() if not name.endswith((".dump", ".json"))} == {
        oct(0o700)}
    state = modes_under(tmp_path / ".gonogo")
    assert {m for name, m in state.items() if (tmp_path / ".gonogo" / name).is_file()} == {
        oct(0o600)}
    assert {m for name, m in state.items() if (tmp_path / ".gonogo" / name).is_dir()} == {
        oct(0o700)}


def test_a_library_caller_with_a_loose_umask_gets_private_state_too(tmp_path: Path) -> None:
    """The modes are set by gonogo itself, not left to the CLI's umask."""
    from gonogo.core.clock import now
    from gonogo.core.outcomes import CheckResult, Outcome
    from gonogo.journal.store import open_store
    from gonogo.reports import ReportSpec, write_report

    previous = os.umask(0o022)
    try:
        store = open_store(str(tmp_path / "var" / "state"))
        journal = store.create_run("check")
        journal.record(CheckResult(id="build", title="Build", phase="p", kind="preflight",
                                   type="command", outcome=Outcome.PASSED, summary="exit 0",
                                   duration_s=0.1, started_at=now(), finished_at=now()),
                       "compiled\n")
        journal.finish(None, 0)
        record = store.load_run(journal.run_id)
        write_report(record, ReportSpec("json", None))
        write_report(record, ReportSpec("html", str(tmp_path / "out" / "report.html")))
        store.close()
    finally:
        os.umask(previous)
    run = f"runs/{journal.run_id}"
    assert modes_under(tmp_path / "var") == {
        ".": oct(0o700), "state": oct(0o700), "state/state.db": oct(0o600),
        "state/runs": oct(0o700), f"state/{run}": oct(0o700), f"state/{run}/output": oct(0o700),
        f"state/{run}/output/build.log": oct(0o600), f"state/{run}/report.json": oct(0o600)}
    assert modes_under(tmp_path / "out") == {".": oct(0o700), "report.html": oct(0o600)}
