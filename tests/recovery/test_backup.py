"""`gonogo backup` stopped at each of its steps — SIGKILL or Ctrl-C — on the real
PostgreSQL: no manifest ever describes a dump that is not whole (a restore can only pick
up a complete, verified backup), the source database is untouched, the journal says
interrupted with what to run next, and a re-run writes a backup proven to restore."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.cli import gonogo
from testing.postgres import databases, fresh_database, load_sample
from tests.commands.test_backup import config
from tests.commands.test_restore import counts
from tests.recovery.conftest import assert_shown_interrupted, last_run, lock_state, stop_at

pytestmark = pytest.mark.postgres

SAMPLE = {"billing.invoices": 2, "public.users": 1000}

#: (fault point, whether a whole dump with its manifest exists there)
STEPS = [
    ("check.before:backup", False),             # nothing written yet
    ("backup.dumped", False),                   # pg_dump done into the .partial file
    ("backup.before_manifest", False),          # the dump in place, its manifest not yet
    ("check.before:backup-verified", True),     # backed up, its restore not yet proven
]


@pytest.fixture(scope="module")
def source() -> Iterator[str]:
    with fresh_database("gonogo_rec") as url:
        load_sample(url)
        yield url


def whole_backups(backups: Path) -> list[str]:
    """Dumps that have a manifest — each must match it byte for byte."""
    found = []
    for manifest in sorted(backups.glob("*.dump.manifest.json")):
        dump = manifest.with_name(manifest.name.removesuffix(".manifest.json"))
        data = json.loads(manifest.read_text())
        assert hashlib.sha256(dump.read_bytes()).hexdigest() == data["sha256"], dump
        found.append(dump.name)
    return found


@pytest.mark.parametrize("how", ["kill", "int"])
@pytest.mark.parametrize(("point", "whole"), STEPS, ids=[p for p, _ in STEPS])
def test_backup_stopped_at_each_step_never_leaves_a_half_backup(
        tmp_path: Path, source: str, point: str, whole: bool, how: str) -> None:
    config(tmp_path, source)
    backups = tmp_path / "backups"
    verifying = set(databases("gonogo_verify_"))
    stopped = stop_at(["backup", "--env", "production"], tmp_path, point, how)
    run = last_run(tmp_path)
    assert run["command"] == "backup"
    made = whole_backups(backups) if backups.exists() else []
    if how == "int":
        assert stopped.returncode == 130, stopped.stdout + stopped.stderr
        assert stopped.stderr.endswith("gonogo: interrupted\n"), stopped.stderr
        assert "Traceback" not in stopped.stderr
        assert not list(backups.glob("*.partial")) if backups.exists() else True
        # Ctrl-C lands at the next await: a manifest being written is finished first
        assert len(made) <= 1
    else:
        assert len(made) == (1 if whole else 0), made
    assert_shown_interrupted(tmp_path, run, "gonogo backup --env production")
    assert lock_state(tmp_path) == "no deploy lock is held\n"
    assert counts(source) == SAMPLE
    assert set(databases("gonogo_verify_")) <= verifying   # no scratch copy left (of ours)

    again = gonogo("backup", "--env", "production", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "GO: 2 passed" in again.stdout
    assert len(whole_backups(backups)) == len(made) + 1
