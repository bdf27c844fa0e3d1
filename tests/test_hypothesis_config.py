"""Whatever YAML the loader is fed, it returns a Config or raises one ConfigError whose message is a
single line naming gonogo.yml — never any other exception."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonogo.config.model import Config
from gonogo.core.errors import ConfigError
from gonogo.sources import load_config

WORDS = [
    "version", "name", "phases", "id", "title", "kind", "checks", "run", "type", "url", "timeout",
    "needs", "retry", "interval", "within", "attempts", "advisory", "expect", "status", "json",
    "environments", "env_files", "vars", "defaults", "jobs", "host", "port", "path", "exists",
    "mode", "contains", "secrets", "contacts", "role", "contact", "services", "driver", "health",
    "exit_codes", "cwd", "env", "method", "headers", "body", "preflight", "verify", "deploy",
    "http", "tcp", "file", "manual", "command", "production", "<<",
]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.sampled_from(WORDS + ["30s", "soon", "${X}", "${", "0600", "http://127.0.0.1:1/", "-x", ""]),
    st.text(max_size=20),
)
KEYS = st.one_of(st.sampled_from(WORDS), st.text(max_size=8), st.integers(0, 3))


def documents() -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)),
        max_leaves=30,
    )


def gate_like() -> st.SearchStrategy[Any]:
    """Mostly-valid configs: real phases holding arbitrary checks."""
    check = st.dictionaries(st.sampled_from(WORDS), documents(), max_size=5)
    phase = st.fixed_dictionaries(
        {"id": st.sampled_from(["p", "q", "bad id"]), "kind": st.sampled_from(["preflight", "verify", "x"])},
        optional={"checks": st.lists(check, max_size=3), "title": SCALARS},
    )
    return st.fixed_dictionaries({"version": st.just(1)}, optional={
        "phases": st.lists(phase, max_size=3), "defaults": documents(), "environments": documents(),
    })


def rendered() -> st.SearchStrategy[str]:
    dumped = st.one_of(documents(), gate_like()).map(
        lambda d: yaml.safe_dump(d, allow_unicode=True, default_flow_style=None))
    damaged = st.tuples(dumped, st.integers(0, 500), st.sampled_from(
        ["", ":", "- ", "{", "[", "\t", "&a", "*a", "!!python/object ", "? ", "%", "\x00", "'", "\ufeff"]
    )).map(lambda t: t[0][: t[1]] + t[2])
    return st.one_of(dumped, damaged, st.text(max_size=200))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hypothesis")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=rendered())
def test_the_loader_returns_a_config_or_one_config_error(workdir: Path, text: str) -> None:
    path = workdir / "gonogo.yml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        config = load_config(path, process_env={})
    except ConfigError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, message
        assert "gonogo.yml" in message, message
    else:
        assert isinstance(config, Config)
