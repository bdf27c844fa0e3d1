"""postgres.backup against a real PostgreSQL 15 server."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from testing.checks import run_check
from testing.postgres import fresh_database, load_sample, url_for

pytestmark = pytest.mark.postgres


def _backup(url: str, tmp_path: Path, **extra: object) -> tuple[object, Path]:
    result, _ = run_check("postgres.backup", {"database_url": url,
                                              "path": "backups/backup_{timestamp}.dump", **extra},
                          tmp_path, env=dict(os.environ))
    return result, tmp_path / "backups"


def test_backup_writes_a_dump_and_its_manifest(tmp_path: Path) -> None:
    with fresh_database() as url:
        load_sample(url)
        result, folder = _backup(url, tmp_path, checksum=["users"])
    assert result.outcome == "passed", result.summary  # type: ignore[attr-defined]
    dumps = sorted(folder.iterdir())
    assert [p.name for p in dumps if p.suffix == ".dump"] == [dumps[0].name]
    dump = dumps[0]
    assert re.fullmatch(r"backup_\d{8}_\d{6}\.dump", dump.name)
    assert [p.name for p in dumps] == [dump.name, dump.name + ".manifest.json"]
    manifest = json.loads((folder / (dump.name + ".manifest.json")).read_text())
    assert manifest["sha256"] == hashlib.sha256(dump.read_bytes()).hexdigest()
    assert manifest["size_bytes"] == dump.stat().st_size
    assert manifest["tables"] == {"billing.invoices": 2, "public.users": 1000}
    assert manifest["server_version"].startswith("PostgreSQL 15")
    assert set(manifest["checksums"]) == {"public.users"}
    assert dump.read_bytes()[:5] == b"PGDMP"
    summary = result.summary  # type: ignore[attr-defined]
    assert re.fullmatch(r"backups/backup_\d{8}_\d{6}\.dump: [\d.]+ KB, 2 tables, 1,002 rows, "
                        r"sha256 [0-9a-f]{12}…, [\d.]+s", summary), summary


def test_password_in_the_url_never_reaches_the_evidence(tmp_path: Path) -> None:
    with fresh_database() as url:
        secret_url = url.replace("postgres@", "postgres:hunter2secret@")  # trust auth accepts it
        result, folder = _backup(secret_url, tmp_path)
    assert result.outcome == "passed"  # type: ignore[attr-defined]
    assert result.evidence["source"].startswith("postgresql://postgres:***@")  # type: ignore[attr-defined]
    assert "hunter2secret" not in json.dumps(result.evidence)  # type: ignore[attr-defined]
    for path in folder.iterdir():
        assert "hunter2secret" not in path.read_bytes().decode("latin-1")


def test_unreachable_server_is_an_error_and_leaves_no_file(tmp_path: Path) -> None:
    result, folder = _backup("postgresql://postgres@127.0.0.1:1/app", tmp_path)
    assert result.outcome == "errored"  # type: ignore[attr-defined]
    assert result.summary == (  # type: ignore[attr-defined]
        "cannot connect to postgresql://postgres@127.0.0.1:1/app: Connection refused "
        "(is the server running and accepting TCP/IP connections?)")
    assert not list(folder.glob("*")) if folder.exists() else True


def test_unknown_database_and_unknown_role(tmp_path: Path) -> None:
    result, _ = _backup(url_for("no_such_db_gonogo"), tmp_path)
    assert result.outcome == "errored"  # type: ignore[attr-defined]
    assert result.summary.endswith(': database "no_such_db_gonogo" does not exist')  # type: ignore[attr-defined]
    wrong_user = url_for("postgres").replace("postgres@", "nobody:wrong@")
    result, _ = _backup(wrong_user, tmp_path)
    assert result.outcome == "errored"  # type: ignore[attr-defined]
    assert result.summary == (  # type: ignore[attr-defined]
        f"cannot connect to {wrong_user.replace(':wrong@', ':***@')}: role \"nobody\" does not exist")


def test_missing_pg_dump(tmp_path: Path) -> None:
    with fresh_database() as url:
        result, _ = run_check("postgres.backup", {"database_url": url, "path": "b/x_{timestamp}.dump"},
                              tmp_path, env={"PATH": str(tmp_path / "empty")})
    assert result.outcome == "errored"
    assert result.summary == ("pg_dump not found in PATH (install the PostgreSQL client tools, "
                              "e.g. postgresql-client, or set pg_bin: to the directory holding pg_dump)")


def test_pg_dump_older_than_the_server(tmp_path: Path) -> None:
    # an older pg_dump cannot exist on this machine: a stand-in that only answers --version
    old = tmp_path / "pg11"
    old.mkdir()
    script = old / "pg_dump"
    script.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 11.22'\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    with fresh_database() as url:
        result, folder = _backup(url, tmp_path, pg_bin=str(old))
    assert result.outcome == "errored"  # type: ignore[attr-defined]
    assert result.summary == (  # type: ignore[attr-defined]
        f"pg_dump 11.22 ({script}) is older than the server (PostgreSQL 15): it cannot dump or "
        "restore it faithfully; install the PostgreSQL 15 client tools or set pg_bin: to their directory")
    assert not folder.exists() or not list(folder.iterdir())


def test_full_disk_fails_and_leaves_no_partial_file(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    disk = tmp_path / "small"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        with fresh_database() as url:
            from testing.postgres import execute

            execute(url, "CREATE TABLE blobs AS SELECT g AS id, md5(random()::text) || "
                         "md5(random()::text) AS v FROM generate_series(1, 20000) g")
            result, _ = run_check("postgres.backup",
                                  {"database_url": url, "path": str(disk / "backup_{timestamp}.dump")},
                                  tmp_path, env=dict(os.environ))
        assert result.outcome == "failed"
        assert result.summary == ("pg_dump failed (exit 1): could not write to output file: "
                                  "No space left on device")
        assert list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_bad_path_template_is_a_config_error(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from gonogo.plugins import check_types

    with pytest.raises(ValidationError, match=r"expected a path with placeholders \{timestamp\}"):
        check_types()["postgres.backup"].model_validate(
            {"database_url": "postgresql://x@h/db", "path": "b/{date}.dump"})


def test_interrupted_dump_leaves_no_partial_file(tmp_path: Path) -> None:
    # pg_dump starts writing, then stalls: the runner's timeout kills it mid-dump
    slow = tmp_path / "slowbin"
    slow.mkdir()
    script = slow / "pg_dump"
    script.write_text('#!/bin/sh\n[ "$1" = --version ] && exec pg_dump --version\n'
                      'for a in "$@"; do case "$a" in --file=*) echo PGDMP > "${a#--file=}";; esac; done\n'
                      "sleep 30\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    with fresh_database() as url:
        result, _ = run_check("postgres.backup", {"database_url": url, "path": "b/backup_{timestamp}.dump",
                                                  "pg_bin": str(slow)},
                              tmp_path, env=dict(os.environ), timeout=3.0)
    assert (result.outcome, result.summary) == ("failed", "timed out after 3.0s")
    assert list((tmp_path / "b").iterdir()) == []


def test_dump_and_manifest_are_private_whatever_the_umask(tmp_path: Path) -> None:
    """0600 set by gonogo itself, not left to the umask: a library caller with umask 022
    gets private dumps too, in the user's own (0755) folder and in one gonogo creates."""
    (tmp_path / "backups").mkdir()
    os.chmod(tmp_path / "backups", 0o755)
    previous = os.umask(0o022)
    try:
        with fresh_database() as url:
            load_sample(url)
            first, folder = _backup(url, tmp_path)
            second, _ = _backup(url, tmp_path, path="backups/nightly/{database}_{timestamp}.dump")
    finally:
        os.umask(previous)
    assert (first.outcome, second.outcome) == ("passed", "passed")  # type: ignore[attr-defined]
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    assert len(files) == 4
    assert {p.name.split(".", 1)[1] for p in files} == {"dump", "dump.manifest.json"}
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {oct(0o600)}
    assert oct(stat.S_IMODE(folder.stat().st_mode)) == oct(0o755)  # the user's folder, as it was
    assert oct(stat.S_IMODE((folder / "nightly").stat().st_mode)) == oct(0o700)
