"""What every handler shares: the store, templates, authentication, and the helpers that
answer 401/403 the same way everywhere."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from gonogo.journal.store import Store
from gonogo.web.auth import Authenticator, Who

T = TypeVar("T")
Handler = Callable[["Web", Request], Awaitable[Response]]


class Denied(Exception):
    """Answer with ``status`` (401 no identity, 403 wrong role or no CSRF token)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Web:
    store: Store
    templates: Environment
    auth: Authenticator
    public_url: str | None = None
    config_path: Path | None = None
    started: dict[str, Any] = field(default_factory=dict)

    def bind(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(self, request)
            except Denied as denied:
                return self.denied(request, denied)
        return endpoint

    async def db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Journal reads and writes block: they run in a worker thread, not the event loop."""
        return await run_in_threadpool(fn, *args, **kwargs)

    async def who(self, request: Request, *, sign: bool = False) -> Who:
        """The request's identity; Denied(401) without one, Denied(403) when it must be able
        to sign and cannot."""
        found = await self.db(self.auth.who, request)
        if found is None:
            raise Denied(401, "not signed in: log in with your token, or send "
                              "Authorization: Bearer TOKEN")
        if sign and not found.user.may_sign:
            raise Denied(403, f"{found.user.name} is a {found.user.role} and cannot sign off "
                              "(approver, deployer or admin can)")
        return found

    def source(self, request: Request, who: Who) -> str:
        client = self.auth.client(request)
        return f"web ({who.via}) from {client}"

    def render(self, request: Request, name: str, status: int = 200,
               who: Who | None = None, **values: Any) -> HTMLResponse:
        html = self.templates.get_template(name).render(request=request, who=who, **values)
        return HTMLResponse(html, status_code=status)

    def denied(self, request: Request, denied: Denied) -> Response:
        wants_json = (request.url.path.startswith("/api/") or request.url.path == "/metrics"
                      or "application/json" in request.headers.get("accept", ""))
        headers = {"WWW-Authenticate": 'Bearer realm="gonogo"'} if denied.status == 401 else {}
        if wants_json:
            return JSONResponse({"error": denied.message}, status_code=denied.status,
                                headers=headers)
        if denied.status == 401:
            return self.render(request, "login.html", status=401, error=None,
                               next=request.url.path)
        return self.render(request, "error.html", status=denied.status, message=denied.message)
