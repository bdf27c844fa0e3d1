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
    #: What of the replaced database's own attributes could not be carried over (the owner,
    #: when this user may not give it away), in a few words each.
    not_copied: tuple[str, ...] = ()


#: Settings whose value is a list of quoted names: pg_dump (dumputils.c,
#: variable_is_guc_list_quote) splits them into one literal per element, since a single
#: literal would be quoted again as ONE name (search_path = '"$user", public' would become
#: the schema named `"$user", public`).
GUC_LIST_QUOTE = frozenset({"local_preload_libraries", "search_path", "session_preload_libraries",
                            "shared_preload_libraries", "temp_tablespaces",
                            "unix_socket_directories"})


def split_guc_list(value: str) -> list[str]:
    """The elements of a GUC_LIST_QUOTE value as PostgreSQL stores it (``"$user", public``):
    comma-separated, double-quoted where needed (``""`` inside quotes is one ``"``), unquoted
    names kept as written — the rules of libpq's SplitGUCList, which psycopg does not expose."""
    items: list[str] = []
    i, n = 0, len(value)
    while i <= n:
        while i < n and value[i].isspace():
            i += 1
        item = ""
        if i < n and value[i] == '"':
            i += 1
            while i < n:
                if value[i] == '"':
                    if i + 1 < n and value[i + 1] == '"':
                        item += '"'
                        i += 2
                        continue
                    i += 1
                    break
                item += value[i]
                i += 1
            while i < n and value[i] != ",":
                i += 1
        else:
            start = i
            while i < n and value[i] != ",":
                i += 1
            item = value[start:i].strip()
        items.append(item)
        i += 1  # past the comma (or the end)
    return [item for item in items if item] if value.strip() else []


def _setting(config: str) -> tuple[str, list[str]]:
    name, _, value = config.partition("=")
    return name, (split_guc_list(value) if name.lower() in GUC_LIST_QUOTE else [value])


def copy_attributes(conn: Connection[Any], source: str, dest: str) -> list[str]:
    """Give ``dest`` what ``source`` has as a database rather than in its contents, which
    pg_dump's archive of one database does not carry: its owner, ``GRANT … ON DATABASE``,
    the connection limit, ``ALTER DATABASE … SET`` and ``ALTER ROLE … IN DATABASE … SET``
    settings. Run inside the swap's transaction, so a failure leaves both as they were.
    Returns what could not be copied: only the owner, when this user may not give a
    database to that role (PostgreSQL allows it to superusers and to members of the role
    with CREATEDB) — the restore goes on, owned by this user, and says so."""
    import psycopg
    from psycopg import sql

    row = conn.execute("SELECT oid, (SELECT rolname FROM pg_roles WHERE oid = datdba), "
                       "datconnlimit, datacl IS NULL FROM pg_database WHERE datname = %s",
                       (source,)).fetchone()
    if row is None:
        return []
    oid, owner, limit, default_acl = row
    not_copied = []
    try:
        with conn.transaction():  # a savepoint: a refused owner change is not fatal
            conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                _ident(dest), _ident(str(owner))))
    except psycopg.errors.InsufficientPrivilege as exc:
        not_copied.append(f"owner {owner} ({sql_error(exc)})")
    conn.execute(sql.SQL("ALTER DATABASE {} CONNECTION LIMIT {}").format(
        _ident(dest), sql.Literal(int(limit))))
    if not default_acl:
        conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(_ident(dest)))
        grants = conn.execute(
            "SELECT (SELECT rolname FROM pg_roles WHERE oid = a.grantee), a.privilege_type, "
            "a.is_grantable FROM pg_database d, aclexplode(d.datacl) a WHERE d.oid = %s "
            "ORDER BY 1, 2", (oid,)).fetchall()
        for grantee, privilege, grantable in grants:
            conn.execute(sql.SQL("GRANT {} ON DATABASE {} TO {}{}").format(
                sql.SQL(str(privilege)), _ident(dest),
                _ident(str(grantee)) if grantee is not None else sql.SQL("PUBLIC"),
                sql.SQL(" WITH GRANT OPTION" if grantable else "")))
    settings = conn.execute(
        "SELECT (SELECT rolname FROM pg_roles WHERE oid = s.setrole), s.setconfig "
        "FROM pg_db_role_setting s WHERE s.setdatabase = %s ORDER BY s.setrole", (oid,)).fetchall()
    for role, configs in settings:
        where = (sql.SQL("ROLE {} IN DATABASE {}").format(_ident(str(role)), _ident(dest))
                 if role is not None else sql.SQL("DATABASE {}").format(_ident(dest)))
        for config in configs or []:
            name, values = _setting(str(config))
            conn.execute(sql.SQL("ALTER {} SET {} TO {}").format(
                where, _ident(name), sql.SQL(", ").join(sql.Literal(v) for v in values)))
    return not_copied


def swap_in(server: str, target: str, scratch: str, before: str, run_id: str, *,
            force_disconnect: bool) -> Swapped:
    """Rename ``target`` to ``before`` and ``scratch`` to ``target`` in one transaction;
    CheckFailed (target unchanged) when the target is in use and ``force_disconnect`` is off,
    or when the renames fail. The new database keeps the target's comment, owner, grants,
    connection limit and settings (copy_attributes)."""
    import psycopg
    from psycopg import sql

    terminated, not_copied = 0, []
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
                        not_copied = copy_attributes(conn, target, scratch)
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
            return Swapped(before if exists else None, terminated, tuple(not_copied))
    raise AssertionError("unreachable")  # pragma: no cover
