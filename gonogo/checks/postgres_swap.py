"""Replacing a database atomically, for ``gonogo restore``: a scratch database beside the
target, filled and verified there, then swapped in by two renames in ONE transaction
(PostgreSQL allows ``ALTER DATABASE … RENAME`` in a transaction block), so the target is
either the old database or the verified new one, never something in between.

The databases gonogo makes carry a database comment saying what they are (JSON: which
target, which run, which process), so leftovers are recognised by that mark and never by
their name alone: a database someone happened to call ``app_restore_x`` is never dropped.

Synchronous psycopg on purpose: these run in ``finally`` blocks and between awaits, where a
cancellation must not cut a swap or a drop in half.
"""

from __future__ import annotations

import json
import os
import re
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gonogo.checks.postgres_common import (
    CONNECT_TIMEOUT_S,
    connection_problem,
    libpq_url,
    sql_error,
)
from gonogo.checks.postgres_restore import drop_database
from gonogo.core.errors import CheckError, CheckFailed

if TYPE_CHECKING:
    from psycopg import Connection

#: PostgreSQL truncates identifiers to 63 bytes; room left for the target's name.
NAME_ROOM = 63 - len("_restore_") - len("20260101_000000_abcd")
SCRATCH = "restore-scratch"
BEFORE = "before-restore"
#: Attempts at the swap when --force-disconnect finds sessions that came back.
SWAP_ATTEMPTS = 3
SHOW_SESSIONS = 5


def run_tag(run_id: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", run_id.lower())


def scratch_name(target: str, run_id: str) -> str:
    return f"{_room(target)}_restore_{run_tag(run_id)}"


def before_name(target: str, run_id: str) -> str:
    return f"{_room(target)}_before_{run_tag(run_id)}"


def _room(name: str) -> str:
    encoded = name.encode()[:NAME_ROOM]
    return encoded.decode("utf-8", "ignore")


def _connect(server: str) -> Connection[Any]:
    import psycopg

    try:
        return psycopg.connect(libpq_url(server), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.Error as exc:
        raise CheckError(connection_problem(server, exc)) from None


def _ident(name: str) -> Any:
    from psycopg import sql

    return sql.Identifier(name)


def _mark(kind: str, target: str, run_id: str) -> str:
    return json.dumps({"gonogo": kind, "target": target, "run": run_id, "pid": os.getpid(),
                       "host": socket.gethostname()})


@dataclass(frozen=True)
class Marked:
    """A database gonogo made for a restore of ``target``."""

    name: str
    kind: str
    target: str
    run: str
    pid: int
    host: str

    def alive(self) -> bool:
        """Whether the restore that made it may still be running (unknown elsewhere: yes)."""
        if self.host != socket.gethostname():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def marked_databases(server: str, target: str, kind: str) -> list[Marked]:
    """Databases carrying gonogo's ``kind`` mark for ``target``, oldest run first."""
    with _connect(server) as conn:
        rows = conn.execute(
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database").fetchall()
    found = []
    for name, comment in rows:
        try:
            mark = json.loads(comment or "")
        except ValueError:
            continue
        if (isinstance(mark, dict) and mark.get("gonogo") == kind and mark.get("target") == target):
            found.append(Marked(str(name), kind, target, str(mark.get("run", "")),
                                int(mark.get("pid", 0) or 0), str(mark.get("host", ""))))
    return sorted(found, key=lambda m: (m.run, m.name))


def database_exists(server: str, name: str) -> bool:
    with _connect(server) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            (name,)).fetchone() is not None


def create_scratch(server: str, scratch: str, target: str, run_id: str) -> None:
    """An empty database for the restore, marked as gonogo's scratch copy of ``target``.
    Made from ``template0`` with the target's encoding and locale when the target exists
    (what pg_dump's documentation asks for), so the copy sorts and compares like it."""
    import psycopg
    from psycopg import sql

    with _connect(server) as conn:
        row = conn.execute(
            "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
            "WHERE datname = %s", (target,)).fetchone()
        if row:
            create = sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE {} "
                             "LC_CTYPE {}").format(_ident(scratch), *(sql.Literal(v) for v in row))
        else:
            create = sql.SQL("CREATE DATABASE {}").format(_ident(scratch))
        try:
            conn.execute(create)
        except psycopg.Error as exc:
            raise CheckError(f"cannot create the scratch database {scratch}: {sql_error(exc)}") from None
        try:
            conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                _ident(scratch), sql.Literal(_mark(SCRATCH, target, run_id))))
        except psycopg.Error as exc:
            drop_database(server, scratch)
            raise CheckError(f"cannot mark the scratch database {scratch}: {sql_error(exc)}") from None


def sessions(conn: Connection[Any], name: str) -> list[tuple[int, str, str]]:
    """(pid, application name, user) of every other session connected to ``name``."""
    rows = conn.execute(
        "SELECT pid, coalesce(application_name, ''), coalesce(usename, '') FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid() ORDER BY pid", (name,)).fetchall()
    return [(int(pid), str(app), str(user)) for pid, app, user in rows]


def describe_sessions(found: list[tuple[int, str, str]]) -> str:
    shown = [f"pid {pid} ({app or 'no application_name'}, user {user})"
             for pid, app, user in found[:SHOW_SESSIONS]]
    more = len(found) - SHOW_SESSIONS
    count = f"{len(found)} session{'' if len(found) == 1 else 's'}"
    return f"{count}: " + ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def connected(server: str, name: str) -> list[tuple[int, str, str]]:
    with _connect(server) as conn:
        return sessions(conn, name)


def in_use_message(target: str, found: list[tuple[int, str, str]]) -> str:
    return (f"the target database {target} is in use by {describe_sessions(found)}; stop them, "
            "or pass --force-disconnect to terminate them at the swap")


@dataclass(frozen=True)
class Swapped:
    #: The target existed and is now kept under this name (None: it did not exist).
    before: str | None
    #: Sessions terminated with --force-disconnect.
    terminated: int


def swap_in(server: str, target: str, scratch: str, before: str, run_id: str, *,
            force_disconnect: bool) -> Swapped:
    """Rename ``target`` to ``before`` and ``scratch`` to ``target`` in one transaction;
    CheckFailed (target unchanged) when the target is in use and ``force_disconnect`` is off,
    or when the renames fail. The new database keeps the target's comment."""
    import psycopg
    from psycopg import sql

    terminated = 0
    with _connect(server) as conn:
        for attempt in range(1, SWAP_ATTEMPTS + 1):
            row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                               "WHERE datname = %s", (target,)).fetchone()
            exists = row is not None
            others = sessions(conn, target) if exists else []
            if others and not force_disconnect:
                raise CheckFailed(in_use_message(target, others))
            for pid, _, _ in others:
                conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
                terminated += 1
            try:
                with conn.transaction():
                    if exists:
                        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                            _ident(target), _ident(before)))
                        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                            _ident(before), sql.Literal(_mark(BEFORE, target, run_id))))
                    conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                        _ident(scratch), _ident(target)))
                    conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                        _ident(target), sql.Literal(row[0] if row else None)))
            except psycopg.errors.ObjectInUse:
                if force_disconnect and attempt < SWAP_ATTEMPTS:
                    continue
                raise CheckFailed(in_use_message(target, sessions(conn, target))) from None
            except psycopg.Error as exc:
                raise CheckFailed(f"cannot swap the restored database in: {sql_error(exc)}") from None
            return Swapped(before if exists else None, terminated)
    raise AssertionError("unreachable")  # pragma: no cover
