"""`gonogo restore --from FILE --to URL`: shows what it replaces, asks (see
test_confirm.py), restores into a scratch database, verifies it, swaps it in by rename, and
records a run; whatever fails or interrupts it first leaves the target as it was."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from testing.checks import run_check
from testing.cli import gonogo, write
from testing.postgres import (
    databases,
    drop,
    execute,
    fresh_database,
    load_sample,
    server_url,
    url_for,
)

pytestmark = pytest.mark.postgres


def make_dump(tmp_path: Path, url: str) -> Path:
    result, _ = run_check("postgres.backup", {"database_url": url, "path": "b/backup_{timestamp}.dump"},
                          tmp_path, env=dict(os.environ))
    assert result.outcome == "passed", result.summary
    return Path(result.evidence["path"])


@contextmanager
def target_database() -> Iterator[tuple[str, str]]:
    """(URL, name) of a fresh target holding 3 users and 1 note; afterwards it is dropped with
    every database named after it (``_restore_``/``_before_`` copies)."""
    with fresh_database("gonogo_target") as url:
        name = url.rsplit("/", 1)[1]
        execute(url, "CREATE TABLE users (id int); INSERT INTO users VALUES (1), (2), (3);"
                     "CREATE TABLE notes (t text); INSERT INTO notes VALUES ('x')")
        try:
            yield url, name
        finally:
            for leftover in databases(name + "_"):
                drop(leftover)


def counts(url: str) -> dict[str, int]:
    rows = execute(url, "SELECT schemaname || '.' || relname FROM pg_stat_user_tables ORDER BY 1")
    return {str(t): int(execute(url, f"SELECT count(*) FROM {t}")[0][0]) for (t,) in rows}


BEFORE = {"public.notes": 1, "public.users": 3}


def copies(name: str) -> tuple[list[str], list[str]]:
    """(scratch databases, kept previous databases) of ``name``."""
    return databases(name + "_restore_"), databases(name + "_before_")


def test_restore_swaps_in_and_keeps_the_previous_database_until_the_next(tmp_path: Path) -> None:
    with fresh_database() as source, target_database() as (target, name):
        load_sample(source)
        dump = make_dump(tmp_path, source)
        done = gonogo("restore", "--from", str(dump), "--to", target, "--yes", cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        scratch, before = copies(name)
        assert scratch == [] and len(before) == 1
        lines = done.stdout.splitlines()
        assert lines[1] == (f"target  {target}: 2 tables, 4 rows will be replaced by the backup's "
                            f"(the current database is kept as {before[0]} until the next "
                            "successful restore)")
        assert lines[2].split() == ["public.notes", "1", "row", "(not", "in", "the", "backup)"]
        assert lines[3].split() == ["public.users", "3", "rows"]
        assert (f"restored 2 tables, 1,002 rows into {name}; tables, row counts match the "
                f"manifest; the previous database is kept as {before[0]}") in done.stdout
        assert counts(target) == {"billing.invoices": 2, "public.users": 1000}
        assert counts(url_for(before[0])) == BEFORE
        runs = json.loads(gonogo("runs", "--format", "json", cwd=tmp_path).stdout)
        assert [(r["verdict"], r["exit_code"]) for r in runs] == [("GO", 0)]

        # the next successful restore drops that copy and keeps the one it replaced
        again = gonogo("restore", "--from", str(dump), "--to", target, "--yes", cwd=tmp_path)
        assert again.returncode == 0, again.stdout + again.stderr
        scratch, latest = copies(name)
        assert scratch == [] and len(latest) == 1 and latest != before
        assert f"; dropped {before[0]}" in again.stdout
        assert counts(url_for(latest[0])) == {"billing.invoices": 2, "public.users": 1000}


def test_drop_old_drops_the_replaced_database(tmp_path: Path) -> None:
    with fresh_database() as source, target_database() as (target, name):
        load_sample(source)
        dump = make_dump(tmp_path, source)
        done = gonogo("restore", "--from", str(dump), "--to", target, "--yes", "--drop-old",
                      cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert copies(name) == ([], [])
        assert ("will be replaced by the backup's (the current database is dropped once the "
                "restore is in place (--drop-old))") in done.stdout
        assert "; the previous database was dropped (--drop-old)" in done.stdout
        assert counts(target) == {"billing.invoices": 2, "public.users": 1000}


def rewrite_manifest(dump: Path, change: Callable[[dict[str, Any]], None] | None = None) -> None:
    """Make the manifest describe the file as it is now (a dump that was bad from the start)."""
    import hashlib

    path = dump.with_name(dump.name + ".manifest.json")
    data = json.loads(path.read_text())
    data.update(sha256=hashlib.sha256(dump.read_bytes()).hexdigest(), size_bytes=dump.stat().st_size)
    if change:
        change(data)
    path.write_text(json.dumps(data))


UNCHANGED = (r"; the target database {name} is unchanged \(the scratch database "
             r"{name}_restore_\d{{8}}_\d{{6}}_[0-9a-f]{{4}} was dropped\)")


def test_pg_restore_failing_partway_leaves_the_target_as_it_was(tmp_path: Path) -> None:
    with fresh_database() as source, target_database() as (target, name):
        load_sample(source)
        dump = make_dump(tmp_path, source)
        with dump.open("r+b") as handle:  # the last table's data is cut off
            handle.truncate(dump.stat().st_size - 200)
        rewrite_manifest(dump)
        done = gonogo("restore", "--from", str(dump), "--to", target, "--yes", cwd=tmp_path)
        assert done.returncode == 1, done.stdout + done.stderr
        assert re.fullmatch(r"gonogo: restore failed: pg_restore failed \(exit 1\): .+"
                            + UNCHANGED.format(name=name) + "\n", done.stderr), done.stderr
        assert counts(target) == BEFORE
        assert copies(name) == ([], [])


def test_a_copy_that_differs_from_the_manifest_is_never_swapped_in(tmp_path: Path) -> None:
    with fresh_database() as source, target_database() as (target, name):
        load_sample(source)
        dump = make_dump(tmp_path, source)
        rewrite_manifest(dump, lambda m: m["tables"].update({"public.users": 999}))
        done = gonogo("restore", "--from", str(dump), "--to", target, "--yes", cwd=tmp_path)
        assert done.returncode == 1, done.stdout + done.stderr
        assert re.fullmatch(
            r"gonogo: restore failed: the restored copy differs from the backup's manifest: row "
            r"counts differ: public.users 999 in the backup, 1,000 restored"
            + UNCHANGED.format(name=name) + "\n", done.stderr), done.stderr
        assert counts(target) == BEFORE
        assert copies(name) == ([], [])


def slow_pg_restore(tmp_path: Path) -> dict[str, str]:
    """PATH with a pg_restore that records its pid and waits 60 s before the real one."""
    real = shutil.which("pg_restore")
    assert real is not None
    shim = write(tmp_path / "slow" / "pg_restore",
                 f'#!/bin/sh\n[ "$1" = --version ] && exec {real} --version\n'
                 f'echo $$ > {tmp_path}/pg_restore.pid\nsleep 60\nexec {real} "$@"\n')
    shim.chmod(0o755)
    return {"PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}"}


def start_restore(tmp_path: Path, dump: Path, target: str, name: str,
                  leftovers: int = 0) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
    env.update(slow_pg_restore(tmp_path), NO_COLOR="1")
    proc = subprocess.Popen([sys.executable, "-m", "gonogo", "restore", "--from", str(dump),
                             "--to", target, "--yes"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not (tmp_path / "pg_restore.pid").exists():
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    assert len(copies(name)[0]) == 1 + leftovers
    return proc


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_ctrl_c_during_the_restore_drops_the_scratch_database(
        tmp_path: Path, sig: signal.Signals) -> None:
    with fresh_database() as source, target_database() as (target, name):
        load_sample(source)
        dump = make_dump(tmp_path, source)
        proc = start_restore(tmp_path, dump, target, name)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, out + err
        assert re.fullmatch("gonogo: restore interrupted" + UNCHANGED.format(name=name)
                            + "\ngonogo: interrupted\n", err), err
        assert counts(target) == BEFORE
        assert copies(name) == ([], [])
        runs = json.loads(gonogo("runs", "--format", "json", cwd=tmp_path).stdout)
        assert [r["exit_code"] for r in runs] == [130]


def test_sigkill_leaves_the_target_and_cleanup_drops_the_scratch(tmp_path: Path) -> None:
    with fresh_database() as source, target_database() as (target, name):
        load_sample(source)
        dump = make_dump(tmp_path, source)
        proc = start_restore(tmp_path, dump, target, name)
        proc.kill()
        proc.communicate(timeout=30)
        os.kill(int((tmp_path / "pg_restore.pid").read_text()), signal.SIGKILL)
        assert counts(target) == BEFORE
        (scratch,), _ = copies(name)
        # a database merely named like a scratch copy is never gonogo's to drop
        execute(server_url(), f'CREATE DATABASE "{name}_restore_mine"')
        done = gonogo("restore", "--cleanup", "--to", target, cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        run = scratch.split("_restore_")[1].replace("_", "-")
        assert done.stdout == f"dropped {scratch} (left by the killed restore run {run})\n"
        assert copies(name) == ([f"{name}_restore_mine"], [])
        assert counts(target) == BEFORE

        # killed again: the next restore drops what the killed one left, then restores
        (tmp_path / "pg_restore.pid").unlink()
        proc = start_restore(tmp_path, dump, target, name, leftovers=1)
        proc.kill()
        proc.communicate(timeout=30)
        os.kill(int((tmp_path / "pg_restore.pid").read_text()), signal.SIGKILL)
        scratch = next(n for n in copies(name)[0] if n != f"{name}_restore_mine")
        done = gonogo("restore", "--from", str(dump), "--to", target, "--yes", cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert copies(name)[0] == [f"{name}_restore_mine"]
        assert counts(target) == {"billing.invoices": 2, "public.users": 1000}
        shown = gonogo("show", "last", cwd=tmp_path).stdout
        run = scratch.split("_restore_")[1].replace("_", "-")
        assert f'dropped_leftovers: ["{scratch} (left by the killed restore run {run})"]' in shown, shown


def test_sessions_on_the_target_are_named_and_only_terminated_when_asked(tmp_path: Path) -> None:
    import psycopg

    with fresh_database() as source, target_database() as (target, name):
        load_sample(source)
        dump = make_dump(tmp_path, source)
        with psycopg.connect(target + "?application_name=web") as web:
            pid = web.info.backend_pid
            refused = gonogo("restore", "--from", str(dump), "--to", target, "--yes", cwd=tmp_path)
            assert (refused.returncode, refused.stderr) == (2, (
                f"gonogo: error: the target database {name} is in use by 1 session: pid {pid} "
                "(web, user postgres); stop them, or pass --force-disconnect to terminate them "
                "at the swap; nothing was changed\n"))
            done = gonogo("restore", "--from", str(dump), "--to", target, "--yes",
                          "--force-disconnect", cwd=tmp_path)
            assert done.returncode == 0, done.stdout + done.stderr
            assert "; terminated 1 session (--force-disconnect)" in done.stdout
        assert counts(target) == {"billing.invoices": 2, "public.users": 1000}


def test_no_manifest_needs_yes_and_is_recorded_as_a_warning(tmp_path: Path) -> None:
    with fresh_database() as source, target_database() as (target, name):
        load_sample(source)
        dump = make_dump(tmp_path, source)
        dump.with_name(dump.name + ".manifest.json").unlink()
        plain = gonogo("restore", "--from", str(dump), "--to", target, "--yes", cwd=tmp_path)
        assert (plain.returncode, plain.stderr) == (2, (
            f"gonogo: error: no manifest beside {dump.name} (expected {dump.name}.manifest.json): "
            "the dump cannot be verified; pass --no-manifest --yes to restore it unverified\n"))
        asked = gonogo("restore", "--from", str(dump), "--to", target, "--no-manifest",
                       cwd=tmp_path)
        assert (asked.returncode, asked.stderr) == (2, (
            f"gonogo: error: --no-manifest restores {dump.name} without verifying it; it needs "
            "--yes as well (nothing was changed)\n"))
        assert counts(target) == BEFORE
        done = gonogo("restore", "--from", str(dump), "--to", target, "--no-manifest", "--yes",
                      cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stderr.startswith(f"gonogo: WARNING: {dump.name} has no manifest: it is "
                                      "restored WITHOUT verification")
        assert "; NOT verified (no manifest)" in done.stdout
        assert counts(target) == {"billing.invoices": 2, "public.users": 1000}
        shown = gonogo("show", "last", cwd=tmp_path).stdout
        assert f"⚠ backup-file: {dump.name} has no manifest — warned" in shown, shown
        assert (f"    {dump.name} has no manifest: restored WITHOUT verification (--no-manifest "
                "--yes): its tables, row counts and checksums were not compared with what was "
                "backed up\n") in shown, shown
        assert "GO: 1 passed, 1 warned" in shown


def test_a_closed_stdout_does_not_abort_the_restore(tmp_path: Path) -> None:
    with fresh_database() as source, target_database() as (target, name):
        load_sample(source)
        dump = make_dump(tmp_path, source)
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
        piped = subprocess.run(
            ["bash", "-c", f'"{sys.executable}" -m gonogo restore --from "{dump}" --to "{target}" '
                           '--yes | head -1; echo "exit ${PIPESTATUS[0]}" >&2'],
            cwd=tmp_path, env=env, text=True, capture_output=True, timeout=120)
        assert piped.stdout.startswith(f"backup  {dump.name}: ")
        assert piped.stderr == ("gonogo: standard output was closed early; the command carries "
                                "on without printing\nexit 0\n")
        assert counts(target) == {"billing.invoices": 2, "public.users": 1000}
        assert len(copies(name)[1]) == 1


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
    (tmp_path / "x.dump.manifest.json").write_text("{}")
    done = gonogo("restore", "--from", "x.dump", "--to", "postgresql://x@127.0.0.1:1/db", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "gonogo: error: cannot connect to postgresql://x@127.0.0.1:1/db: Connection refused "
        "(is the server running and accepting TCP/IP connections?)")
    assert databases("gonogo_verify_") == []


ATTRIBUTES = """
SELECT pg_get_userbyid(d.datdba), d.datconnlimit,
       (SELECT array_agg(g ORDER BY g) FROM (
          SELECT coalesce(pg_get_userbyid(nullif(a.grantee, 0)), 'PUBLIC') || ':'
                 || a.privilege_type || ':' || a.is_grantable AS g
          FROM aclexplode(d.datacl) a) grants),
       (SELECT array_agg(c ORDER BY c) FROM (
          SELECT coalesce(pg_get_userbyid(nullif(s.setrole, 0)), '*') || ' '
                 || array_to_string(s.setconfig, ' | ') AS c
          FROM pg_db_role_setting s WHERE s.setdatabase = d.oid) settings)
FROM pg_database d WHERE d.datname = %s
"""


def test_the_restored_database_keeps_the_owner_grants_and_settings_of_the_one_it_replaces(
        tmp_path: Path) -> None:
    tag = os.urandom(3).hex()
    owner, reader = f"gonogo_owner_{tag}", f"gonogo_reader_{tag}"
    execute(server_url(), f"CREATE ROLE {owner}; CREATE ROLE {reader}")
    try:
        with fresh_database() as source, target_database() as (target, name):
            load_sample(source)
            dump = make_dump(tmp_path, source)
            execute(server_url(), f"""
                ALTER DATABASE {name} OWNER TO {owner};
                ALTER DATABASE {name} CONNECTION LIMIT 40;
                REVOKE ALL ON DATABASE {name} FROM PUBLIC;
                GRANT CONNECT ON DATABASE {name} TO {reader};
                GRANT TEMPORARY ON DATABASE {name} TO {reader} WITH GRANT OPTION;
                ALTER DATABASE {name} SET search_path = '$user', 'my app', public;
                ALTER DATABASE {name} SET statement_timeout = '5s';
                ALTER ROLE {reader} IN DATABASE {name} SET work_mem = '8MB'""")
            expected = execute(server_url(), ATTRIBUTES, (name,))[0]
            assert expected[0] == owner and expected[1] == 40
            assert f"{reader}:CONNECT:false" in expected[2] and not any(
                g.startswith("PUBLIC:") for g in expected[2])
            assert expected[3] == [
                '* search_path="$user", "my app", public | statement_timeout=5s',
                f"{reader} work_mem=8MB"]
            done = gonogo("restore", "--from", str(dump), "--to", target, "--yes", cwd=tmp_path)
            assert done.returncode == 0, done.stdout + done.stderr
            assert "NOT carried over" not in done.stdout
            assert counts(target) == {"billing.invoices": 2, "public.users": 1000}
            assert execute(server_url(), ATTRIBUTES, (name,)) == [expected]
            # the settings take effect in the restored database, the list one element by element
            assert execute(target, "SHOW search_path") == [('"$user", "my app", public',)]
            assert execute(target, "SHOW statement_timeout") == [("5s",)]
    finally:
        execute(server_url(), f"DROP ROLE IF EXISTS {reader}; DROP ROLE IF EXISTS {owner}")
