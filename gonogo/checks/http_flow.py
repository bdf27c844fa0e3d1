"""``http.flow``: a multi-step HTTP scenario — log in, take the token from the JSON body, a
cookie or a header, call an authorized endpoint, log out — with per-step expectations.

Steps are interpolated at run time (``deferred_fields``): ``${token}`` takes what an
earlier step captured, ``${SMOKE_PASSWORD}`` the environment's settings. Captured values
that look secret (tokens, cookies, session ids) join the run's redactor at once, so they
never reach the journal, a report or the console.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, ClassVar
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.http import HttpExpect, _ssl_context, check_response, failure, json_path
from gonogo.core.errors import CheckError, CheckFailed
from gonogo.core.fields import Duration, HttpUrl, Strict
from gonogo.core.urls import UrlError, check_url
from gonogo.hookimpl import hookimpl
from gonogo.interpolate import UndefinedVariable, interpolate
from gonogo.redact import looks_secret

_CAPTURE = re.compile(r"^(?:(?:json:)?\$.*|cookie:.+|header:.+|regex:.+)$")
_SECRET_NAME = re.compile(r"session|jwt|auth|csrf|cookie|bearer|sid\b", re.I)


class FlowRequest(Strict):
    method: str = "GET"
    url: HttpUrl
    headers: dict[str, str] = {}
    json_: Any = Field(default=None, alias="json")
    body: str | None = None
    form: dict[str, str] | None = None


class FlowStep(Strict):
    name: str | None = None
    request: FlowRequest
    expect: HttpExpect = HttpExpect()
    #: variable → where to take it: ``$.access_token`` (JSON body), ``cookie:NAME``,
    #: ``header:NAME`` or ``regex:PATTERN`` (its first group, in the body).
    capture: dict[str, str] = {}

    @field_validator("capture")
    @classmethod
    def _sources(cls, value: dict[str, str]) -> dict[str, str]:
        for name, source in value.items():
            if not _CAPTURE.match(source):
                raise ValueError(f"capture {name}: expected '$.json.path', 'cookie:NAME', "
                                 f"'header:NAME' or 'regex:PATTERN', got {source!r}")
            if source.startswith("regex:"):
                try:
                    re.compile(source[6:])
                except re.error as exc:
                    raise ValueError(f"capture {name}: bad regular expression ({exc})") from None
        return value


class HttpFlowCheck(Check):
    """Steps run in order on one client (cookies carry over); the first failed step fails it."""

    type_name = "http.flow"
    example = {"steps": [
        {"name": "login", "request": {"method": "POST", "url": "http://127.0.0.1:3000/auth/login",
                                      "json": {"email": "smoke@example.com",
                                               "password": "${SMOKE_PASSWORD}"}},
         "expect": {"status": 200}, "capture": {"token": "$.access_token"}},
        {"name": "me", "request": {"url": "http://127.0.0.1:3000/me",
                                   "headers": {"Authorization": "Bearer ${token}"}},
         "expect": {"status": 200}},
    ]}
    deferred_fields: ClassVar[tuple[str, ...]] = ("steps",)

    steps: list[FlowStep] = Field(min_length=1)
    verify_tls: bool = True
    follow_redirects: bool = True
    request_timeout: Duration = 30.0
    #: Captured variables that are not secret (shown as they are); the others that look
    #: secret by name or come from a cookie or header are redacted.
    public: list[str] = []

    def describe(self) -> str:
        names = " → ".join(_step_name(i, s, s.request.url) for i, s in enumerate(self.steps, 1))
        return f"http.flow: {names}"

    async def run(self, ctx: CheckContext) -> Evidence:
        import httpx

        variables: dict[str, str] = dict(ctx.env)
        variables.update({k: v.value for k, v in ctx.settings.items()})
        if "GONOGO_VERSION" in ctx.env:
            variables.setdefault("version", ctx.env["GONOGO_VERSION"])
        if ctx.environment:
            variables.setdefault("env", ctx.environment)
        captured: dict[str, str] = {}
        done: list[dict[str, Any]] = []
        async with httpx.AsyncClient(verify=_ssl_context(self.verify_tls),
                                     follow_redirects=self.follow_redirects,
                                     timeout=self.request_timeout, trust_env=False) as client:
            for number, step in enumerate(self.steps, 1):
                request = self._resolve(number, step, {**variables, **captured}, captured)
                label = _step_name(number, step, request["url"])
                start = time.perf_counter()
                try:
                    response = await client.request(**request)
                except httpx.HTTPError as exc:
                    raise CheckFailed(f"step {label}: {failure(exc, self.request_timeout)}",
                                      {"steps": done}) from None
                latency = time.perf_counter() - start
                try:
                    evidence = check_response(step.expect, request["method"], request["url"],
                                              response.status_code, dict(response.headers),
                                              response.text, latency)
                except CheckFailed as exc:
                    done.append({"step": label, **exc.evidence})
                    raise CheckFailed(f"step {label}: {exc.message}", {"steps": done}) from None
                for name, source in step.capture.items():
                    value = _capture(source, response)
                    if value is None:
                        done.append({"step": label, **evidence.data})
                        raise CheckFailed(f"step {label}: capture {name}: {_missing(source)}",
                                          {"steps": done})
                    if name not in self.public and (
                            looks_secret(name) or _SECRET_NAME.search(name)
                            or source.startswith(("cookie:", "header:"))):
                        ctx.redactor.add(name, value)
                    captured[name] = value
                done.append({"step": label, **evidence.data,
                             "captured": sorted(step.capture)})
        chain = " → ".join(f"{d['step']} {d['status']}" for d in done)
        noun = "step" if len(done) == 1 else "steps"
        return Evidence(f"{len(done)} {noun} passed: {chain}", {"steps": done})

    def _resolve(self, number: int, step: FlowStep, variables: dict[str, str],
                 captured: dict[str, str]) -> dict[str, Any]:
        def fill(value: Any) -> Any:
            if isinstance(value, str):
                return interpolate(value, variables)
            if isinstance(value, dict):
                return {fill(k): fill(v) for k, v in value.items()}
            if isinstance(value, list):
                return [fill(v) for v in value]
            return value

        req = step.request
        try:
            url = fill(req.url)
            out: dict[str, Any] = {"method": req.method.upper(), "url": url,
                                   "headers": fill(req.headers)}
            if req.json_ is not None:
                out["json"] = fill(req.json_)
            elif req.form is not None:
                out["data"] = fill(req.form)
            elif req.body is not None:
                out["content"] = fill(req.body).encode()
        except UndefinedVariable as exc:
            have = ", ".join(sorted(captured)) or "nothing"
            raise CheckError(f"step {_step_name(number, step, req.url)}: undefined variable "
                             f"${{{exc.name}}} (captured so far: {have})") from None
        try:
            check_url(url)
        except UrlError as exc:
            raise CheckError(f"step {_step_name(number, step, req.url)}: {exc}") from None
        return out


def _step_name(number: int, step: FlowStep, url: str) -> str:
    if step.name:
        return f"{number} ({step.name})"
    path = urlsplit(url).path if "://" in url else url
    return f"{number} ({step.request.method.upper()} {path or '/'})"


def _capture(source: str, response: Any) -> str | None:
    if source.startswith("cookie:"):
        value = response.cookies.get(source[7:])
        return str(value) if value is not None else None
    if source.startswith("header:"):
        value = response.headers.get(source[7:])
        return str(value) if value is not None else None
    if source.startswith("regex:"):
        match = re.search(source[6:], response.text)
        if not match:
            return None
        return match.group(1) if match.groups() else match.group(0)
    path = source[5:] if source.startswith("json:") else source
    try:
        found = json_path(json.loads(response.text), path)
    except (ValueError, KeyError):
        return None
    return found if isinstance(found, str) else json.dumps(found)


def _missing(source: str) -> str:
    if source.startswith("cookie:"):
        return f"no cookie {source[7:]!r} was set"
    if source.startswith("header:"):
        return f"no {source[7:]} header in the answer"
    if source.startswith("regex:"):
        return f"the body does not match /{source[6:]}/"
    return f"{source.removeprefix('json:')} is missing from the JSON body"


@hookimpl
def gonogo_check_types() -> list[type[HttpFlowCheck]]:
    return [HttpFlowCheck]
