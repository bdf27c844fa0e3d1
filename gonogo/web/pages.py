"""The HTML pages: overview, runs, one run (live), releases, checklist, audit, login."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)

from gonogo.core.errors import GonogoError
from gonogo.journal import audit
from gonogo.journal.schema import RunRecord
from gonogo.reports import checklist_report
from gonogo.reports.common import ICONS, counts_line, evidence, output_tail, verdict_of
from gonogo.web import checklist, queries
from gonogo.web.auth import COOKIE, SESSION_MAX_AGE_S
from gonogo.web.context import Denied, Web
from gonogo.web.signing import DECISIONS, SignoffFailed, apply_signoff


async def healthz(web: Web, request: Request) -> Response:
    await web.db(queries.change_mark, web.store, "")  # the journal answers
    return JSONResponse({"status": "ok"})


async def login_form(web: Web, request: Request) -> Response:
    return web.render(request, "login.html", error=None, next=_safe_next(request))


async def login(web: Web, request: Request) -> Response:
    client = web.auth.client(request)
    wait = web.auth.limiter.allowed(client)
    if wait is not None:
        return web.render(request, "login.html", status=429, next=_safe_next(request),
                          error=f"too many attempts: try again in {int(wait) + 1}s")
    form = await request.form()
    token = str(form.get("token") or "")
    found = await web.db(web.auth.login, token)
    if found is None:
        web.auth.limiter.failed(client)
        return web.render(request, "login.html", status=401, next=_safe_next(request),
                          error="unknown or revoked token")
    _user, cookie = found
    response = RedirectResponse(_safe_next(request, str(form.get("next") or "")), status_code=303)
    response.set_cookie(COOKIE, cookie, max_age=SESSION_MAX_AGE_S, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https", path="/")
    return response


async def logout(web: Web, request: Request) -> Response:
    who = await web.who(request)
    form = await request.form()
    if not web.auth.csrf_ok(who, _csrf(request, form.get("csrf"))):
        raise Denied(403, "missing or wrong CSRF token")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _safe_next(request: Request, value: str | None = None) -> str:
    """Only a path on this server: never a redirect elsewhere."""
    target = value if value is not None else request.query_params.get("next", "/")
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _csrf(request: Request, field: object) -> str | None:
    return request.headers.get("x-csrf-token") or (str(field) if field else None)


async def overview(web: Web, request: Request) -> Response:
    who = await web.who(request)
    envs = await web.db(queries.overview, web.store)
    return web.render(request, "overview.html", who=who, environments=envs)


def _filter(request: Request) -> queries.RunFilter:
    q = request.query_params

    def day(name: str) -> str | None:
        value = q.get(name) or None
        if value is None:
            return None
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise Denied(400, f"{name}: expected a date like 2026-12-01, got {value!r}") from None

    verdict = q.get("verdict") or None
    if verdict is not None and verdict not in queries.VERDICTS:
        raise Denied(400, f"verdict: expected one of {', '.join(queries.VERDICTS)}")
    return queries.RunFilter(environment=q.get("environment") or None, verdict=verdict,
                             command=q.get("command") or None, since=day("since"),
                             until=day("until"))


def page_number(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        raise Denied(400, "page: expected a number") from None


async def runs_list(web: Web, request: Request) -> Response:
    who = await web.who(request)
    where = _filter(request)
    page = await web.db(queries.runs_page, web.store, where, page_number(request))
    options = await web.db(queries.choices, web.store)
    return web.render(request, "runs.html", who=who, page=page, where=where, options=options,
                      verdict_of=verdict_of, counts_line=counts_line)


def run_view(record: RunRecord) -> dict[str, Any]:
    """What the run page shows: phases with their items, evidence as reports show it."""
    phases: list[dict[str, Any]] = []
    for r in record.results:
        if not phases or phases[-1]["id"] != r.phase:
            phases.append({"id": r.phase, "kind": r.kind, "items": []})
        shown = {k: (json.dumps(v, ensure_ascii=False, default=str)
                     if isinstance(v, (dict, list)) else v)
                 for k, v in evidence(r).items() if k not in ("traceback", "signoff")}
        phases[-1]["items"].append({
            "result": r, "icon": ICONS[r.outcome], "evidence": shown,
            "tail": output_tail(r, 15) if r.outcome.value in ("failed", "errored", "warned")
            else "",
            "signable": r.outcome.value == "pending" or r.type == "manual"
            or r.outcome.value in ("failed", "errored", "warned"),
            "decisions": [s for s in record.signoffs if s.get("check_id") == r.id],
        })
    try:
        ticked: str | None = checklist_report.render(record)
    except (GonogoError, OSError):
        ticked = None
    return {"record": record, "verdict": verdict_of(record), "phases": phases,
            "ticked": ticked, "counts": counts_line(record)}


async def run_page(web: Web, request: Request) -> Response:
    who = await web.who(request)
    record = await _load(web, request.path_params["run_id"])
    return web.render(request, "run.html", who=who, decisions=DECISIONS, error=None,
                      **run_view(record))


async def run_fragment(web: Web, request: Request) -> Response:
    """The live part of the run page, fetched again on every server-sent event."""
    who = await web.who(request)
    record = await _load(web, request.path_params["run_id"])
    return web.render(request, "run_body.html", who=who, decisions=DECISIONS, error=None,
                      **run_view(record))


async def _load(web: Web, ref: str) -> RunRecord:
    try:
        return await web.db(queries.one_run, web.store, ref)
    except GonogoError as exc:
        raise Denied(404, str(exc)) from None


async def signoff(web: Web, request: Request) -> Response:
    who = await web.who(request)
    form = await request.form()
    if not web.auth.csrf_ok(who, _csrf(request, form.get("csrf"))):
        raise Denied(403, "missing or wrong CSRF token: reload the page and try again")
    who = await web.who(request, sign=True)
    run_id = request.path_params["run_id"]
    try:
        record = await web.db(apply_signoff, web, request, who, run_id,
                              {k: str(v) for k, v in form.items() if isinstance(v, str)})
    except SignoffFailed as failed:
        record = await _load(web, run_id)
        return web.render(request, "run.html", status=failed.status, who=who,
                          decisions=DECISIONS, error=failed.message, **run_view(record))
    return RedirectResponse(f"/runs/{record.id}", status_code=303)


async def releases_page(web: Web, request: Request) -> Response:
    who = await web.who(request)
    env = request.query_params.get("environment") or None
    history = await web.db(queries.releases, web.store, env)
    live = await web.db(queries.live, web.store, env)
    return web.render(request, "releases.html", who=who, history=history, live=live, env=env)


async def checklist_page(web: Web, request: Request) -> Response:
    who = await web.who(request)
    data = await web.db(checklist.explained, web.config_path)
    return web.render(request, "checklist.html", who=who, data=data)


def _audit_filter(request: Request) -> audit.AuditFilter:
    q = request.query_params
    action = q.get("action") or None
    if action is not None and action not in audit.ACTIONS:
        raise Denied(400, f"action: expected one of {', '.join(audit.ACTIONS)}")
    return audit.AuditFilter(action=action, actor=q.get("actor") or None,
                             run_id=q.get("run") or None, since=q.get("since") or None,
                             until=q.get("until") or None)


async def audit_page(web: Web, request: Request) -> Response:
    who = await web.who(request)
    where = _audit_filter(request)
    page = page_number(request)
    rows = await web.db(audit.rows, web.store.engine, where, limit=queries.PER_PAGE,
                        offset=(page - 1) * queries.PER_PAGE)
    return web.render(request, "audit.html", who=who, rows=rows, where=where, page=page,
                      actions=audit.ACTIONS)


async def audit_export(web: Web, request: Request) -> Response:
    await web.who(request)
    rows = await web.db(audit.rows, web.store.engine, _audit_filter(request), limit=None)

    def lines() -> Iterator[str]:
        for row in rows:
            yield json.dumps(row, ensure_ascii=False, default=str, sort_keys=True) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="audit.jsonl"'})


def text(message: str, status: int) -> Response:
    return PlainTextResponse(message + "\n", status_code=status)
