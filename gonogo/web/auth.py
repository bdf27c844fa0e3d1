"""Who a request is: a Bearer token, a trusted proxy's user header, or a session cookie.

* Bearer tokens carry no ambient authority (a browser never adds them by itself), so a post
  made with one needs no CSRF token; a post made with the session cookie needs the session's
  CSRF token (form field ``csrf`` or header ``X-CSRF-Token``).
* The session cookie is signed (itsdangerous) with a secret kept in the state, so every
  `gonogo serve` on one PostgreSQL state accepts it; it names the user and the first bytes
  of their token's hash, so revoking the token ends the session.
* A proxy's user header is believed only from ``--trusted-proxy`` addresses, and only for
  users `gonogo users add` created (their role comes from there).
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque
from dataclasses import dataclass, field

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.engine import Engine
from starlette.requests import Request

from gonogo.journal import identity
from gonogo.journal.identity import User

COOKIE = "gonogo_session"
SESSION_MAX_AGE_S = 12 * 3600
LOGIN_ATTEMPTS = 5  # per client address …
LOGIN_WINDOW_S = 60.0  # … within this many seconds


@dataclass
class Who:
    """The authenticated identity of one request and how it was established."""

    user: User
    via: str  # bearer | proxy | cookie
    csrf: str | None = None  # the session's token (cookie sessions only)


@dataclass
class AuthSettings:
    proxy_header: str | None = None
    trusted_proxies: frozenset[str] = frozenset()


@dataclass
class LoginLimiter:
    """Failed logins per client address in a sliding window (memory of this process).

    Hand-written: a dozen lines, where a rate-limit library would bring a store and a
    middleware for one form."""

    attempts: dict[str, deque[float]] = field(default_factory=dict)

    def allowed(self, client: str) -> float | None:
        """None when a try is allowed; else seconds until the next one is."""
        now = time.monotonic()
        window = self.attempts.setdefault(client, deque())
        while window and now - window[0] > LOGIN_WINDOW_S:
            window.popleft()
        if len(window) >= LOGIN_ATTEMPTS:
            return LOGIN_WINDOW_S - (now - window[0])
        return None

    def failed(self, client: str) -> None:
        self.attempts.setdefault(client, deque()).append(time.monotonic())


def session_secret(engine: Engine) -> str:
    """The signing secret shared by every server on this state (made once)."""
    identity.ensure(engine)
    table = identity.settings
    with engine.begin() as conn:
        row = conn.execute(sa.select(table.c.value).where(table.c.key == "session_secret")).first()
        if row is not None:
            return str(row[0])
    try:
        with engine.begin() as conn:
            conn.execute(table.insert().values(key="session_secret",
                                               value=secrets.token_urlsafe(48)))
    except sa.exc.IntegrityError:
        pass  # another server made it a moment ago
    with engine.connect() as conn:
        return str(conn.execute(sa.select(table.c.value)
                                .where(table.c.key == "session_secret")).scalar_one())


class Authenticator:
    def __init__(self, engine: Engine, settings: AuthSettings) -> None:
        self.engine = engine
        self.settings = settings
        self.signer = URLSafeTimedSerializer(session_secret(engine), salt="gonogo-session")
        self.limiter = LoginLimiter()

    def client(self, request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def who(self, request: Request) -> Who | None:
        """The identity of a request, or None (the caller answers 401)."""
        header = request.headers.get("authorization", "")
        if header[:7].lower() == "bearer ":
            user = identity.authenticate(self.engine, header[7:].strip())
            return Who(user, "bearer") if user else None
        if self.settings.proxy_header and self.client(request) in self.settings.trusted_proxies:
            name = request.headers.get(self.settings.proxy_header)
            if name:
                user = identity.find(self.engine, name.strip())
                active = user is not None and user.revoked_at is None
                return Who(user, "proxy") if user is not None and active else None
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            return None
        try:
            data = self.signer.loads(cookie, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        user = identity.find(self.engine, str(data.get("u", "")))
        if user is None or user.revoked_at is not None:
            return None
        if not hmac.compare_digest(str(data.get("t", "")), self._token_mark(user.name)):
            return None  # the token was revoked and issued anew since
        return Who(user, "cookie", csrf=str(data.get("c", "")))

    def login(self, token: str) -> tuple[User, str] | None:
        """The user and a fresh session cookie's value for a valid token."""
        user = identity.authenticate(self.engine, token.strip())
        if user is None:
            return None
        value = self.signer.dumps({"u": user.name, "t": self._token_mark(user.name),
                                   "c": secrets.token_urlsafe(24)})
        return user, value

    def _token_mark(self, name: str) -> str:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(identity.users.c.token_hash)
                                 .where(identity.users.c.name == name)).scalar_one_or_none()
        return str(found or "")[:16]

    @staticmethod
    def csrf_ok(who: Who, submitted: str | None) -> bool:
        """A cookie-authenticated post must carry the session's CSRF token."""
        if who.via != "cookie":
            return True
        return bool(submitted and who.csrf and hmac.compare_digest(submitted, who.csrf))
