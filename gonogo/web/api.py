"""The JSON API under /api/v1/: runs, one run (the json report's shape), sign-offs, releases,
and an environment's status for uptime monitors and CI gates (200 GO, 503 otherwise)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gonogo.core.errors import GonogoError
from gonogo.core.outcomes import Outcome
from gonogo.reports.json_report import as_dict, run_summary
from gonogo.web import queries
from gonogo.web.context import Denied, Web
from gonogo.web.pages import _filter, page_number
from gonogo.web.signing import SignoffFailed, apply_signoff


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, default=str), status_code=status,
                    media_type="application/json")


async def runs(web: Web, request: Request) -> Response:
    await web.who(request)
    page = await web.db(queries.runs_page, web.store, _filter(request), page_number(request))
    return _json({"runs": [run_summary(r) | {"counts": r.counts} for r in page.records],
                  "page": page.page, "pages": page.pages, "total": page.total})


async def run(web: Web, request: Request) -> Response:
    await web.who(request)
    try:
        record = await web.db(queries.one_run, web.store, request.path_params["run_id"])
    except GonogoError as exc:
        raise Denied(404, str(exc)) from None
    return _json(as_dict(record))


async def signoff(web: Web, request: Request) -> Response:
    who = await web.who(request)
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"error": "expected a JSON object"}, status_code=400)
    if not isinstance(body, dict):
        return JSONResponse({"error": "expected a JSON object"}, status_code=400)
    if not web.auth.csrf_ok(who, request.headers.get("x-csrf-token")):
        raise Denied(403, "missing or wrong CSRF token (X-CSRF-Token)")
    who = await web.who(request, sign=True)
    try:
        record = await web.db(apply_signoff, web, request, who, request.path_params["run_id"],
                              body)
    except SignoffFailed as failed:
        return JSONResponse({"error": failed.message}, status_code=failed.status)
    return _json(as_dict(record), status=201)


async def releases(web: Web, request: Request) -> Response:
    await web.who(request)
    env = request.query_params.get("environment") or None
    history = await web.db(queries.releases, web.store, env)
    live = await web.db(queries.live, web.store, env)
    return _json({
        "live": [{"environment": s.environment, "service": s.service, "version": s.version,
                  "image": s.image, "since": s.since.isoformat(), "by": s.user,
                  "run_id": s.run_id, "state": s.state} for s in live],
        "releases": [{"run_id": r.run_id, "environment": r.environment, "version": r.version,
                      "status": r.status, "verified": r.verified, "command": r.command,
                      "started_at": r.started_at.isoformat(), "by": r.user, "note": r.note}
                     for r in history]})


async def environment_status(web: Web, request: Request) -> Response:
    """200 only when the environment's last verdict is GO: nothing passes by absence. Any other
    answer says why: the items that failed or still wait (with their summaries), e.g. a
    sign-off deadline that passed."""
    await web.who(request)
    env = request.path_params["env"]
    last = (await web.db(queries.last_verdicts, web.store)).get(env)
    if last is None:
        return _json({"environment": env, "verdict": None,
                      "error": "no finished run recorded for this environment"}, status=503)
    body = {"environment": env, "verdict": last["verdict"], "run_id": last["id"],
            "command": last["command"], "version": last["version"],
            "finished_at": last["finished_at"]}
    if last["verdict"] == "GO":
        return _json(body)
    record = await web.db(queries.one_run, web.store, last["id"])
    body["reasons"] = [f"{r.id}: {r.outcome} — {r.summary}" for r in record.results
                       if r.outcome in (Outcome.FAILED, Outcome.ERRORED, Outcome.PENDING)]
    return _json(body, status=503)
