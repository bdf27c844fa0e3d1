"""migrations for Alembic, Django and Flyway: their history tables vs their files."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from testing.checks import run_check
from testing.postgres import execute, fresh_database

pytestmark = pytest.mark.postgres


def check(tmp_path: Path, url: str, tool: str, folder: str) -> tuple[str, str]:
    result, _ = run_check("migrations", {"tool": tool, "database_url": url, "dir": folder}, tmp_path)
    return str(result.outcome), result.summary


# ---- Alembic ---------------------------------------------------------------------------

ALEMBIC = {
    "1a2b3c_create_users.py": 'revision = "1a2b3c"\ndown_revision = None\n',
    "4d5e6f_add_email.py": 'revision: str = "4d5e6f"\ndown_revision: str | None = "1a2b3c"\n',
    "7a8b9c_add_orders.py": 'revision = "7a8b9c"\ndown_revision = "4d5e6f"\n',
}


def alembic_project(tmp_path: Path) -> None:
    versions = tmp_path / "alembic" / "versions"
    versions.mkdir(parents=True)
    for name, body in ALEMBIC.items():
        (versions / name).write_text('"""a migration"""\nimport sqlalchemy as sa\n' + body +
                                     "\n\ndef upgrade() -> None:\n    pass\n")


def test_alembic_at_head_passes_and_behind_fails(tmp_path: Path) -> None:
    alembic_project(tmp_path)
    with fresh_database() as url:
        execute(url, "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
        execute(url, "INSERT INTO alembic_version VALUES ('4d5e6f')")
        assert check(tmp_path, url, "alembic", "alembic") == (
            "failed", "1 pending migration: 7a8b9c_add_orders")
        execute(url, "UPDATE alembic_version SET version_num = '7a8b9c'")
        assert check(tmp_path, url, "alembic", "alembic") == (
            "passed", "all 3 alembic migrations applied (latest 7a8b9c_add_orders)")
        execute(url, "UPDATE alembic_version SET version_num = 'ffff00'")
        assert check(tmp_path, url, "alembic", "alembic") == (
            "failed", "3 pending migrations: 1a2b3c_create_users, 4d5e6f_add_email, "
                      "7a8b9c_add_orders; 1 applied to the database but not in the folder: ffff00")


# ---- Django ----------------------------------------------------------------------------


def django_project(tmp_path: Path) -> None:
    for app, names in {"accounts": ["0001_initial", "0002_profile"],
                       "lessons": ["0001_initial"]}.items():
        folder = tmp_path / app / "migrations"
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text("")
        for name in names:
            (folder / f"{name}.py").write_text("from django.db import migrations\n\n"
                                               "class Migration(migrations.Migration):\n"
                                               "    dependencies = []\n")


def test_django_pending_and_contrib_apps_ignored(tmp_path: Path) -> None:
    django_project(tmp_path)
    with fresh_database() as url:
        execute(url, "CREATE TABLE django_migrations (id serial PRIMARY KEY, app varchar(255), "
                     "name varchar(255), applied timestamptz DEFAULT now())")
        execute(url, "INSERT INTO django_migrations (app, name) VALUES ('contenttypes', '0001_initial'), "
                     "('accounts', '0001_initial'), ('lessons', '0001_initial')")
        assert check(tmp_path, url, "django", ".") == (
            "failed", "1 pending migration: accounts.0002_profile")
        execute(url, "INSERT INTO django_migrations (app, name) VALUES ('accounts', '0002_profile')")
        assert check(tmp_path, url, "django", ".") == (
            "passed", "all 3 django migrations applied (latest lessons.0001_initial)")


def test_django_squashed_migration_counts_when_its_parts_are_applied(tmp_path: Path) -> None:
    django_project(tmp_path)
    (tmp_path / "accounts/migrations/0001_squashed_0002_profile.py").write_text(
        "class Migration:\n    replaces = [('accounts', '0001_initial'), ('accounts', '0002_profile')]\n")
    with fresh_database() as url:
        execute(url, "CREATE TABLE django_migrations (id serial PRIMARY KEY, app varchar(255), "
                     "name varchar(255), applied timestamptz DEFAULT now())")
        execute(url, "INSERT INTO django_migrations (app, name) VALUES ('accounts', '0001_initial'), "
                     "('accounts', '0002_profile'), ('lessons', '0001_initial')")
        assert check(tmp_path, url, "django", ".")[0] == "passed"


# ---- Flyway ----------------------------------------------------------------------------

FLYWAY_TABLE = """
CREATE TABLE flyway_schema_history (
  installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL,
  type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int,
  installed_by varchar(100) NOT NULL DEFAULT 'flyway', installed_on timestamp NOT NULL DEFAULT now(),
  execution_time int NOT NULL DEFAULT 1, success boolean NOT NULL)
"""


def crc(text: str) -> int:
    value = 0
    for line in text.splitlines():
        value = zlib.crc32(line.encode(), value)
    return value - (1 << 32) if value >= 1 << 31 else value


def test_flyway_pending_failed_and_modified(tmp_path: Path) -> None:
    folder = tmp_path / "db" / "migration"
    folder.mkdir(parents=True)
    files = {"V1__create_users.sql": "CREATE TABLE users (id int);\n",
             "V1_1__add_email.sql": "ALTER TABLE users ADD email text;\n",
             "V2__orders.sql": "CREATE TABLE orders (id int);\n"}
    for name, body in files.items():
        (folder / name).write_text(body)
    with fresh_database() as url:
        execute(url, FLYWAY_TABLE)
        execute(url, "INSERT INTO flyway_schema_history (installed_rank, version, description, type, "
                     "script, checksum, success) VALUES "
                     "(1, '1', 'create users', 'SQL', 'V1__create_users.sql', %s, true),"
                     "(2, '1.1', 'add email', 'SQL', 'V1_1__add_email.sql', %s, true)",
                (crc(files["V1__create_users.sql"]), crc(files["V1_1__add_email.sql"])))
        assert check(tmp_path, url, "flyway", "db/migration") == (
            "failed", "1 pending migration: V2__orders.sql")
        execute(url, "INSERT INTO flyway_schema_history (installed_rank, version, description, type, "
                     "script, checksum, success) VALUES (3, '2', 'orders', 'SQL', 'V2__orders.sql', 0, false)")
        (folder / "V1__create_users.sql").write_text("CREATE TABLE users (id bigint);\n")
        assert check(tmp_path, url, "flyway", "db/migration") == (
            "failed", "1 failed: V2__orders.sql (failed (type SQL, version 2)); 1 modified after "
                      "being applied (checksum mismatch): V1__create_users.sql")
