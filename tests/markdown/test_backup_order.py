""""Backup verified (can restore)" restores the file "Database backup created" writes: it
needs that check, or the two run side by side in their phase and the restore finds no file."""

from __future__ import annotations

from pathlib import Path

from testing.cli import gonogo, write

CHECKLIST = """# Release

## Create Backup

```bash
pg_dump -U postgres shop > backup.sql
```

- [ ] Database backup created
- [ ] Backup verified (can restore)
"""


def test_the_restore_check_needs_the_backup_check(tmp_path: Path) -> None:
    write(tmp_path / "release.md", CHECKLIST)
    result = gonogo("explain", "release.md", cwd=tmp_path,
                    env={"DATABASE_URL": "postgresql://shop@127.0.0.1:5432/shop"})
    assert result.returncode == 0, result.stderr
    assert ("  L10  Backup verified (can restore)\n"
            "       → postgres.restore_verify {backup: database-backup-created} "
            "{needs: [database-backup-created]}  [recognized: postgres.restore_verify]\n") in result.stdout
