"""migrations (Prisma): `_prisma_migrations` as Prisma writes it vs the migrations folder."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.checks import run_check
from testing.postgres import execute, fresh_database

pytestmark = pytest.mark.postgres

PRISMA_TABLE = """
CREATE TABLE "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)"""

MIGRATIONS = {
    "20240101000000_init": 'CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "email" TEXT NOT NULL);\n',
    "20240215093000_add_lessons": 'CREATE TABLE "Lesson" ("id" SERIAL PRIMARY KEY, "content" JSONB);\n',
    "20240301120000_add_progress": 'CREATE TABLE "Progress" ("id" SERIAL PRIMARY KEY);\n',
}


@pytest.fixture
def project(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    folder = tmp_path / "apps/api/prisma/migrations"
    for name, sql in MIGRATIONS.items():
        (folder / name).mkdir(parents=True)
        (folder / name / "migration.sql").write_text(sql)
    (folder / "migration_lock.toml").write_text('provider = "postgresql"\n')
    with fresh_database() as url:
        execute(url, PRISMA_TABLE)
        yield folder, url


def apply(url: str, folder: Path, name: str, *, finished: bool = True, logs: str | None = None,
          checksum: str | None = None) -> None:
    """Record a migration the way `prisma migrate deploy` does."""
    script = (folder / name / "migration.sql").read_bytes()
    execute(url, (folder / name / "migration.sql").read_text())
    execute(url, 'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, '
                 "applied_steps_count) VALUES (%s, %s, CASE WHEN %s THEN now() END, %s, %s, %s)",
            (str(uuid.uuid4()), checksum or hashlib.sha256(script).hexdigest(), finished, name,
             logs, 1 if finished else 0))


def check(tmp_path: Path, url: str) -> tuple[str, str]:
    result, _ = run_check("migrations", {"tool": "prisma", "database_url": url,
                                         "dir": "apps/api/prisma/migrations"}, tmp_path)
    return str(result.outcome), result.summary


def test_all_applied_passes(project: tuple[Path, str], tmp_path: Path) -> None:
    folder, url = project
    for name in MIGRATIONS:
        apply(url, folder, name)
    assert check(tmp_path, url) == (
        "passed", "all 3 prisma migrations applied (latest 20240301120000_add_progress)")


def test_one_unapplied_migration_fails_naming_it(project: tuple[Path, str], tmp_path: Path) -> None:
    folder, url = project
    apply(url, folder, "20240101000000_init")
    apply(url, folder, "20240215093000_add_lessons")
    assert check(tmp_path, url) == (
        "failed", "1 pending migration: 20240301120000_add_progress")


def test_failed_migration_is_reported_with_its_log(project: tuple[Path, str], tmp_path: Path) -> None:
    folder, url = project
    apply(url, folder, "20240101000000_init")
    apply(url, folder, "20240215093000_add_lessons", finished=False,
          logs="Database error code: 42P07\nrelation \"Lesson\" already exists")
    assert check(tmp_path, url) == (
        "failed", "1 failed: 20240215093000_add_lessons (Database error code: 42P07); "
                  "1 pending migration: 20240301120000_add_progress")


def test_edited_migration_is_a_checksum_mismatch(project: tuple[Path, str], tmp_path: Path) -> None:
    folder, url = project
    for name in MIGRATIONS:
        apply(url, folder, name)
    (folder / "20240101000000_init" / "migration.sql").write_text(
        'CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "email" TEXT);\n')
    assert check(tmp_path, url) == (
        "failed", "1 modified after being applied (checksum mismatch): 20240101000000_init")


def test_crlf_checkout_is_not_a_modification(project: tuple[Path, str], tmp_path: Path) -> None:
    folder, url = project
    for name in MIGRATIONS:
        apply(url, folder, name)
    path = folder / "20240101000000_init" / "migration.sql"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert check(tmp_path, url)[0] == "passed"


def test_rolled_back_counts_as_pending_and_unknown_rows_are_reported(
    project: tuple[Path, str], tmp_path: Path
) -> None:
    folder, url = project
    for name in MIGRATIONS:
        apply(url, folder, name)
    execute(url, "UPDATE _prisma_migrations SET rolled_back_at = now() "
                 "WHERE migration_name = '20240301120000_add_progress'")
    execute(url, "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name) "
                 "VALUES ('x', 'abc', now(), '20231231000000_hotfix')")
    assert check(tmp_path, url) == (
        "failed", "1 pending migration: 20240301120000_add_progress; 1 applied to the database "
                  "but not in the folder: 20231231000000_hotfix")


def test_prisma_schema_parameter_in_the_url(project: tuple[Path, str], tmp_path: Path) -> None:
    folder, url = project
    execute(url, "CREATE SCHEMA app")
    execute(url, PRISMA_TABLE.replace('"_prisma_migrations"', 'app."_prisma_migrations"'))
    outcome, summary = check(tmp_path, url + "?schema=app")
    assert (outcome, summary) == ("failed", "3 pending migrations: 20240101000000_init, "
                                  "20240215093000_add_lessons, 20240301120000_add_progress")


def test_fresh_database_without_the_table(tmp_path: Path) -> None:
    folder = tmp_path / "prisma/migrations/20240101000000_init"
    folder.mkdir(parents=True)
    (folder / "migration.sql").write_text("SELECT 1;\n")
    with fresh_database() as url:
        result, _ = run_check("migrations", {"tool": "prisma", "database_url": url}, tmp_path)
    assert (result.outcome, result.summary) == ("failed", "1 pending migration: 20240101000000_init")
    assert result.evidence["notes"] == ["table _prisma_migrations does not exist: nothing was ever applied"]


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with fresh_database() as url:
        result, _ = run_check("migrations", {"tool": "prisma", "database_url": url}, tmp_path)
    assert (result.outcome, result.summary) == (
        "errored", "migration folder prisma/migrations does not exist")
