"""Real services the tests use. Locally a missing service skips with the reason printed;
in CI (``CI=true``) a missing service fails the test instead."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(env_var: str, what: str) -> str:
    """The service address in ``env_var``, or skip (fail in CI) saying how to start it."""
    value = os.environ.get(env_var)
    if value:
        return value
    message = (
        f"{what} is not available: ${env_var} is unset "
        f"(run `scripts/services.sh start` as root, or `make test`)"
    )
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def postgres_url() -> str:
    return require("GONOGO_TEST_PG_URL", "PostgreSQL")
