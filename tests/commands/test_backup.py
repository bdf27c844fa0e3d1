"""`gonogo backup` end to end on a real server: a dump, its manifest, a proven restore,
retention, and a corrupted dump caught by the next verification."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from testing.postgres import databases, fresh_database, load_sample, server_url

pytestmark = pytest.mark.postgres


def config(tmp_path: Path, url: str, keep: int | None = None) -> None:
    retention = f"\n        retention: {{keep: {keep}}}" if keep else ""
    write(tmp_path / "gonogo.yml", f"""\
version: 1
name: shop
environments:
  production:
    vars: {{DATABASE_URL: "{url}"}}
    protected: true
phases:
  - id: backup
    title: Create Backup
    kind: backup
    checks:
      - id: backup
        title: Database backup created
        type: postgres.backup
        database_url: "${{DATABASE_URL}}"
        path: backups/backup_{{timestamp}}.dump{retention}
      - id: backup-verified
        title: Backup verified (can restore)
        type: postgres.restore_verify
        backup: backup
        needs: [backup]
""")


def test_backup_writes_a_dump_and_proves_it_restores(tmp_path: Path) -> None:
    with fresh_database() as url:
        load_sample(url)
        config(tmp_path, url)
        done = gonogo("backup", "--env", "production", cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        dumps = list((tmp_path / "backups").glob("*.dump"))
        assert len(dumps) == 1 and (tmp_path / "backups" / (dumps[0].name + ".manifest.json")).is_file()
        assert re.search(r"✓ Database backup created \[backup\] .* — backups/backup_\d{8}_\d{6}\.dump: "
                         r".*2 tables, 1,002 rows", done.stdout), done.stdout
        assert re.search(rf"✓ Backup verified \(can restore\) \[backup\] .* — {dumps[0].name} restores: "
                         r"2 tables, 1,002 rows match the manifest", done.stdout), done.stdout
        assert "GO: 2 passed" in done.stdout
        runs = gonogo("runs", "--format", "json", cwd=tmp_path)
        listed = json.loads(runs.stdout)
        assert [(r["verdict"], r["exit_code"]) for r in listed] == [("GO", 0)]
        assert databases("gonogo_verify_") == []

        # one flipped byte: the next verification (here before a restore) fails, nothing changes
        data = bytearray(dumps[0].read_bytes())
        data[len(data) // 3] ^= 0xFF
        dumps[0].write_bytes(bytes(data))
        with fresh_database("gonogo_target") as target:
            restored = gonogo("restore", "--from", str(dumps[0]), "--to", target, "--yes",
                              cwd=tmp_path)
        assert restored.returncode == 1, restored.stdout + restored.stderr
        assert re.search(rf"✗ {dumps[0].name} matches its manifest \[restore\] .* — {dumps[0].name} "
                         r"has sha256 [0-9a-f]{16}… but its manifest says [0-9a-f]{16}…: the file is "
                         r"corrupted or was changed after the backup", restored.stdout), restored.stdout
        assert re.search(r"↷ Restore into gonogo_target_\w+ \[restore\] .* — needs backup-file \(failed\)",
                         restored.stdout), restored.stdout


def test_retention_prunes_only_after_verification(tmp_path: Path) -> None:
    with fresh_database() as url:
        load_sample(url)
        config(tmp_path, url, keep=2)
        folder = tmp_path / "backups"
        folder.mkdir()
        for stamp in ("20240101_000000", "20240102_000000", "20240103_000000"):
            (folder / f"backup_{stamp}.dump").write_bytes(b"old")
            (folder / f"backup_{stamp}.dump.manifest.json").write_text("{}")
        (folder / "unrelated.txt").write_text("keep me")
        done = gonogo("backup", cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "; pruned 2 older backups" in done.stdout
        names = sorted(p.name for p in folder.iterdir())
        assert len(names) == 5, names
        assert "backup_20240103_000000.dump" in names and "unrelated.txt" in names
        assert "backup_20240101_000000.dump" not in names

        # a failing verification prunes nothing
        new = [n for n in names if n.endswith(".dump") and "2024010" not in n]
        manifest = folder / (new[0] + ".manifest.json")
        config(tmp_path, server_url().rsplit("/", 1)[0] + "/no_such_database_gonogo", keep=1)
        failed = gonogo("backup", cwd=tmp_path)
        assert failed.returncode == 1
        assert sorted(p.name for p in folder.iterdir()) == names
        assert manifest.is_file()


def test_no_backup_phase_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", "version: 1\nphases: []\n")
    done = gonogo("backup", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("gonogo: error: ")
    assert done.stderr.strip().endswith(
        "gonogo.yml: no phase of kind backup (add one holding a postgres.backup check and a "
        "postgres.restore_verify with needs: [<backup id>])")


def test_a_backup_phase_without_checks_is_a_usage_error_not_go(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", "version: 1\nphases:\n  - {id: bk, kind: backup}\n")
    done = gonogo("backup", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (
        2, "", "gonogo: error: no checks to run: phase 'bk' has no checks\n")
    assert not (tmp_path / ".gonogo").exists()
