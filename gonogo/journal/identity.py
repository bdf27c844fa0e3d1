"""People who use the dashboard and API: a name, a role and a hashed API token.

A token is 32 random bytes (``secrets.token_urlsafe``), so one SHA-256 of it is enough: a
slow password hash guards guessable secrets, and nobody can guess 256 random bits. Only
the hash is stored; the token is shown once, by `gonogo users add`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gonogo.core.errors import UsageError
from gonogo.journal import audit

ROLES = ("viewer", "approver", "deployer", "admin")
#: What each role may do beyond reading.
MAY_SIGN = frozenset({"approver", "deployer", "admin"})
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
TOKEN_PREFIX = "gng_"

identity_metadata = sa.MetaData()

users = sa.Table(
    "users",
    identity_metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("revoked_at", sa.String(40)),
)


@dataclass(frozen=True)
class User:
    name: str
    role: str
    created_at: str
    created_by: str
    revoked_at: str | None = None

    @property
    def may_sign(self) -> bool:
        return self.role in MAY_SIGN and self.revoked_at is None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_created: weakref.WeakSet[Engine] = weakref.WeakSet()  # an id() could be reused


def ensure(engine: Engine) -> None:
    """The tables, made once per engine (every request authenticates: no check each time)."""
    if engine in _created:
        return
    try:
        identity_metadata.create_all(engine)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
        identity_metadata.create_all(engine)  # another process made them meanwhile
    audit.ensure(engine)
    _created.add(engine)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def add(engine: Engine, name: str, role: str, *, actor: str) -> str:
    """A new user (or a revoked one again) with a fresh token, returned once."""
    if not NAME_PATTERN.match(name):
        raise UsageError(f"user name {name!r}: expected letters, digits and . _ @ - "
                         "(up to 64 characters)")
    if role not in ROLES:
        raise UsageError(f"--role {role!r}: expected one of {', '.join(ROLES)}")
    ensure(engine)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        existing = conn.execute(users.select().where(users.c.name == name)).first()
        if existing is not None and existing._mapping["revoked_at"] is None:
            raise UsageError(f"user {name!r} exists; `gonogo users revoke {name}` first to "
                             "issue a new token")
        conn.execute(users.delete().where(users.c.name == name))
        conn.execute(users.insert().values(name=name, role=role, token_hash=token_hash(token),
                                           created_at=_now(), created_by=actor))
        audit.record(conn, "token-created", actor, target=name, detail={"role": role})
    return token


def revoke(engine: Engine, name: str, *, actor: str, source: str | None = None) -> None:
    ensure(engine)
    with engine.begin() as conn:
        done = conn.execute(users.update().where((users.c.name == name)
                                                 & users.c.revoked_at.is_(None))
                            .values(revoked_at=_now()))
        if done.rowcount != 1:
            raise UsageError(f"no active user {name!r} (see `gonogo users list`)")
        audit.record(conn, "token-revoked", actor, target=name, source=source)


def list_users(engine: Engine) -> list[User]:
    ensure(engine)
    with engine.connect() as conn:
        found = conn.execute(users.select().order_by(users.c.name)).all()
    return [_user(dict(r._mapping)) for r in found]


def authenticate(engine: Engine, token: str) -> User | None:
    """The active user holding ``token``; None for an unknown or revoked one."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    ensure(engine)
    wanted = token_hash(token)
    with engine.connect() as conn:
        row = conn.execute(users.select().where(users.c.token_hash == wanted)).first()
    if row is None or row._mapping["revoked_at"] is not None:
        return None
    # the lookup is by hash; compare again in constant time all the same
    if not hmac.compare_digest(row._mapping["token_hash"], wanted):
        return None
    return _user(dict(row._mapping))


def find(engine: Engine, name: str) -> User | None:
    ensure(engine)
    with engine.connect() as conn:
        row = conn.execute(users.select().where(users.c.name == name)).first()
    return _user(dict(row._mapping)) if row is not None else None


def _user(m: dict[str, object]) -> User:
    return User(name=str(m["name"]), role=str(m["role"]), created_at=str(m["created_at"]),
                created_by=str(m["created_by"]),
                revoked_at=str(m["revoked_at"]) if m["revoked_at"] else None)


settings = sa.Table(
    "web_settings",
    identity_metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


def set_public_url(engine: Engine, url: str) -> None:
    """What `gonogo serve --public-url` said: CLI runs that go PENDING link to it."""
    ensure(engine)
    with engine.begin() as conn:
        conn.execute(settings.delete().where(settings.c.key == "public_url"))
        conn.execute(settings.insert().values(key="public_url", value=url.rstrip("/")))


def public_url(engine: Engine) -> str | None:
    if not sa.inspect(engine).has_table(settings.name):
        return None
    with engine.connect() as conn:
        row = conn.execute(sa.select(settings.c.value)
                           .where(settings.c.key == "public_url")).first()
    return str(row[0]) if row is not None else None
