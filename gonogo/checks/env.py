"""``env.required``, ``env.url``, ``env.list``: settings are present and point where
production should point. Messages name each setting and where it came from
(``DATABASE_URL (.env.production:2)``) and show only non-secret parts (a host, a
scheme, an origin), never a whole value and never a password.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import SplitResult, parse_qs, urlsplit

from pydantic import Field, field_validator

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.env_common import (
    documentation_host,
    host_allowed,
    is_production,
    local_host,
    require_setting,
    where,
)
from gonogo.core.errors import CheckFailed
from gonogo.hookimpl import hookimpl

#: What each sslmode accepts when named as the minimum (libpq's order of strictness).
SSLMODES = {
    "require": ("require", "verify-ca", "verify-full"),
    "verify-ca": ("verify-ca", "verify-full"),
    "verify-full": ("verify-full",),
    "prefer": ("prefer", "require", "verify-ca", "verify-full"),
    "disable": ("disable",),
    "allow": ("allow", "prefer", "require", "verify-ca", "verify-full"),
}


class EnvRequiredCheck(Check):
    """Every named setting is set and not empty."""

    type_name = "env.required"
    example = {"names": ["JWT_SECRET", "DATABASE_URL"]}

    names: list[str] = Field(min_length=1)
    allow_empty: bool = False

    def describe(self) -> str:
        return "env.required: " + ", ".join(self.names)

    async def run(self, ctx: CheckContext) -> Evidence:
        missing = [n for n in self.names if n not in ctx.settings]
        empty = [ctx.settings[n] for n in self.names
                 if n in ctx.settings and not ctx.settings[n].value.strip()]
        sources = {n: ctx.settings[n].source for n in self.names if n in ctx.settings}
        data: dict[str, Any] = {"missing": missing, "sources": sources}
        problems = []
        if missing:
            env = f" in environment {ctx.environment}" if ctx.environment else ""
            problems.append(f"not set{env}: {', '.join(missing)}")
        if empty and not self.allow_empty:
            data["empty"] = [e.name for e in empty]
            problems.append("empty: " + ", ".join(where(e) for e in empty))
        if problems:
            bad = missing + ([e.name for e in empty] if not self.allow_empty else [])
            what = " or ".join(w for w, on in (("missing", missing), ("empty", len(bad) > len(missing))) if on)
            raise CheckFailed(f"{len(bad)} of {len(self.names)} required settings {what} — "
                              + "; ".join(problems), data)
        return Evidence(summary=f"all {len(self.names)} set", data=data)


class EnvUrlCheck(Check):
    """A URL setting parses and points at an allowed, non-local host (scheme, port,
    database name and ``sslmode`` too, when asked)."""

    type_name = "env.url"
    example = {"name": "DATABASE_URL", "hosts": ["db.internal"], "schemes": ["postgresql"]}

    name: str
    hosts: list[str] = []
    schemes: list[str] = []
    port: int | None = Field(default=None, ge=1, le=65535)
    database: str | None = None
    sslmode: str | None = None
    #: Allow localhost, 127.x, ::1, *.local (off: production should not point there).
    local: bool = False
    #: Compose/Swarm service names that count as local (``db``, ``postgres``).
    service_names: list[str] = []

    @field_validator("sslmode")
    @classmethod
    def _sslmode(cls, value: str | None) -> str | None:
        if value is not None and value not in SSLMODES:
            raise ValueError(f"expected one of {', '.join(SSLMODES)}, got {value!r}")
        return value

    def describe(self) -> str:
        target = f" → {', '.join(self.hosts)}" if self.hosts else ""
        return f"env.url: {self.name}{target}"

    async def run(self, ctx: CheckContext) -> Evidence:
        setting = require_setting(ctx, self.name)
        try:
            url = urlsplit(setting.value.strip())
            host, port = url.hostname or "", url.port
        except ValueError as exc:
            raise CheckFailed(f"{where(setting)} is not a valid URL ({_url_error(exc)})",
                              {"name": self.name, "source": setting.source}) from None
        if not url.scheme or not host:
            raise CheckFailed(f"{where(setting)} is not a URL (expected scheme://host/…)",
                              {"name": self.name, "source": setting.source})
        database = url.path.lstrip("/") or None
        data: dict[str, Any] = {"name": self.name, "source": setting.source, "scheme": url.scheme,
                                "host": host, "port": port, "database": database}
        problems = self._problems(url, host, port, database)
        if problems:
            raise CheckFailed(f"{where(setting)} " + "; ".join(problems), data)
        shown = f"{url.scheme}://{host}" + (f":{port}" if port else "")
        # a local or documentation host passes only because `hosts` names it: say so
        refused = self._refused(host)
        allowed = f" ({refused}, allowed by hosts)" if refused else ""
        return Evidence(summary=f"{self.name} points at {shown}{allowed}", data=data)

    def _refused(self, host: str) -> str | None:
        """Why ``host`` is no production host on its own (local, a documentation domain)."""
        local = None if self.local else local_host(host, self.service_names)
        return local or ("a documentation domain" if documentation_host(host) else None)

    def _problems(
        self, url: SplitResult, host: str, port: int | None, database: str | None
    ) -> list[str]:
        problems = []
        if self.schemes and url.scheme.lower() not in {s.lower() for s in self.schemes}:
            problems.append(f"has scheme {url.scheme}, expected {' or '.join(self.schemes)}")
        # `hosts` is the allow-list: a host it names passes as written, even a local one
        # (a database behind a pgbouncer on 127.0.0.1); any other host fails, saying why
        refused = self._refused(host)
        shown = f"{host} ({refused})" if refused else host
        if self.hosts and not host_allowed(host, self.hosts):
            problems.append(f"points at {shown}, expected {' or '.join(self.hosts)}")
        elif not self.hosts and refused:
            problems.append(f"points at {shown}")
        if self.port is not None and (port or _default_port(url.scheme)) != self.port:
            problems.append(f"uses port {port or 'default'}, expected {self.port}")
        if self.database is not None and database != self.database:
            problems.append(f"names database {database or '(none)'}, expected {self.database}")
        if self.sslmode is not None:
            modes = parse_qs(url.query).get("sslmode")
            got = modes[-1] if modes else None
            if got not in SSLMODES[self.sslmode]:
                found = f"sslmode={got}" if got else "no sslmode"
                problems.append(f"has {found}, expected sslmode={self.sslmode} or stricter")
        return problems


def _default_port(scheme: str) -> int | None:
    return {"http": 80, "https": 443, "postgres": 5432, "postgresql": 5432, "mysql": 3306,
            "redis": 6379, "rediss": 6379, "amqp": 5672, "amqps": 5671,
            "mongodb": 27017}.get(scheme.lower())


def _url_error(exc: ValueError) -> str:
    text = str(exc)
    return "port is not a number" if "port" in text.lower() else "malformed host or port"


class EnvListCheck(Check):
    """A comma- or space-separated list (``ALLOWED_ORIGINS``) contains what it must, and no
    wildcard, local or (in production) plain-http entries."""

    type_name = "env.list"
    example = {"name": "ALLOWED_ORIGINS", "contains": ["https://example.org"]}

    name: str
    contains: list[str] = []
    separator: str | None = None
    #: Allow a ``*`` entry.
    wildcard: bool = False
    #: Allow localhost / 127.x / *.local entries.
    local: bool = False
    #: Require https:// entries; default: in an environment named production/prod/live.
    https: bool | None = None
    service_names: list[str] = []

    def describe(self) -> str:
        wanted = f" ∋ {', '.join(self.contains)}" if self.contains else ""
        return f"env.list: {self.name}{wanted}"

    def items(self, value: str) -> list[str]:
        if self.separator is not None:
            parts = value.split(self.separator)
        elif "," in value:
            parts = value.split(",")
        else:
            parts = value.split()
        return [p.strip() for p in parts if p.strip()]

    async def run(self, ctx: CheckContext) -> Evidence:
        setting = require_setting(ctx, self.name)
        items = self.items(setting.value)
        normal = {_normal(i) for i in items}
        data: dict[str, Any] = {"name": self.name, "source": setting.source, "items": len(items)}
        problems = []
        absent = [c for c in self.contains if _normal(c) not in normal]
        if absent:
            problems.append(f"does not include {', '.join(absent)} (it lists {len(items)} "
                            f"item{'s' if len(items) != 1 else ''})")
        if not self.wildcard and any(i == "*" or i.endswith("://*") for i in items):
            problems.append("allows any origin ('*')")
        local = [i for i in items if local_host(_host(i), self.service_names)]
        if not self.local:
            if local:
                problems.append(f"includes local entr{'ies' if len(local) > 1 else 'y'} "
                                + ", ".join(local))
        https = is_production(ctx) if self.https is None else self.https
        if https:
            plain = [i for i in items if i.lower().startswith("http://") and i not in local]
            if plain:
                problems.append("includes plain-http entr" + ("ies " if len(plain) > 1 else "y ")
                                + ", ".join(plain) + ", expected https only")
        if problems:
            raise CheckFailed(f"{where(setting)} " + "; ".join(problems), data)
        return Evidence(summary=f"{self.name} lists {len(items)} item{'s' if len(items) != 1 else ''}"
                        + (f", including {', '.join(self.contains)}" if self.contains else ""),
                        data=data)


def _normal(item: str) -> str:
    text = item.strip().rstrip("/")
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*://)?([^/]*)(.*)$", text)
    if not match:
        return text
    scheme, host, rest = match.groups()
    return f"{(scheme or '').lower()}{host.lower()}{rest}"


def _host(item: str) -> str:
    text = item.strip()
    if "://" not in text:
        text = "//" + text
    try:
        return urlsplit(text).hostname or ""
    except ValueError:
        return ""


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [EnvRequiredCheck, EnvUrlCheck, EnvListCheck]
