"""`gonogo restore --from FILE --to URL`: shows what it replaces, asks (see
test_confirm.py), restores, and records a run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from testing.checks import run_check
from testing.cli import gonogo, write
from testing.postgres import databases, drop, execute, fresh_database, load_sample, url_for

pytestmark = pytest.mark.postgres


def make_dump(tmp_path: Path, url: str) -> Path:
    result, _ = run_check("postgres.backup", {"database_url": url, "path": "b/backup_{timestamp}.dump"},
                          tmp_path, env=dict(os.environ))
    assert result.outcome == "passed", result.summary
    return Path(result.evidence["path"])


def test_restore_into_an_existing_database_shows_what_it_replaces(tmp_path: Path) -> None:
    with fresh_database() as source, fresh_database("gonogo_target") as target:
        load_sample(source)
        dump = make_dump(tmp_path, source)
        execute(target, "CREATE TABLE users (id int); INSERT INTO users VALUES (1), (2), (3);"
                        "CREATE TABLE notes (t text); INSERT INTO notes VALUES ('x')")
        done = gonogo("restore", "--from", str(dump), "--to", target, "--yes", cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        lines = done.stdout.splitlines()
        assert lines[1] == f"target  {target}: 2 tables, 4 rows will be replaced by the backup's"
        assert lines[2].split() == ["public.notes", "1", "row", "(not", "in", "the", "backup:", "left",
                                    "as", "is)"]
        assert lines[3].split() == ["public.users", "3", "rows"]
        assert "restored 2 tables, 1,002 rows into gonogo_target_" in done.stdout
        assert execute(target, "SELECT count(*) FROM users") == [(1000,)]
        assert execute(target, "SELECT count(*) FROM notes") == [(1,)]
        runs = json.loads(gonogo("runs", "--format", "json", cwd=tmp_path).stdout)
        assert [(r["verdict"], r["exit_code"]) for r in runs] == [("GO", 0)]


def test_restore_creates_a_missing_database(tmp_path: Path) -> None:
    with fresh_database() as source:
        load_sample(source)
        dump = make_dump(tmp_path, source)
        name = "gonogo_newdb_" + os.urandom(3).hex()
        try:
            done = gonogo("restore", "--from", str(dump), "--to", url_for(name), "--yes",
                          cwd=tmp_path)
            assert done.returncode == 0, done.stdout + done.stderr
            assert done.stdout.splitlines()[1] == (
                f"target  {url_for(name)}: database {name} does not exist; it will be created")
            assert execute(url_for(name), "SELECT count(*) FROM billing.invoices") == [(2,)]
        finally:
            drop(name)


def test_protected_environment_needs_yes(tmp_path: Path) -> None:
    with fresh_database() as source, fresh_database("gonogo_prod") as prod:
        load_sample(source)
        dump = make_dump(tmp_path, source)
        execute(prod, "CREATE TABLE users (id int); INSERT INTO users VALUES (7)")
        write(tmp_path / ".env.production", f"DATABASE_URL={prod}\n")
        write(tmp_path / "gonogo.yml", "version: 1\nenvironments:\n  production:\n"
                                       "    env_files: [.env.production]\n    protected: true\n"
                                       "  staging: {}\nphases: []\n")
        as_localhost = prod.replace("127.0.0.1", "localhost")
        refused = gonogo("restore", "--from", str(dump), "--to", as_localhost, cwd=tmp_path)
        assert refused.returncode == 2
        assert "public.users" in refused.stdout
        name, port = prod.rsplit("/", 1)[1], prod.rsplit(":", 1)[1].split("/")[0]
        assert refused.stderr.strip() == (
            f"gonogo: error: restore replaces the database {name} on localhost:{port} "
            "(protected environment production) and there is no terminal to confirm at; "
            "nothing was changed (pass --yes to replace it)")
        assert execute(prod, "SELECT count(*) FROM users") == [(1,)]
        done = gonogo("restore", "--from", str(dump), "--to", prod, "--yes", cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert execute(prod, "SELECT count(*) FROM users") == [(1000,)]


def test_bad_arguments(tmp_path: Path) -> None:
    done = gonogo("restore", "--from", "nope.dump", "--to", "postgresql://x@127.0.0.1:1/db", cwd=tmp_path)
    assert (done.returncode, done.stderr.strip()) == (2, "gonogo: error: --from nope.dump: no such file")
    (tmp_path / "x.dump").write_bytes(b"x")
    done = gonogo("restore", "--from", "x.dump", "--to", "postgresql://x@127.0.0.1:1/db", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "gonogo: error: cannot connect to postgresql://x@127.0.0.1:1/db: Connection refused "
        "(is the server running and accepting TCP/IP connections?)")
    assert databases("gonogo_verify_") == []
