"""What the PostgreSQL check types share: connecting with errors a person can act on,
finding ``pg_dump``/``pg_restore`` of a usable version, passing credentials to them
without putting a password on a command line, counting rows, and backup manifests.

psycopg is imported inside the functions that need it, so ``gonogo --help`` stays fast.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gonogo import private
from gonogo.core.errors import CheckError, CheckFailed
from gonogo.targets.local import run_process

if TYPE_CHECKING:
    from psycopg import AsyncConnection

CONNECT_TIMEOUT_S = 10
MANIFEST_SUFFIX = ".manifest.json"
PARTIAL_SUFFIX = ".partial"
DUMP_MAGIC = b"PGDMP"
MANIFEST_FORMAT = "gonogo-backup-manifest/1"

#: User tables as pg_dump sees them: ordinary and partitioned tables outside the system
#: schemas, not owned by an extension.
TABLES_SQL = """
SELECT n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
"""


def require_psycopg() -> None:
    """CheckError (not a crash) when the optional PostgreSQL driver is missing."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise CheckError("the PostgreSQL driver is not installed: pip install 'gonogo[postgres]' "
                         "(psycopg 3)") from None


def display_url(url: str) -> str:
    """The URL with its password hidden, for messages and evidence."""
    return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", url)


#: Query parameters Prisma adds to DATABASE_URL that libpq rejects.
PRISMA_PARAMS = frozenset({
    "schema", "connection_limit", "pool_timeout", "pgbouncer", "sslaccept", "socket_timeout",
    "statement_cache_size", "sslidentity",
})


def split_prisma_params(url: str) -> tuple[str, dict[str, str]]:
    """(the URL without Prisma-only query parameters, those parameters)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    if "://" not in url or "?" not in url:
        return url, {}
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if k not in PRISMA_PARAMS]
    dropped = {k: v for k, v in query if k in PRISMA_PARAMS}
    if not dropped:
        return url, {}
    return urlunsplit(parts._replace(query=urlencode(kept))), dropped


def libpq_url(url: str) -> str:
    return split_prisma_params(url)[0]


def conninfo_parts(url: str) -> dict[str, str]:
    """A ``postgresql://`` URL (or a libpq ``key=value`` string) as libpq parameters."""
    require_psycopg()
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(libpq_url(url))
    except Exception as exc:  # psycopg raises ProgrammingError with a libpq message
        raise CheckError(f"not a PostgreSQL URL: {display_url(url)!r} ({_first_line(exc)})") from None
    return {k: str(v) for k, v in parts.items() if v is not None}


def database_name(url: str) -> str:
    parts = conninfo_parts(url)
    return parts.get("dbname") or parts.get("user") or "postgres"


def with_database(url: str, dbname: str) -> str:
    """A libpq connection string for ``dbname`` on the same server as ``url``."""
    from psycopg.conninfo import make_conninfo

    parts = conninfo_parts(url)
    parts["dbname"] = dbname
    return make_conninfo(**parts)


def tool_connection(url: str, env: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """(``--dbname`` value without the password, environment carrying it) for pg tools:
    a password never appears on a command line, where ``ps`` would show it."""
    from psycopg.conninfo import make_conninfo

    parts = conninfo_parts(url)
    password = parts.pop("password", None)
    child_env = dict(env)
    child_env.setdefault("PGCONNECT_TIMEOUT", str(CONNECT_TIMEOUT_S))
    child_env["PGAPPNAME"] = "gonogo"
    if password is not None:
        child_env["PGPASSWORD"] = password
    return make_conninfo(**parts), child_env


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def connection_problem(url: str, exc: BaseException) -> str:
    """``cannot connect to URL: reason`` from a psycopg/libpq error, with a hint when one helps."""
    text = " ".join(line.strip() for line in str(exc).strip().splitlines() if line.strip())
    text = re.sub(r"^connection (failed|is bad): ", "", text)
    text = re.sub(r'^connection to server at "[^"]*"(?:, port \d+)? failed: ', "", text)
    text = re.sub(r"^FATAL:\s+", "", text)
    text = text.replace(
        " Is the server running on that host and accepting TCP/IP connections?",
        " (is the server running and accepting TCP/IP connections?)",
    )
    return f"cannot connect to {display_url(url)}: {text or type(exc).__name__}"


async def connect(url: str, *, autocommit: bool = True) -> AsyncConnection[Any]:
    """An open connection, or CheckError naming the server and the reason."""
    import psycopg

    conninfo_parts(url)  # a malformed URL is reported as such, not as a connection failure
    try:
        return await psycopg.AsyncConnection.connect(
            libpq_url(url), autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S
        )
    except psycopg.Error as exc:
        raise CheckError(connection_problem(url, exc)) from None


def sql_error(exc: BaseException) -> str:
    return _first_line(exc)


def qualified(schema: str, table: str) -> str:
    return f"{schema}.{table}"


def quote_table(name: str) -> Any:
    """``schema.table`` or ``table`` as a safely quoted SQL identifier."""
    from psycopg import sql

    if "." in name:
        schema, table = name.split(".", 1)
        return sql.Identifier(schema, table)
    return sql.Identifier(name)


async def list_tables(conn: AsyncConnection[Any]) -> list[str]:
    cur = await conn.execute(TABLES_SQL)
    return [qualified(s, t) for s, t in await cur.fetchall()]


async def count_rows(conn: AsyncConnection[Any], tables: list[str]) -> dict[str, int]:
    """Exact ``count(*)`` per table, in the connection's current snapshot."""
    from psycopg import sql

    counts: dict[str, int] = {}
    for name in tables:
        cur = await conn.execute(sql.SQL("SELECT count(*) FROM {}").format(quote_table(name)))
        row = await cur.fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts


async def table_checksum(conn: AsyncConnection[Any], table: str) -> str:
    """An order-independent content checksum: the sum of each row's 64-bit md5 prefix,
    computed by the server as a streaming aggregate (no row leaves the server)."""
    from psycopg import sql

    query = sql.SQL(
        "SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint), 0) "
        "FROM {} AS t"
    ).format(quote_table(table))
    cur = await conn.execute(query)
    row = await cur.fetchone()
    count, total = (row if row else (0, 0))
    return f"{int(count)}:{int(total)}"


async def count_and_checksum(
    conn: AsyncConnection[Any], tables: list[str], checksum_tables: tuple[str, ...] | list[str]
) -> tuple[dict[str, int], dict[str, str]]:
    """(row count of each table, content checksum of each of ``checksum_tables`` present),
    in the connection's current snapshot. A checksummed table's count is the one its
    checksum query took (the same ``count(*)``): one scan of it, not two."""
    sums = {t: await table_checksum(conn, t) for t in checksum_tables if t in tables}
    counted = await count_rows(conn, [t for t in tables if t not in sums])
    counts = {t: int(sums[t].split(":", 1)[0]) if t in sums else counted[t] for t in tables}
    return counts, sums


async def server_version(conn: AsyncConnection[Any]) -> tuple[int, str]:
    """(major version, full version text) of the connected server."""
    cur = await conn.execute("SELECT current_setting('server_version_num'), version()")
    row = await cur.fetchone()
    num, full = (row if row else ("0", ""))
    major = int(num) // 10000
    short = re.match(r"PostgreSQL [^ ]+", str(full))
    return major, short.group(0) if short else f"PostgreSQL {major}"


# ---- client tools --------------------------------------------------------------------


@dataclass(frozen=True)
class PgTool:
    path: str
    major: int
    version: str


async def find_tool(
    name: str,
    env: Mapping[str, str],
    pg_bin: Path | None,
    server_major: int | None = None,
    against: str = "the server",
) -> PgTool:
    """``pg_dump``/``pg_restore`` from ``pg_bin`` or PATH; its major version must be at least
    ``server_major`` (an older pg_dump refuses to dump a newer server; an older pg_restore
    cannot read a newer archive)."""
    if pg_bin is not None:
        candidate = pg_bin / name
        found = str(candidate) if candidate.is_file() else None
        where = str(pg_bin)
    else:
        found = shutil.which(name, path=env.get("PATH"))
        where = "PATH"
    if found is None:
        raise CheckError(
            f"{name} not found in {where} (install the PostgreSQL client tools, e.g. "
            f"postgresql-client, or set pg_bin: to the directory holding {name})"
        )
    found = _behind_wrapper(found, name, server_major)
    try:
        result = await run_process([found, "--version"], env=env, timeout=30)
    except OSError as exc:
        raise CheckError(f"cannot run {found}: {exc.strerror}") from None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?", result.stdout)
    if result.exit_code != 0 or match is None:
        raise CheckError(f"{found} --version did not say its version: {result.stdout.strip()[:120]!r}")
    major = int(match.group(1))
    version = result.stdout.split(")", 1)[-1].strip().split()[0]
    if server_major is not None and major < server_major:
        raise CheckError(
            f"{name} {version} ({found}) is older than {against} (PostgreSQL {server_major}): "
            f"it cannot dump or restore it faithfully; install the PostgreSQL {server_major} "
            f"client tools or set pg_bin: to their directory"
        )
    return PgTool(found, major, version)


def _behind_wrapper(found: str, name: str, server_major: int | None) -> str:
    """Debian's ``pg_wrapper`` (a Perl script behind /usr/bin/pg_dump) picks the newest
    installed version for a remote server; pick it the same way, once, and skip the ~0.1 s
    Perl start on every call."""
    if not os.path.realpath(found).endswith("/pg_wrapper"):
        return found
    versions = []
    for binary in Path("/usr/lib/postgresql").glob(f"*/bin/{name}"):
        version = binary.parent.parent.name
        if version.isdigit() and os.access(binary, os.X_OK):
            versions.append((int(version), str(binary)))
    versions.sort(reverse=True)
    return versions[0][1] if versions and versions[0][0] >= (server_major or 0) else found


def process_problem(tool: str, exit_code: int | None, stderr: str, timed_out: bool = False) -> str:
    """``pg_dump failed (exit 1): <its error line>``."""
    if timed_out:
        return f"{tool} timed out"
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line.lower() or "fatal:" in line.lower()]
    detail = (errors or lines or [""])[0]
    detail = re.sub(r"^(pg_dump|pg_restore): (error: )?", "", detail)
    suffix = f": {detail[:300]}" if detail else ""
    return f"{tool} failed (exit {exit_code}){suffix}"


# ---- files and manifests -------------------------------------------------------------


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Streaming sha256 (1 MiB at a time; hashlib releases the GIL, so run it in a thread)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + MANIFEST_SUFFIX)


def write_json_atomically(path: Path, data: Mapping[str, Any]) -> None:
    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    private.write_text(partial, json.dumps(data, indent=2, sort_keys=False) + "\n")
    partial.replace(path)


def read_manifest(dump: Path) -> dict[str, Any]:
    """The manifest beside ``dump``; CheckFailed when it is missing or unreadable."""
    path = manifest_path(dump)
    if not path.is_file():
        raise CheckFailed(
            f"no manifest beside {dump.name} (expected {path.name}): the dump cannot be checked "
            "against what was backed up; make backups with postgres.backup or `gonogo backup`"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CheckFailed(f"manifest {path.name} is unreadable: {exc}") from None
    missing = [k for k in ("sha256", "size_bytes", "tables") if k not in data]
    if not isinstance(data, dict) or missing:
        raise CheckFailed(f"manifest {path.name} lacks {', '.join(missing) or 'its fields'}")
    return data


def scratch_name(run_id: str) -> str:
    """``gonogo_verify_<run>``, within PostgreSQL's 63-byte identifier limit."""
    run = re.sub(r"[^a-z0-9_]", "_", run_id.lower()) or secrets.token_hex(4)
    return f"gonogo_verify_{run}"[:55] + "_" + secrets.token_hex(2)


# A backup step's server URL, by handle, for a restore_verify step of the same process:
# evidence is redacted (a password in it would be gone), so the URL stays in memory.
_SOURCES: dict[str, str] = {}


def remember_source(url: str) -> str:
    handle = secrets.token_hex(8)
    _SOURCES[handle] = url
    return handle


def recall_source(handle: object) -> str | None:
    return _SOURCES.get(handle) if isinstance(handle, str) else None
