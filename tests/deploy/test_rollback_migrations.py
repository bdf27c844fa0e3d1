"""Rollback that knows the database (real PostgreSQL, Prisma's folder and table): a deploy
records which migrations its release had; `gonogo rollback` to a release that predates an
applied migration names it, asks (or goes on with `--yes`, journaled as a warning), and
`--restore-backup` restores the verified backup taken before that migration."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from testing.postgres import execute, fresh_database
from testing.tty import gonogo_tty

pytestmark = pytest.mark.postgres

INIT = "20240101000000_init"
LESSONS = "20240215093000_add_lessons"
SQL = {INIT: 'CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "email" TEXT NOT NULL);\n',
       LESSONS: 'CREATE TABLE "Lesson" ("id" SERIAL PRIMARY KEY, "content" JSONB);\n'}

# Applies pending migrations and records them as `prisma migrate deploy` does.
MIGRATE = '''\
import hashlib, os, pathlib, uuid, psycopg
folder = pathlib.Path("prisma/migrations")
with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
    conn.execute("""CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
        "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL,
        "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT,
        "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
        "applied_steps_count" INTEGER NOT NULL DEFAULT 0)""")
    done = {r[0] for r in conn.execute('SELECT migration_name FROM "_prisma_migrations"')}
    for path in sorted(p for p in folder.iterdir() if p.is_dir()):
        if path.name in done:
            continue
        script = (path / "migration.sql").read_bytes()
        conn.execute(script.decode())
        conn.execute('INSERT INTO "_prisma_migrations" (id, checksum, finished_at, '
                     'migration_name, applied_steps_count) VALUES (%s, %s, now(), %s, 1)',
                     (str(uuid.uuid4()), hashlib.sha256(script).hexdigest(), path.name))
'''

CONFIG = """\
version: 1
name: shop
environments:
  production:
    vars: {{DATABASE_URL: "{url}"}}
phases:
  - id: pre
    kind: preflight
    checks:
      - {{id: ok, run: "true"}}
  - id: backup
    kind: backup
    checks:
      - {{id: db-backup, type: postgres.backup, database_url: "${{DATABASE_URL}}",
         path: "backups/backup_{{timestamp}}.dump"}}
  - id: migrate
    kind: deploy
    checks:
      - {{id: migrate, run: "{python} migrate.py"}}
  - id: verify
    kind: verify
    checks:
      - {{id: prisma-status, type: migrations, tool: prisma, database_url: "${{DATABASE_URL}}",
         dir: prisma/migrations, advisory: true}}
services:
  - name: api
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live'
    current: 'cat live 2>/dev/null || true'
    health: {{command: 'test -s live', within: 2s, interval: 100ms}}
"""


def add_migration(root: Path, name: str) -> None:
    write(root / "prisma/migrations" / name / "migration.sql", SQL[name])


@pytest.fixture
def released(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """v1 (init) then v2 (adds a migration), both deployed and verified."""
    with fresh_database() as url:
        write(tmp_path / "gonogo.yml", CONFIG.format(url=url, python=sys.executable))
        write(tmp_path / "migrate.py", MIGRATE)
        add_migration(tmp_path, INIT)
        first = gonogo("deploy", "--version", "v1", cwd=tmp_path)
        assert first.returncode == 0, first.stdout + first.stderr
        add_migration(tmp_path, LESSONS)
        second = gonogo("deploy", "--version", "v2", cwd=tmp_path)
        assert second.returncode == 0, second.stdout + second.stderr
        # the checkout of v1, as a team rolling back has it
        shutil.rmtree(tmp_path / "prisma/migrations" / LESSONS)
        yield tmp_path, url


def applied(url: str) -> list[str]:
    return [r[0] for r in execute(url, 'SELECT migration_name FROM "_prisma_migrations" '
                                       "ORDER BY migration_name")]


def test_rollback_names_what_the_old_release_does_not_know_and_asks(
        released: tuple[Path, str]) -> None:
    root, url = released
    refused = gonogo("rollback", "--to", "v1", cwd=root)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert (f"the database is ahead of v1 (prisma-status, prisma): 1 applied migration v1 "
            f"does not know: {LESSONS}") in refused.stdout
    assert "`--restore-backup` restores it" in refused.stdout
    assert ("the database is ahead of v1: pass --yes to roll back the images anyway, or "
            "--restore-backup") in refused.stderr
    assert (root / "live").read_text().strip() == "v2"

    forced = gonogo("rollback", "--to", "v1", "--yes", cwd=root)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert (root / "live").read_text().strip() == "v1"
    assert applied(url) == [INIT, LESSONS]  # image-only: the database stays ahead
    run = json.loads(gonogo("runs", "--format", "json", cwd=root).stdout)[0]
    shown = gonogo("report", run["run_id"], "--format", "json", cwd=root)
    warned = [c for c in json.loads(shown.stdout)["checks"] if c["outcome"] == "warned"]
    assert any(f"the database is ahead of v1 (prisma-status): {LESSONS}" in json.dumps(c)
               for c in warned), shown.stdout


def test_at_a_terminal_one_yes_rolls_back_image_only(released: tuple[Path, str]) -> None:
    """A person is asked once about the database being ahead: their "y" rolls back. (The
    same risk was asked about a second time, and a second "y" was needed.)"""
    root, url = released
    done = gonogo_tty("rollback", "--to", "v1", cwd=root, answer="y", timeout=60)
    assert done.returncode == 0, done.output
    assert done.prompt == "Roll back to v1 image-only, leaving the database ahead of it? [y/N] "
    assert done.output.count("[y/N]") == 1, done.output
    assert "never passed verification" not in done.output
    assert (f"warning: the database is ahead of v1 (prisma-status): {LESSONS}; "
            "rolling back to it as confirmed.") in done.output
    assert (root / "live").read_text().strip() == "v1"
    assert applied(url) == [INIT, LESSONS]


def test_restore_backup_returns_the_database_to_before_the_migration(
        released: tuple[Path, str]) -> None:
    root, url = released
    result = gonogo("rollback", "--to", "v1", "--restore-backup", "--yes", cwd=root,
                    timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"(taken before {LESSONS}) before rolling back." in result.stdout
    assert applied(url) == [INIT]
    assert execute(url, "SELECT to_regclass('\"Lesson\"') IS NULL") == [(True,)]
    assert (root / "live").read_text().strip() == "v1"
