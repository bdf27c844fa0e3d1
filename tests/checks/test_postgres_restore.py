"""postgres.restore_verify against a real PostgreSQL 15 server: a dump restores, and a
corrupted, truncated or mismatching one fails with what differs."""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testing.checks import run_check
from testing.postgres import databases, execute, fresh_database, load_sample, server_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def dump(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A real backup (dump + manifest) of the sample database, and the source URL."""
    with fresh_database() as url:
        load_sample(url)
        result, _ = run_check("postgres.backup",
                              {"database_url": url, "path": "b/backup_{timestamp}.dump",
                               "checksum": ["users"]},
                              tmp_path, env=dict(os.environ))
        assert result.outcome == "passed", result.summary
        yield Path(result.evidence["path"]), url


def verify(dump: Path, tmp_path: Path, timeout: float = 60.0, **extra: Any) -> Any:
    before = databases("gonogo_verify_")
    result, _ = run_check("postgres.restore_verify",
                          {"path": str(dump), "database_url": server_url(), **extra},
                          tmp_path, env=dict(os.environ), timeout=timeout)
    assert databases("gonogo_verify_") == before, "the scratch database was left behind"
    return result


def edit_manifest(dump: Path, change: Any) -> None:
    path = dump.with_name(dump.name + ".manifest.json")
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_a_good_dump_restores_and_matches(dump: tuple[Path, str], tmp_path: Path) -> None:
    result = verify(dump[0], tmp_path, checksum=["users"])
    assert result.outcome == "passed", result.summary
    assert re.fullmatch(
        rf"{dump[0].name} restores: 2 tables, 1,002 rows match the manifest, checksums of "
        r"1 table match \(pg_restore -j \d, [\d.]+s\)", result.summary), result.summary
    assert result.evidence["scratch_database"].startswith("gonogo_verify_")


def test_one_flipped_byte_fails(dump: tuple[Path, str], tmp_path: Path) -> None:
    data = bytearray(dump[0].read_bytes())
    data[len(data) // 2] ^= 0x01
    dump[0].write_bytes(bytes(data))
    result = verify(dump[0], tmp_path)
    assert result.outcome == "failed"
    assert re.fullmatch(rf"{dump[0].name} has sha256 [0-9a-f]{{16}}… but its manifest says "
                        r"[0-9a-f]{16}…: the file is corrupted or was changed after the backup",
                        result.summary), result.summary


def test_a_truncated_dump_fails(dump: tuple[Path, str], tmp_path: Path) -> None:
    size = dump[0].stat().st_size
    with dump[0].open("r+b") as handle:
        handle.truncate(size - 100)
    result = verify(dump[0], tmp_path)
    assert result.outcome == "failed"
    assert result.summary == (f"{dump[0].name} is {size - 100:,} bytes but its manifest says "
                              f"{size:,}: the file is truncated or was changed after the backup")


def test_a_dump_without_manifest_fails(dump: tuple[Path, str], tmp_path: Path) -> None:
    dump[0].with_name(dump[0].name + ".manifest.json").unlink()
    result = verify(dump[0], tmp_path)
    assert result.outcome == "failed"
    assert result.summary.startswith(f"no manifest beside {dump[0].name} "
                                     f"(expected {dump[0].name}.manifest.json)")


def test_missing_table_and_row_count_mismatch(dump: tuple[Path, str], tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["tables"]["public.users"] = 1001
        data["tables"]["public.ghost"] = 5

    edit_manifest(dump[0], change)
    result = verify(dump[0], tmp_path)
    assert result.outcome == "failed"
    assert result.summary == (
        "restored copy differs from the backup's source: missing tables: public.ghost; "
        "row counts differ: public.users 1,001 in the backup, 1,000 restored")


def test_content_checksum_mismatch(dump: tuple[Path, str], tmp_path: Path) -> None:
    edit_manifest(dump[0], lambda d: d["checksums"].update({"public.users": "1000:42"}))
    result = verify(dump[0], tmp_path)
    assert result.outcome == "failed"
    assert result.summary == ("restored copy differs from the backup's source: "
                              "content checksums differ: public.users")


def test_a_file_that_is_not_a_dump_fails_in_pg_restore(tmp_path: Path) -> None:
    import hashlib

    fake = tmp_path / "backup_x.dump"
    fake.write_bytes(b"this is not a pg_dump archive\n" * 400)
    fake.with_name(fake.name + ".manifest.json").write_text(json.dumps({
        "sha256": hashlib.sha256(fake.read_bytes()).hexdigest(),
        "size_bytes": fake.stat().st_size, "tables": {"public.users": 1}}))
    result = verify(fake, tmp_path)
    assert result.outcome == "failed"
    assert result.summary == ("pg_restore failed (exit 1): input file does not appear to be a "
                              "valid archive")


def test_interrupted_restore_drops_the_scratch_database(dump: tuple[Path, str], tmp_path: Path) -> None:
    # a pg_restore that is slow to start, so the runner's timeout cancels it mid-restore
    slow = tmp_path / "slowbin"
    slow.mkdir()
    script = slow / "pg_restore"
    script.write_text('#!/bin/sh\n[ "$1" = --version ] && exec pg_restore --version\n'
                      'sleep 30\nexec pg_restore "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    result = verify(dump[0], tmp_path, pg_bin=str(slow), timeout=3.0)
    assert result.outcome == "failed"
    assert result.summary == "timed out after 3.0s"


def test_backup_step_of_the_same_run_and_config_errors(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from gonogo.plugins import check_types

    cls = check_types()["postgres.restore_verify"]
    with pytest.raises(ValidationError, match="expected either backup:"):
        cls.model_validate({"backup": "b", "path": "x.dump"})
    with pytest.raises(ValidationError, match="path: needs database_url:"):
        cls.model_validate({"path": "x.dump"})
    result, _ = run_check("postgres.restore_verify", {"backup": "backup"}, tmp_path)
    assert result.outcome == "errored"
    assert result.summary == "backup step 'backup' has not run before this check: add `needs: [backup]`"


def stand_in(folder: Path, tool: str, before: str) -> Path:
    """A ``tool`` that runs the shell line ``before``, then the real tool (``--version`` as is)."""
    folder.mkdir(exist_ok=True)
    script = folder / tool
    script.write_text(f'#!/bin/sh\n[ "$1" = --version ] && exec {tool} --version\n'
                      f'{before}\nexec {tool} "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def test_a_manifest_without_the_wanted_checksum_leaves_no_scratch(
        dump: tuple[Path, str], tmp_path: Path) -> None:
    edit_manifest(dump[0], lambda d: d.update(checksums={}))
    result = verify(dump[0], tmp_path, checksum=["users"])
    assert (result.outcome, result.summary) == (
        "errored", f"the manifest of {dump[0].name} has no checksum of public.users: list it "
        "under the backup's checksum: so it is taken with the dump")


def test_a_corrupt_dump_is_never_handed_to_pg_restore(dump: tuple[Path, str], tmp_path: Path) -> None:
    # the scratch database is made while the file is checked: pg_restore still waits for the check
    ran = tmp_path / "pg_restore_ran"
    folder = stand_in(tmp_path / "bin", "pg_restore", f"touch {ran}")
    data = bytearray(dump[0].read_bytes())
    data[len(data) // 2] ^= 0x01
    dump[0].write_bytes(bytes(data))
    result = verify(dump[0], tmp_path, pg_bin=str(folder))
    assert result.outcome == "failed"
    assert result.summary.endswith(": the file is corrupted or was changed after the backup")
    assert not ran.exists()


def test_a_row_written_during_the_dump_is_neither_dumped_nor_counted(tmp_path: Path) -> None:
    # the row counts come from the snapshot pg_dump dumps, whatever commits meanwhile
    insert = ('psql -q -v ON_ERROR_STOP=1 "$LATE_WRITE_URL" '
              "-c \"INSERT INTO users (email) VALUES ('late@example.com')\" || exit 9")
    folder = stand_in(tmp_path / "bin", "pg_dump", insert)
    with fresh_database() as url:
        load_sample(url)
        backup, _ = run_check("postgres.backup", {"database_url": url, "path": "b/backup.dump",
                                                  "pg_bin": str(folder)},
                              tmp_path, env={**os.environ, "LATE_WRITE_URL": url})
        assert backup.outcome == "passed", backup.summary
        now = execute(url, "SELECT count(*) FROM users")[0][0]
    dump = Path(backup.evidence["path"])
    manifest = json.loads(dump.with_name(dump.name + ".manifest.json").read_text())
    assert (manifest["tables"]["public.users"], now) == (1000, 1001)
    result = verify(dump, tmp_path)
    assert result.outcome == "passed", result.summary
    assert result.summary.startswith(f"{dump.name} restores: 2 tables, 1,002 rows match the manifest")


def test_each_step_of_the_backup_and_of_its_verification_is_timed(tmp_path: Path) -> None:
    with fresh_database() as url:
        load_sample(url)
        backup, _ = run_check("postgres.backup", {"database_url": url, "path": "b/backup.dump"},
                              tmp_path, env=dict(os.environ))
    steps = backup.evidence["steps_s"]
    assert sorted(steps) == ["connect", "counts", "pg_dump", "sha256"]
    result = verify(Path(backup.evidence["path"]), tmp_path)
    assert result.outcome == "passed", result.summary
    checked = result.evidence["steps_s"]
    assert sorted(checked) == ["check_file", "count", "create_scratch", "drop_scratch", "pg_restore"]
    assert checked["pg_restore"] == result.evidence["restore_s"]
    assert all(isinstance(s, float) and s >= 0 for s in [*steps.values(), *checked.values()])


def settled_seq_scans(url: str, table: str) -> int:
    """``seq_scan`` of ``table`` once the backends that scanned it have flushed their
    statistics (they do as they exit, a moment after their client closed them)."""
    import time

    sql = "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = %s"
    seen, deadline = execute(url, sql, (table,))[0][0], time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = execute(url, sql, (table,))[0][0]
        if now == seen:
            return int(now)
        seen = now
    raise AssertionError(f"seq_scan of {table} did not settle")


def test_a_checksummed_table_is_scanned_once_for_its_count_and_checksum(tmp_path: Path) -> None:
    with fresh_database() as url:
        load_sample(url)
        before = settled_seq_scans(url, "users")
        backup, _ = run_check("postgres.backup", {"database_url": url, "path": "b/backup.dump",
                                                  "checksum": ["users"]},
                              tmp_path, env=dict(os.environ))
        assert backup.outcome == "passed", backup.summary
        # pg_dump's COPY, then one scan for the row count and the checksum together
        assert settled_seq_scans(url, "users") - before == 2
    manifest = json.loads(Path(backup.evidence["manifest"]).read_text())
    assert manifest["tables"]["public.users"] == 1000
    assert manifest["checksums"]["public.users"].startswith("1000:")
