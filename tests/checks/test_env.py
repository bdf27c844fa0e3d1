"""``env.required``, ``env.url``, ``env.list``: what a person sees for each verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gonogo.core.outcomes import Outcome
from testing.checks import run_check

HERE = Path(".")


def run(type_name: str, params: dict[str, Any], env: dict[str, str],
        environment: str | None = "production") -> tuple[Outcome, str]:
    sources = {k: f".env.production:{i}" for i, k in enumerate(env, start=1)}
    result, _ = run_check(type_name, params, HERE, env=env, sources=sources,
                          environment=environment)
    return result.outcome, result.summary


# ---- env.required ------------------------------------------------------------------


def test_required_names_set_pass() -> None:
    assert run("env.required", {"names": ["A", "B"]}, {"A": "1", "B": "x"}) == (
        Outcome.PASSED, "all 2 set")


def test_required_lists_missing_and_empty_with_sources() -> None:
    assert run("env.required", {"names": ["JWT_SECRET", "DATABASE_URL", "SMTP"]},
               {"JWT_SECRET": "  ", "OTHER": "1"}) == (
        Outcome.FAILED,
        "3 of 3 required settings missing or empty — not set in environment production: DATABASE_URL, "
        "SMTP; empty: JWT_SECRET (.env.production:1)",
    )
    assert run("env.required", {"names": ["A"], "allow_empty": True}, {"A": ""})[0] == Outcome.PASSED


# ---- env.url -----------------------------------------------------------------------


def url(value: str, **params: Any) -> tuple[Outcome, str]:
    return run("env.url", {"name": "DATABASE_URL", **params}, {"DATABASE_URL": value})


def test_url_to_an_allowed_host_passes_without_showing_the_password() -> None:
    outcome, summary = url("postgresql://app:S3cretPw@db.internal:5432/app", hosts=["db.internal"])
    assert (outcome, summary) == (Outcome.PASSED,
                                  "DATABASE_URL points at postgresql://db.internal:5432")


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("postgresql://app:pw@localhost:5432/app", "points at localhost (a local host)"),
        ("postgresql://app:pw@127.0.0.2/app", "points at 127.0.0.2 (a loopback address)"),
        ("postgresql://app:pw@[::1]/app", "points at ::1 (a loopback address)"),
        ("postgresql://app:pw@db.local/app", "points at db.local (a local host)"),
        ("postgresql://app:pw@0.0.0.0/app", "points at 0.0.0.0 (an unspecified address)"),
        ("postgresql://app:pw@db.example.com/app", "points at db.example.com (a documentation domain)"),
    ],
)
def test_url_to_a_local_host_fails(value: str, why: str) -> None:
    assert url(value) == (Outcome.FAILED, f"DATABASE_URL (.env.production:1) {why}")


def test_url_host_allowlist_with_globs_and_service_names() -> None:
    assert url("postgresql://a:b@db-2.prod.internal/app", hosts=["*.prod.internal"])[0] == Outcome.PASSED
    assert url("postgresql://a:b@db.staging.internal/app", hosts=["db.internal"]) == (
        Outcome.FAILED,
        "DATABASE_URL (.env.production:1) points at db.staging.internal, expected db.internal")
    assert url("postgresql://a:b@postgres:5432/app", service_names=["postgres"],
               hosts=["db.internal"]) == (
        Outcome.FAILED, "DATABASE_URL (.env.production:1) points at postgres "
        "(a docker service name), expected db.internal")
    assert url("postgresql://a:b@localhost/app", local=True)[0] == Outcome.PASSED


def test_url_to_a_loopback_host_named_in_hosts_passes_and_says_so() -> None:
    """`hosts` is the allow-list: naming 127.0.0.1 there allows it (a pgbouncer beside the
    app), and the summary says why a loopback address passed."""
    assert url("postgresql://a:b@127.0.0.1:6432/app", hosts=["127.0.0.1"]) == (
        Outcome.PASSED, "DATABASE_URL points at postgresql://127.0.0.1:6432 "
        "(a loopback address, allowed by hosts)")
    assert url("postgresql://a:b@localhost/app", hosts=["db.internal", "localhost"]) == (
        Outcome.PASSED, "DATABASE_URL points at postgresql://localhost (a local host, allowed by hosts)")
    assert url("postgresql://a:b@127.0.0.2/app", hosts=["127.0.0.1"]) == (
        Outcome.FAILED,
        "DATABASE_URL (.env.production:1) points at 127.0.0.2 (a loopback address), expected 127.0.0.1")
    assert url("postgresql://a:b@127.0.0.1:6432/app", hosts=["127.0.0.1"], port=5432) == (
        Outcome.FAILED, "DATABASE_URL (.env.production:1) uses port 6432, expected 5432")


def test_url_scheme_port_database_and_sslmode() -> None:
    value = "mysql://a:b@db.internal:3307/app_dev?sslmode=disable"
    assert url(value, schemes=["postgresql", "postgres"], port=5432, database="app",
               sslmode="require") == (
        Outcome.FAILED,
        "DATABASE_URL (.env.production:1) has scheme mysql, expected postgresql or postgres; "
        "uses port 3307, expected 5432; names database app_dev, expected app; "
        "has sslmode=disable, expected sslmode=require or stricter",
    )
    good = "postgresql://a:b@db.internal/app?sslmode=verify-full"
    assert url(good, port=5432, database="app", sslmode="require")[0] == Outcome.PASSED
    assert url("postgresql://a:b@db.internal/app", sslmode="require")[1].endswith(
        "has no sslmode, expected sslmode=require or stricter")


def test_url_that_is_not_a_url_or_missing() -> None:
    assert url("db.internal:5432") == (
        Outcome.FAILED, "DATABASE_URL (.env.production:1) is not a URL (expected scheme://host/…)")
    assert url("postgresql://a:b@db:notaport/app") == (
        Outcome.FAILED, "DATABASE_URL (.env.production:1) is not a valid URL (port is not a number)")
    assert run("env.url", {"name": "DATABASE_URL"}, {}) == (
        Outcome.FAILED, "DATABASE_URL is not set in environment production")


def test_url_sslmode_must_be_a_libpq_mode() -> None:
    from pydantic import ValidationError

    from gonogo.checks.env import EnvUrlCheck

    with pytest.raises(ValidationError, match="expected one of require, verify-ca"):
        EnvUrlCheck.model_validate({"name": "X", "sslmode": "on"})


# ---- env.list ----------------------------------------------------------------------


def origins(value: str, environment: str | None = "production", **params: Any) -> tuple[Outcome, str]:
    return run("env.list", {"name": "ALLOWED_ORIGINS", **params}, {"ALLOWED_ORIGINS": value},
               environment=environment)


def test_list_containing_the_domain_passes() -> None:
    assert origins("https://v-edfinance.com/, https://www.v-edfinance.com",
                   contains=["https://V-EDFINANCE.com"]) == (
        Outcome.PASSED, "ALLOWED_ORIGINS lists 2 items, including https://V-EDFINANCE.com")
    assert origins("https://a.com https://b.com", contains=["https://b.com"])[0] == Outcome.PASSED


def test_list_without_the_domain_fails() -> None:
    assert origins("https://staging.v-edfinance.com", contains=["https://v-edfinance.com"]) == (
        Outcome.FAILED,
        "ALLOWED_ORIGINS (.env.production:1) does not include https://v-edfinance.com "
        "(it lists 1 item)")


def test_list_wildcard_local_and_plain_http() -> None:
    assert origins("*,http://localhost:3000,http://api.v-edfinance.com") == (
        Outcome.FAILED,
        "ALLOWED_ORIGINS (.env.production:1) allows any origin ('*'); includes local entry "
        "http://localhost:3000; includes plain-http entry http://api.v-edfinance.com, "
        "expected https only",
    )
    # plain http is only refused in production unless asked
    assert origins("http://api.v-edfinance.com", environment="staging")[0] == Outcome.PASSED
    assert origins("http://api.v-edfinance.com", environment="staging", https=True)[0] == \
        Outcome.FAILED
    assert origins("*", wildcard=True)[0] == Outcome.PASSED
