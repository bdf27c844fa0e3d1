"""Typed config fields every layer shares: the strict base model, durations with a unit,
and URLs checked when the config loads (secret ones never quoted in an error).

Check types declare their parameters with these; the config model builds on them.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from gonogo.core.durations import MAX_DURATION, format_limit, parse_duration
from gonogo.core.urls import POSTGRES_SCHEMES, check_url

_DURATION_PATTERN = r"^(\d+(\.\d+)?(ms|s|m|h|d))+$"
#: How old a secret may grow (`max_age: 90d`): months or years, not a week.
MAX_AGE = 3660 * 86400.0


def _duration_schema(maximum: float) -> WithJsonSchema:
    return WithJsonSchema({
        "type": "string",
        "pattern": _DURATION_PATTERN,
        "description": f"a duration like 500ms, 30s, 10m, 1h (more than 0, at most "
                       f"{format_limit(maximum)})",
    })


def _as_text(seconds: float) -> str:
    return f"{seconds:g}s"


#: A timeout, wait or window: with a unit, more than 0, at most a week.
Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    PlainSerializer(_as_text, return_type=str),
    _duration_schema(MAX_DURATION),
]
#: A secret's age limit: with a unit, more than 0, at most MAX_AGE.
Age = Annotated[
    float,
    BeforeValidator(partial(parse_duration, maximum=MAX_AGE)),
    PlainSerializer(_as_text, return_type=str),
    _duration_schema(MAX_AGE),
]


def _database_url(text: str) -> str:
    if "://" in text or "=" not in text:  # else a libpq "host=… dbname=…" string
        check_url(text, POSTGRES_SCHEMES, host_required=False, secret=True)
    return text


def _apprise_url(text: str) -> str:
    return check_url(text, (), host_required=False, secret=True)


def _registry_host(text: str) -> str:
    if "/" in text or check_url(f"https://{text}") != f"https://{text}":
        raise ValueError(f"expected a registry host like registry.example.com:5000, got {text!r}")
    return text


#: An http:// or https:// URL with a host, checked when the config loads.
HttpUrl = Annotated[str, AfterValidator(check_url),
                    WithJsonSchema({"type": "string", "pattern": "^https?://", "format": "uri"})]
#: A PostgreSQL URL (or libpq key=value string); a secret, so never quoted in an error.
DatabaseUrl = Annotated[str, Field(min_length=1), AfterValidator(_database_url)]
#: An Apprise notification URL (``json://host/path``, ``slack://…``); a secret too.
NotifyUrl = Annotated[str, AfterValidator(_apprise_url)]
#: A container registry's host[:port] (no scheme).
RegistryHost = Annotated[str, AfterValidator(_registry_host)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
