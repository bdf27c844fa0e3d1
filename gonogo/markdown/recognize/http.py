"""Items about HTTP: an endpoint returns a status, a service is healthy, routing works,
a login flow succeeds. URLs come from the document's ``curl`` lines (``scan``), rewritten
to the sidecar's ``api_url``/``web_url``/``domain``."""

from __future__ import annotations

import re
from typing import Any

from gonogo.markdown.parse import Item, Section
from gonogo.markdown.recognize.base import Context, Recognized, codes, has
from gonogo.markdown.recognize.scan import URL, Curl, is_api, split_url
from gonogo.markdown.shell import escape

_HTTPISH = (r"\breturns?\s+(http\s*)?\d{3}\b|\bresponds?\b|\bloads?\b|\breachable\b|\bis up\b"
            r"|\bhome ?page\b|\bendpoint\b|\b(200|201|204|301|302)\b")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def rewrite(url: str, ctx: Context) -> str:
    """Point a URL of the document at the sidecar's ``api_url``/``web_url``/``domain``."""
    url = escape(url)
    scheme, host, path, query = split_url(url)
    tail = path + (f"?{query}" if query else "")
    if is_api(url) and host.startswith("api."):
        api = ctx.ref("api_url")
        if api:
            return api + tail
    elif not host.startswith("api."):
        web = ctx.ref("web_url")
        if web:
            return web + tail
    domain = ctx.ref("domain")
    if domain and "." in host:
        sub = host.split(".")[0] + "." if host.count(".") >= 2 else ""
        return f"{scheme or 'https'}://{sub}{domain}{tail}"
    return url


def _pick_url(item: Item, section: Section, ctx: Context) -> Curl | None:
    """The curl an item is about: its section's first, then the document's, filtered by the
    item's literal URL, its `/path`, and whether it speaks of the API or the web app."""
    path = next((c for c in codes(item.text) if c.startswith("/")), None)
    literal = URL.search(item.text)
    api = has(item.text, r"\bapi\b|backend")
    web = has(item.text, r"\bweb\b|home ?page|site|frontend|landing|front page")
    wanted = True if api else (False if web else None)
    prefix = literal.group(0) if literal else None
    for index in (ctx.scan.section_urls(section), ctx.scan.urls):
        found = index.pick(literal=prefix, path=path, api=wanted)
        if found is not None:
            return found
    return None


def http_item(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = _LINK.sub(r"\1", item.text)  # a link is a reference, not a claim about its target
    if not has(text, _HTTPISH):
        return None
    status = re.search(r"\b([1-5]\d\d)\b", text)
    expect = {"status": int(status.group(1)) if status else 200}
    literal = URL.search(text)
    curl = _pick_url(item, section, ctx)
    if curl is not None:
        consumes = [curl.command] if curl.section is section and id(curl.command) not in ctx.used else []
        return Recognized("http", {"url": rewrite(curl.url, ctx), "expect": expect}, "http",
                          consumes=consumes, note=f"curl line {curl.command.line}")
    if literal:
        return Recognized("http", {"url": rewrite(literal.group(0), ctx), "expect": expect}, "http")
    path = next((c for c in codes(text) if c.startswith("/")), "")
    base, need = _base_url(text, ctx)
    if base is None:
        return Recognized("http", {"expect": expect}, "http", needs=[need])
    return Recognized("http", {"url": base + path, "expect": expect}, "http")


def _base_url(text: str, ctx: Context) -> tuple[str | None, str]:
    if has(text, r"\bapi\b|backend"):
        return ctx.ref("api_url") or ((f"https://api.{ctx.ref('domain')}") if ctx.ref("domain") else None), "api_url"
    return ctx.ref("web_url") or ((f"https://{ctx.ref('domain')}") if ctx.ref("domain") else None), "web_url"


def service_healthy(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    match = re.search(r"\b([\w-]+)\s+(service\s+|container\s+)?(is\s+)?(healthy|up|running|responding)\b", text, re.I)
    routing = has(text, r"\b(nginx|proxy|routing|load balancer|ingress|traefik|caddy)\b")
    if not match and not routing:
        return None
    if has(text, r"\blocal(ly)?\b"):
        return None
    name = (match.group(1) if match else "proxy").lower()
    for service in ctx.services:
        health = service.get("health")
        if str(service.get("name", "")).lower() == name and isinstance(health, dict) and health.get("url"):
            expect = {"status": health.get("status", 200)}
            return Recognized("http", {"url": health["url"], "expect": expect}, "service health",
                              note=f"services[{service['name']}].health")
    urls = ctx.scan.urls
    if routing:
        public = urls.first(api=False) or urls.first()
        if public is not None:
            return Recognized("http", {"url": rewrite(public.url, ctx), "expect": {"status": 200}},
                              "proxy routing", note=f"curl line {public.command.line}")
        base, need = _base_url("web", ctx)
        if base is None:
            return Recognized("http", {}, "proxy routing", needs=["domain"])
        return Recognized("http", {"url": base, "expect": {"status": 200}}, "proxy routing")
    api = name in ("api", "backend", "server")
    chosen = urls.first(api=api)
    if chosen is not None:
        return Recognized("http", {"url": rewrite(chosen.url, ctx), "expect": {"status": 200}},
                          "service health", note=f"curl line {chosen.command.line}")
    var = f"{name}_url"
    ref = ctx.ref(var)
    if ref is None:
        return Recognized("http", {}, "service health", needs=[var])
    return Recognized("http", {"url": ref + ("/health" if api else ""), "expect": {"status": 200}},
                      "service health")


def authentication(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"authenticat|\blog ?in\b|\bsign ?in\b|\bauth\b"):
        return None
    login = ctx.ref("login_url")
    email, password = ctx.ref("SMOKE_EMAIL"), ctx.ref("SMOKE_PASSWORD")
    needs = [n for n, v in (("login_url", login), ("SMOKE_EMAIL", email), ("SMOKE_PASSWORD", password)) if not v]
    params: dict[str, Any] = {}
    if not needs:
        params = {"steps": [{"request": {"method": "POST", "url": login,
                                         "json": {"email": email, "password": password}},
                             "expect": {"status": [200, 201]}}]}
    return Recognized("http.flow", params, "login flow", needs=needs)
