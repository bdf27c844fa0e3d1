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


def docker() -> str:
    """The docker client binary of a running engine (``GONOGO_TEST_DOCKER``)."""
    return require("GONOGO_TEST_DOCKER", "a Docker engine")


def registry() -> str:
    """``HOST:PORT`` of a Registry HTTP API v2 (``GONOGO_TEST_REGISTRY``)."""
    return require("GONOGO_TEST_REGISTRY", "a container registry")


def prometheus() -> tuple[str, str]:
    """A Prometheus URL and the file_sd directory it scrapes (``GONOGO_TEST_PROMETHEUS``,
    ``GONOGO_TEST_PROM_SD``); see ``testing.metrics_app.scraped``."""
    url = require("GONOGO_TEST_PROMETHEUS", "Prometheus")
    return url, require("GONOGO_TEST_PROM_SD", "Prometheus' file_sd directory")


def alertmanager() -> str:
    """An Alertmanager (API v2) URL (``GONOGO_TEST_ALERTMANAGER``)."""
    return require("GONOGO_TEST_ALERTMANAGER", "Alertmanager")


def registry_auth() -> tuple[str, str, str]:
    """(``HOST:PORT``, username, password) of a registry with htpasswd authentication
    (``GONOGO_TEST_REGISTRY_AUTH``, ``…_USER``, ``…_PASSWORD``)."""
    return (require("GONOGO_TEST_REGISTRY_AUTH", "a container registry with authentication"),
            require("GONOGO_TEST_REGISTRY_USER", "the registry's username"),
            require("GONOGO_TEST_REGISTRY_PASSWORD", "the registry's password"))


def ssh_docker_host() -> str:
    """``ssh://user@127.0.0.1:PORT``: the Docker engine behind a real OpenSSH server
    (``GONOGO_TEST_SSH_DOCKER_HOST``)."""
    return require("GONOGO_TEST_SSH_DOCKER_HOST", "an OpenSSH server in front of Docker")
