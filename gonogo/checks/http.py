"""``http``: an endpoint answers as expected (status, body, JSON fields, latency)."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from pydantic import Field

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.core.errors import CheckError, CheckFailed
from gonogo.core.fields import Duration, HttpUrl, Strict
from gonogo.hookimpl import hookimpl

if TYPE_CHECKING:
    import ssl

    import httpx

BODY_EXCERPT = 300


class HttpExpect(Strict):
    status: int | list[int] = 200
    body_contains: str | None = None
    body_not_contains: str | None = None
    json_: dict[str, Any] = Field(default={}, alias="json")
    max_latency: Duration | None = None
    headers: dict[str, str] = {}


class HttpCheck(Check):
    """An HTTP(S) endpoint answers with the expected status, body, JSON fields and latency."""

    type_name = "http"
    example = {"url": "http://127.0.0.1:3000/health", "expect": {"status": 200, "json": {"$.status": "ok"}}}

    url: HttpUrl
    method: str = "GET"
    headers: dict[str, str] = {}
    body: str | None = None
    json_body: Any = Field(default=None, alias="json")
    expect: HttpExpect = HttpExpect()
    verify_tls: bool = True
    follow_redirects: bool = True
    request_timeout: Duration = 30.0

    def describe(self) -> str:
        status = self.expect.status
        return f"http: {self.method} {self.url} → {status}"

    async def run(self, ctx: CheckContext) -> Evidence:
        import httpx  # heavy: imported only when an http check runs

        kwargs: dict[str, Any] = {"headers": self.headers}
        if self.json_body is not None:
            kwargs["json"] = self.json_body
        elif self.body is not None:
            kwargs["content"] = self.body.encode()
        start = time.perf_counter()
        try:
            async with httpx.AsyncClient(
                verify=_ssl_context(self.verify_tls),
                follow_redirects=self.follow_redirects,
                timeout=self.request_timeout,
                trust_env=False,
            ) as client:
                response = await client.request(self.method.upper(), self.url, **kwargs)
        except httpx.HTTPError as exc:
            raise CheckFailed(f"{self.method} {self.url}: {failure(exc, self.request_timeout)}") from None
        latency = time.perf_counter() - start
        return check_response(self.expect, self.method, self.url, response.status_code,
                              dict(response.headers), response.text, latency)


def check_response(
    expect: HttpExpect,
    method: str,
    url: str,
    status: int,
    headers: dict[str, str],
    body: str,
    latency: float,
) -> Evidence:
    """Hold one response to ``expect``; shared with multi-step flows."""
    data: dict[str, Any] = {
        "method": method,
        "url": url,
        "status": status,
        "latency_ms": round(latency * 1000, 1),
        "body_excerpt": body[:BODY_EXCERPT],
    }
    wanted = expect.status if isinstance(expect.status, list) else [expect.status]
    if status not in wanted:
        expected = " or ".join(str(s) for s in wanted)
        raise CheckFailed(f"HTTP {status}, expected {expected}", data)
    if expect.body_contains is not None and expect.body_contains not in body:
        raise CheckFailed(f"body does not contain {expect.body_contains!r}", data)
    if expect.body_not_contains is not None and expect.body_not_contains in body:
        raise CheckFailed(f"body contains {expect.body_not_contains!r}", data)
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, value in expect.headers.items():
        got = lowered.get(name.lower())
        if got is None or value not in got:
            raise CheckFailed(f"header {name}: {got!r}, expected {value!r}", data)
    if expect.json_:
        import json

        try:
            document = json.loads(body)
        except ValueError:
            raise CheckFailed("body is not JSON", data) from None
        for path, value in expect.json_.items():
            try:
                got = json_path(document, path)
            except KeyError:
                raise CheckFailed(f"{path} is missing from the JSON body", data) from None
            if got != value:
                raise CheckFailed(f"{path} is {got!r}, expected {value!r}", data)
    if expect.max_latency is not None and latency > expect.max_latency:
        raise CheckFailed(
            f"answered in {latency * 1000:.0f}ms, over the {expect.max_latency * 1000:.0f}ms limit", data
        )
    return Evidence(summary=f"HTTP {status} in {latency * 1000:.0f}ms", data=data)


_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]|\[['\"]([^'\"]+)['\"]\]")


def json_path(document: Any, path: str) -> Any:
    """Resolve a simple JSONPath (``$.a.b[0]['c']``); raise KeyError when absent.

    Hand-written: the subset users write in expectations needs no full JSONPath engine.
    """
    rest = path.strip()
    if rest.startswith("$"):
        rest = rest[1:]
    elif not rest.startswith((".", "[")):
        rest = "." + rest
    node = document
    pos = 0
    while pos < len(rest):
        match = _STEP.match(rest, pos)
        if not match:
            raise KeyError(path)
        key, index, quoted = match.groups()
        if index is not None:
            if not isinstance(node, list) or int(index) >= len(node):
                raise KeyError(path)
            node = node[int(index)]
        else:
            name = key if key is not None else quoted
            if not isinstance(node, dict) or name not in node:
                raise KeyError(path)
            node = node[name]
        pos = match.end()
    return node


@functools.cache
def _ssl_context(verify: bool) -> ssl.SSLContext:
    """One TLS context per setting for the whole process: loading the CA bundle costs
    ~15 ms of CPU, which a client per check would pay again every time."""
    import httpx

    return httpx.create_ssl_context(verify=verify, trust_env=False)


async def api_get(
    what: str,
    url: str,
    *,
    params: Any,
    headers: dict[str, str],
    verify_tls: bool,
    timeout: float,
) -> httpx.Response:
    """GET an HTTP API a check reads (Prometheus, Alertmanager); an unreachable API is a
    ``CheckError`` naming ``what``, since it says nothing about the release itself."""
    import httpx

    try:
        async with client_for(verify_tls, timeout) as client:
            return await client.get(url, params=params, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise CheckError(f"{what}: {failure(exc, timeout)}") from None


#: The keep-alive client of the watch window in progress, if any (see ``window_client``).
_WINDOW_CLIENT: ContextVar[Any] = ContextVar("gonogo_window_client", default=None)


@asynccontextmanager
async def window_client() -> AsyncIterator[None]:
    """One keep-alive client for every sample of a watch window: a new client and a new
    connection per sample cost most of the CPU of watching."""
    import httpx

    async with httpx.AsyncClient(verify=_ssl_context(True), trust_env=False) as client:
        token = _WINDOW_CLIENT.set(client)
        try:
            yield
        finally:
            _WINDOW_CLIENT.reset(token)


@asynccontextmanager
async def client_for(verify_tls: bool, timeout: float) -> AsyncIterator[httpx.AsyncClient]:
    """The window's shared client when one is open (and TLS is verified), else a new one.
    Callers pass ``timeout`` on each request, so both behave the same."""
    import httpx

    shared = _WINDOW_CLIENT.get()
    if shared is not None and verify_tls:
        yield shared
        return
    async with httpx.AsyncClient(verify=_ssl_context(verify_tls), timeout=timeout,
                                 trust_env=False) as client:
        yield client


def failure(exc: httpx.HTTPError, timeout: float) -> str:
    """What went wrong with a request that got no answer, in words a person can act on."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {timeout:g}s"
    return _reason(exc)


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if "Connection refused" in text or "connect" in type(exc).__name__.lower():
        return f"connection failed ({text})"
    return text


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [HttpCheck]
