"""Destructive commands confirm: `restore`, `rollback` of a protected environment and
`lock release --force` ask at a terminal (a real pseudo-terminal here: "y" proceeds,
anything else changes nothing), go ahead with `--yes`, and without a terminal refuse with
exit 2 having changed nothing."""

from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path

import pytest

from gonogo.commands._restore_target import database_key, same_database
from gonogo.journal.releases import ReleaseStore
from gonogo.journal.store import open_store
from testing.checks import run_check
from testing.cli import gonogo, write
from testing.postgres import execute, fresh_database, load_sample
from testing.tty import gonogo_tty

# ---- restore ---------------------------------------------------------------------------

RUN = r"\d{8}_\d{6}_[0-9a-f]{4}"


def _dump(tmp_path: Path, url: str) -> Path:
    result, _ = run_check("postgres.backup", {"database_url": url, "path": "b/backup_{timestamp}.dump"},
                          tmp_path, env=dict(os.environ))
    assert result.outcome == "passed", result.summary
    return Path(result.evidence["path"])


def _recording_pg_restore(tmp_path: Path) -> dict[str, str]:
    """PATH with a `pg_restore` in front that logs its arguments, then runs the real one."""
    real = shutil.which("pg_restore")
    assert real is not None
    shim = write(tmp_path / "shim" / "pg_restore",
                 f'#!/bin/sh\necho "$*" >> {tmp_path}/pg_restore.calls\nexec {real} "$@"\n')
    shim.chmod(0o755)
    return {"PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}"}


def _restores(tmp_path: Path) -> list[str]:
    calls = tmp_path / "pg_restore.calls"
    lines = calls.read_text().splitlines() if calls.exists() else []
    return [line for line in lines if "--exit-on-error" in line]


def _conninfo(url: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    return make_conninfo(**{k: str(v) for k, v in conninfo_to_dict(url).items()})


@pytest.mark.postgres
def test_restore_asks_and_names_the_protected_database_however_it_is_spelled(
        tmp_path: Path) -> None:
    with fresh_database() as source, fresh_database("gonogo_prod") as prod:
        load_sample(source)
        dump = _dump(tmp_path, source)
        execute(prod, "CREATE TABLE users (id int); INSERT INTO users VALUES (7)")
        name = prod.rsplit("/", 1)[1]
        port = prod.rsplit(":", 1)[1].split("/")[0]
        # production's database as a libpq key=value string; --to as a URL, via localhost
        write(tmp_path / ".env.production", f"DATABASE_URL='{_conninfo(prod)}'\n")
        write(tmp_path / "gonogo.yml", "version: 1\nenvironments:\n  production:\n"
                                       "    env_files: [.env.production]\n    protected: true\n"
                                       "  staging: {}\nphases: []\n")
        target = prod.replace("127.0.0.1", "localhost") + "?application_name=ops"
        env = _recording_pg_restore(tmp_path)
        args = ("restore", "--from", str(dump), "--to", target, "--env", "staging")
        question = (rf"The database {name} on localhost:{port} \(protected environment "
                    rf"production\) will be replaced by the backup \(restored into {name}_restore_"
                    rf"{RUN} and checked against its manifest, then swapped in by rename; the "
                    rf"current database is kept as {name}_before_{RUN} until the next successful "
                    rf"restore\)\. Restore {dump.name} into it\? \[y/N\] ")

        refused = gonogo(*args, cwd=tmp_path, env=env)
        assert (refused.returncode, refused.stderr) == (2, (
            f"gonogo: error: restore replaces the database {name} on localhost:{port} "
            "(protected environment production) and there is no terminal to confirm at; "
            "nothing was changed (pass --yes to replace it)\n"))
        assert "public.users" in refused.stdout

        for answer in ("n", "", "yess", "no"):
            declined = gonogo_tty(*args, cwd=tmp_path, env=env, answer=answer)
            assert re.fullmatch(question, declined.prompt), declined.prompt
            assert declined.returncode == 2
            assert declined.output.endswith("gonogo: error: not confirmed; nothing changed\n")
        assert _restores(tmp_path) == []
        assert execute(prod, "SELECT count(*) FROM users") == [(1,)]
        assert not (tmp_path / ".gonogo").exists()  # not even a run was recorded

        done = gonogo_tty(*args, cwd=tmp_path, env=env, answer="y")
        assert done.returncode == 0, done.output
        assert "restored 2 tables, 1,002 rows into gonogo_prod_" in done.output
        assert len(_restores(tmp_path)) == 1
        assert execute(prod, "SELECT count(*) FROM users") == [(1000,)]


@pytest.mark.postgres
def test_restore_into_any_database_needs_a_yes(tmp_path: Path) -> None:
    with fresh_database() as source, fresh_database("gonogo_scratch") as scratch:
        load_sample(source)
        dump = _dump(tmp_path, source)
        execute(scratch, "CREATE TABLE notes (t text); INSERT INTO notes VALUES ('keep')")
        name = scratch.rsplit("/", 1)[1]
        port = scratch.rsplit(":", 1)[1].split("/")[0]
        env = _recording_pg_restore(tmp_path)
        refused = gonogo("restore", "--from", str(dump), "--to", scratch, cwd=tmp_path, env=env)
        assert (refused.returncode, refused.stderr) == (2, (
            f"gonogo: error: restore replaces the database {name} on 127.0.0.1:{port} and there "
            "is no terminal to confirm at; nothing was changed (pass --yes to replace it)\n"))
        assert (_restores(tmp_path), execute(scratch, "SELECT t FROM notes")) == ([], [("keep",)])

        asked = gonogo_tty("restore", "--from", str(dump), "--to", scratch, cwd=tmp_path,
                           env=env, answer="yes")
        assert re.fullmatch(
            rf"The database {name} on 127\.0\.0\.1:{port} will be replaced by the backup "
            rf"\(restored into {name}_restore_{RUN} and checked against its manifest, then "
            rf"swapped in by rename; the current database is kept as {name}_before_{RUN} until "
            rf"the next successful restore\)\. Restore {dump.name} into it\? \[y/N\] ",
            asked.prompt), asked.prompt
        assert asked.returncode == 0, asked.output
        assert execute(scratch, "SELECT count(*) FROM users") == [(1000,)]

        again = gonogo("restore", "--from", str(dump), "--to", scratch, "--yes", cwd=tmp_path,
                       env=env)
        assert again.returncode == 0, again.stdout + again.stderr
        assert len(_restores(tmp_path)) == 2


@pytest.mark.parametrize(("a", "b"), [
    ("postgresql://app:pw@127.0.0.1:5432/app", "postgresql://app@localhost/app"),
    ("postgresql://app@127.0.0.1:5432/app", "postgres://ops:other@LOCALHOST/app?sslmode=disable"),
    ("postgresql://app@127.0.0.1/app", "postgresql://app@127.0.0.2:5432/app"),
    ("postgresql://app@[::1]/app", "host=localhost port=5432 dbname=app user=x password=y"),
    ("postgresql:///app?host=/var/run/postgresql", "postgresql://u@127.0.0.1/app"),
    ("postgresql://app@127.0.0.1/", "postgresql://app@127.0.0.1/app?schema=public"),
    ("postgresql://app@127.0.0.1/%61pp", "postgresql://x@127.0.0.1/app"),
    (f"postgresql://app@{socket.gethostname()}/app", "postgresql://app@127.0.0.1/app"),
])
def test_one_database_under_different_spellings(a: str, b: str) -> None:
    env = {"PGUSER": "nobody"}
    assert same_database(database_key(a, env), database_key(b, env))


@pytest.mark.parametrize(("a", "b"), [
    ("postgresql://app@127.0.0.1:5432/app", "postgresql://app@127.0.0.1:5433/app"),
    ("postgresql://app@127.0.0.1/app", "postgresql://app@127.0.0.1/app_test"),
    ("postgresql://app@127.0.0.1/app", "postgresql://app@192.0.2.10/app"),
    ("postgresql://app@127.0.0.1/", "postgresql://other@127.0.0.1/"),  # dbname = user
])
def test_different_databases(a: str, b: str) -> None:
    assert not same_database(database_key(a, {}), database_key(b, {}))


def test_libpq_defaults_fill_what_a_url_leaves_out() -> None:
    key = database_key("postgresql:///", {"PGHOST": "db.internal", "PGPORT": "6432",
                                          "PGUSER": "app"})
    assert (key.host, key.port, key.dbname) == ("db.internal", "6432", "app")
    assert key.describe() == "database app on db.internal:6432"


# ---- rollback of a protected environment -----------------------------------------------

SHELL_CONFIG = """\
version: 1
environments:
  production: {protected: true}
  staging: {}
services:
  - name: web
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live; echo "deploy $GONOGO_VERSION" >> calls'
    current: 'cat live 2>/dev/null || true'
"""


@pytest.fixture
def released(tmp_path: Path) -> Path:
    """v1 then v2 deployed (and verified) to protected production, v1 then v2 to staging."""
    write(tmp_path / "gonogo.yml", SHELL_CONFIG)
    for env in ("staging", "production"):
        for version in ("v1", "v2"):
            done = gonogo("deploy", "--env", env, "--version", version, "--yes", cwd=tmp_path)
            assert done.returncode == 0, done.stdout + done.stderr
    (tmp_path / "calls").unlink()
    return tmp_path


def test_rollback_of_a_protected_environment_asks(released: Path) -> None:
    for to in (("--to", "v1"), ()):  # named or the last verified: both redeploy production
        args = ("rollback", "--env", "production", *to)
        refused = gonogo(*args, cwd=released)
        assert (refused.returncode, refused.stderr) == (
            2, "gonogo: error: environment production is protected: pass --yes to roll back "
               "to v1\n")
        declined = gonogo_tty(*args, cwd=released, answer="n")
        assert declined.prompt == ("Roll back protected environment production from v2 to v1? "
                                   "Its services are redeployed at v1. [y/N] ")
        assert declined.output.startswith("Rolling back production to v1")
        assert declined.returncode == 2
        assert declined.output.endswith("gonogo: error: not confirmed; nothing changed\n")
        assert not (released / "calls").exists()
        assert (released / "live").read_text() == "v2\n"

    done = gonogo_tty("rollback", "--env", "production", "--to", "v1", cwd=released, answer="y")
    assert done.returncode == 0, done.output
    assert (released / "calls").read_text() == "deploy v1\n"
    assert (released / "live").read_text() == "v1\n"


def test_rollback_of_an_unprotected_environment_does_not_ask(released: Path) -> None:
    done = gonogo_tty("rollback", "--env", "staging", "--to", "v1", cwd=released, answer=None)
    assert done.returncode == 0, done.output
    assert "[y/N]" not in done.output
    assert (released / "calls").read_text() == "deploy v1\n"


# ---- lock release --force --------------------------------------------------------------


def _hold_lock(root: Path) -> ReleaseStore:
    """production's deploy lock, held by this (alive) test process."""
    store = open_store(str(root / ".gonogo"))
    releases = ReleaseStore(store.engine)
    releases.acquire("production", "20260101T000000Z-held", "v9")
    store.close()
    return ReleaseStore(open_store(str(root / ".gonogo")).engine)


def test_forcing_the_release_of_a_live_lock_asks(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", SHELL_CONFIG)
    releases = _hold_lock(tmp_path)
    user, host, pid = releases.locks()[0].user, socket.gethostname(), os.getpid()
    held = f"held by {user} on {host} (pid {pid}) deploying v9 for "
    args = ("lock", "release", "--env", "production", "--force")

    refused = gonogo(*args, cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"gonogo: error: the deploy lock of production is {held}")
    assert refused.stderr.endswith(
        ", run 20260101T000000Z-held, and its holder is alive; there is no terminal to "
        "confirm at: nothing was changed (pass --force --yes to release it anyway)\n")
    declined = gonogo_tty(*args, cwd=tmp_path, answer="n")
    assert declined.prompt is not None
    assert declined.prompt.startswith(f"The deploy lock of production is {held}")
    assert declined.prompt.endswith(", and its holder is alive: a deploy it runs would go on "
                                    "unguarded. Release it? [y/N] ")
    assert declined.returncode == 2
    assert declined.output.endswith("gonogo: error: not confirmed; nothing changed\n")
    assert releases.lock("production") is not None

    done = gonogo_tty(*args, cwd=tmp_path, answer="y")
    assert done.returncode == 0, done.output
    assert (f"Release it? [y/N] released the deploy lock of production (forced); it was {held}"
            in done.output)
    assert releases.lock("production") is None

    _hold_lock(tmp_path)
    done2 = gonogo(*args, "--yes", cwd=tmp_path)
    assert done2.returncode == 0, done2.stderr
    assert releases.lock("production") is None
