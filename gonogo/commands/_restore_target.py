"""Which database `gonogo restore` would replace: the same database however its URL is spelled
(host names resolved, loopback addresses alike, libpq defaults), and whether it is a
protected environment's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gonogo.checks.postgres_common import (
    conninfo_parts,
)
from gonogo.config.model import Config
from gonogo.core.errors import (
    CheckError,
    UsageError,
)

#: How long the host names of a target and a protected database may take to resolve.
RESOLVE_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class DatabaseKey:
    """Which database a connection string reaches, whatever its spelling: libpq's defaults
    filled in (``PGHOST``/``PGPORT``/``PGDATABASE``, port 5432, database = user), the user,
    password and options dropped, every loopback spelling (``localhost``, ``127.x``,
    ``::1``, a socket directory) one host."""

    host: str
    port: str
    dbname: str
    #: The host as written (for messages); two spellings of one host compare equal.
    shown: str = field(default="", compare=False)

    def describe(self) -> str:
        return f"database {self.dbname} on {self.shown or self.host}:{self.port}"


LOOPBACK = "(loopback)"


def _default_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for this uid (a container)
        return ""


def _host_key(host: str) -> str:
    import ipaddress

    host = host.split(",")[0].strip().lower().strip("[]")
    if not host or host.startswith("/") or host in ("localhost", "localhost.localdomain"):
        return LOOPBACK
    try:
        return LOOPBACK if ipaddress.ip_address(host).is_loopback else host
    except ValueError:
        return host


def database_key(url: str, env: Mapping[str, str] | None = None) -> DatabaseKey:
    """The database ``url`` reaches (a UsageError when it cannot be parsed)."""
    import os

    env = os.environ if env is None else env
    try:
        parts = conninfo_parts(url)
    except CheckError as exc:
        raise UsageError(exc.message) from None
    host = parts.get("host") or parts.get("hostaddr") or env.get("PGHOST") or ""
    port = (parts.get("port") or env.get("PGPORT") or "5432").split(",")[0].strip()
    user = parts.get("user") or env.get("PGUSER") or _default_user()
    dbname = parts.get("dbname") or env.get("PGDATABASE") or user
    shown = host if host and not host.startswith("/") else "localhost"
    return DatabaseKey(_host_key(host), port, dbname, shown=shown.split(",")[0])


def _addresses(host: str) -> frozenset[str]:
    """The addresses ``host`` resolves to (loopback ones as LOOPBACK); empty if it does not
    resolve within RESOLVE_TIMEOUT_S."""
    import ipaddress
    import socket
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures import TimeoutError as Timeout

    if host == LOOPBACK:
        return frozenset({LOOPBACK})
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        infos = pool.submit(socket.getaddrinfo, host, None).result(RESOLVE_TIMEOUT_S)
    except (OSError, UnicodeError, Timeout):
        return frozenset()
    finally:
        pool.shutdown(wait=False)
    found = set()
    for info in infos:
        address = str(info[4][0])
        found.add(LOOPBACK if ipaddress.ip_address(address.split("%")[0]).is_loopback
                  else address)
    return frozenset(found)


def same_database(a: DatabaseKey, b: DatabaseKey) -> bool:
    """Whether two keys are one database: same port and name, and hosts that are equal or
    resolve to a common address (``db.internal`` and its IP, this machine's host name and
    ``127.0.0.1``)."""
    if (a.port, a.dbname) != (b.port, b.dbname):
        return False
    return a.host == b.host or bool(_addresses(a.host) & _addresses(b.host))


def looks_like_database(value: str) -> bool:
    if value.startswith(("postgres://", "postgresql://")):
        return True
    return "dbname=" in value or ("host=" in value and "=" in value.split()[0])


def protected_environment(config: Config | None, target: str) -> str | None:
    """The protected environment whose database ``target`` is, however either is spelled."""
    if config is None:
        return None
    from gonogo.config.environments import other_environment

    wanted = database_key(target)
    for name, spec in config.model.environments.items():
        if not spec.protected:
            continue
        sources = [other_environment(config, name).values]
        if name == config.environment.name:
            sources.append(config.environment.values)
        for values in sources:
            for value in values.values():
                text = value.value.strip()
                if not looks_like_database(text):
                    continue
                try:
                    key = database_key(text)
                except UsageError:
                    continue
                if same_database(key, wanted):
                    return name
    return None
