"""The Starlette application: routes, security headers, and the context handlers share."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from gonogo.journal.store import Store
from gonogo.web import api, events, metrics, pages
from gonogo.web.auth import Authenticator, AuthSettings
from gonogo.web.context import Web

HERE = Path(__file__).parent

#: Scripts and styles only from this server's /static: an injected <script> cannot run.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


@dataclass
class ServeOptions:
    public_url: str | None = None
    proxy_header: str | None = None
    trusted_proxies: tuple[str, ...] = ()
    config_path: Path | None = None


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        began = time.perf_counter()
        response = await call_next(request)
        # the server's own time (bench/serve.py reads it); a stream's is its first byte
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - began) * 1000:.1f}"
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def create_app(store: Store, options: ServeOptions) -> Starlette:
    templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                            autoescape=select_autoescape(default=True, default_for_string=True))
    auth = Authenticator(store.engine, AuthSettings(options.proxy_header,
                                                    frozenset(options.trusted_proxies)))
    web = Web(store=store, templates=templates, auth=auth, public_url=options.public_url,
              config_path=options.config_path)
    routes = [
        Route("/healthz", web.bind(pages.healthz)),
        Route("/login", web.bind(pages.login_form), methods=["GET"]),
        Route("/login", web.bind(pages.login), methods=["POST"]),
        Route("/logout", web.bind(pages.logout), methods=["POST"]),
        Route("/", web.bind(pages.overview)),
        Route("/runs", web.bind(pages.runs_list)),
        Route("/runs/{run_id}", web.bind(pages.run_page)),
        Route("/runs/{run_id}/fragment", web.bind(pages.run_fragment)),
        Route("/runs/{run_id}/events", web.bind(events.stream)),
        Route("/runs/{run_id}/signoffs", web.bind(pages.signoff), methods=["POST"]),
        Route("/releases", web.bind(pages.releases_page)),
        Route("/checklist", web.bind(pages.checklist_page)),
        Route("/audit", web.bind(pages.audit_page)),
        Route("/audit.jsonl", web.bind(pages.audit_export)),
        Route("/metrics", web.bind(metrics.endpoint)),
        Route("/api/v1/runs", web.bind(api.runs)),
        Route("/api/v1/runs/{run_id}", web.bind(api.run)),
        Route("/api/v1/runs/{run_id}/signoffs", web.bind(api.signoff), methods=["POST"]),
        Route("/api/v1/releases", web.bind(api.releases)),
        Route("/api/v1/environments/{env}/status", web.bind(api.environment_status)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
