"""Loading a valid gonogo.yml: the core vocabulary in, fully-defaulted typed objects out."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.checks.command import CommandCheck
from gonogo.checks.http import HttpCheck
from gonogo.config.read import find_config
from gonogo.core.errors import ConfigError
from gonogo.sources import load_config
from testing.cli import write
from testing.project import project

PRODUCT_EXAMPLE = """
version: 1
name: v-edfinance
environments:
  production:
    env_files: [.env.production]
    vars: {domain: v-edfinance.com}
phases:
  - id: quality
    title: Code Quality Gates
    kind: preflight
    checks:
      - id: install
        title: "`pnpm install` succeeds"
        run: pnpm install --frozen-lockfile      # `run:` alone means type: command
        timeout: 10m
      - id: api-build
        title: API build passes
        run: pnpm --filter api build
        needs: [install]
      - id: lint
        run: pnpm --filter web lint
        advisory: true                          # failure warns, does not block
  - id: verify
    kind: verify
    checks:
      - id: api-health
        title: API `/health` returns 200
        type: http
        url: https://api.${domain}/health
        expect: {status: 200}
        retry: {interval: 2s, within: 60s}      # wait until healthy
      - id: flows
        title: Critical user flows tested
        type: manual
"""


def test_the_product_example_loads_with_every_default_filled(tmp_path: Path) -> None:
    path = project(tmp_path, PRODUCT_EXAMPLE)
    write(tmp_path / ".env.production", "JWT_SECRET=abc\n")
    config = load_config(path, env="production", process_env={})
    assert config.name == "v-edfinance"
    assert [(p.id, p.title, p.kind) for p in config.phases] == [
        ("quality", "Code Quality Gates", "preflight"),
        ("verify", "verify", "verify"),
    ]
    checks = config.checks
    assert list(checks) == ["install", "api-build", "lint", "api-health", "flows"]
    install = checks["install"]
    assert install.type == "command"
    assert isinstance(install.params, CommandCheck)
    assert install.params.argv == ["/bin/sh", "-c", "pnpm install --frozen-lockfile"]
    assert install.timeout == 600.0
    assert install.line == 12
    assert checks["api-build"].needs == ("install",)
    assert checks["api-build"].timeout == 600.0  # defaults.timeout
    assert checks["lint"].advisory is True
    assert checks["lint"].title == "command: pnpm --filter web lint"
    health = checks["api-health"]
    assert isinstance(health.params, HttpCheck)
    assert health.params.url == "https://api.v-edfinance.com/health"
    assert health.retry is not None
    assert (health.retry.interval, health.retry.within) == (2.0, 60.0)
    assert checks["flows"].manual is True
    assert config.defaults.jobs == 16
    assert config.environment.values["JWT_SECRET"].source == ".env.production:1"
    assert config.environment.values["domain"].source == f"{path}:6"
    assert config.state_location == str(tmp_path / ".gonogo")


def test_the_only_environment_is_chosen_without_env(tmp_path: Path) -> None:
    path = project(tmp_path, """
        environments:
          staging: {vars: {host: s.example.com}}
        phases:
          - id: p
            kind: preflight
            checks: [{id: a, run: "ping ${host} in ${env}"}]
    """)
    config = load_config(path, process_env={})
    assert config.environment.name == "staging"
    assert config.checks["a"].params.command == "ping s.example.com in staging"


def test_process_environment_fills_variables_and_wins_over_vars(tmp_path: Path) -> None:
    path = project(tmp_path, """
        environments:
          prod: {vars: {REGION: eu, TAG: v1}}
        phases:
          - id: p
            kind: preflight
            checks: [{id: a, run: "deploy ${REGION} ${TAG} ${MISSING:-fallback} $${LITERAL}"}]
    """)
    config = load_config(path, process_env={"TAG": "v2"})
    assert config.checks["a"].params.command == "deploy eu v2 fallback ${LITERAL}"


def test_ids_default_to_a_slug_of_the_title(tmp_path: Path) -> None:
    path = project(tmp_path, """
        phases:
          - id: p
            kind: preflight
            checks:
              - {title: "API `/health` returns 200!", run: "true"}
              - {title: "!!!", run: "true"}
    """)
    assert list(load_config(path, process_env={}).checks) == ["api-health-returns-200", "p-1"]


def test_needs_may_name_a_check_of_an_earlier_phase(tmp_path: Path) -> None:
    path = project(tmp_path, """
        phases:
          - {id: one, kind: preflight, checks: [{id: build, run: "true"}]}
          - {id: two, kind: verify, checks: [{id: smoke, run: "true", needs: [build]}]}
    """)
    assert load_config(path, process_env={}).checks["smoke"].needs == ("build",)


def test_an_empty_file_is_a_config_with_no_phases(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, ""), process_env={})
    assert config.phases == ()
    assert config.name == "gonogo"


def test_find_config_prefers_explicit_then_env_var_then_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GONOGO_CONFIG", raising=False)
    with pytest.raises(ConfigError) as info:
        find_config()
    assert str(info.value) == (
        f"no gonogo.yml in {tmp_path} (hint: pass -c PATH (a gonogo.yml or a Markdown "
        "checklist), or run `gonogo init`)"
    )
    project(tmp_path, "name: here\n")
    assert find_config() == Path("gonogo.yml")
    monkeypatch.setenv("GONOGO_CONFIG", "other.yml")
    assert find_config() == Path("other.yml")
    assert find_config("explicit.yml") == Path("explicit.yml")


def test_yaml_values_keep_their_types_and_no_load_is_remembered() -> None:
    """Plain strings take a fast path; every other value is still PyYAML's. Nothing of a
    document outlives its load: `gonogo serve` loads configs for as long as it runs, and each
    load used to leave every value it built behind, in a constructor shared by all loads."""
    import gc
    from datetime import date

    import yaml

    from gonogo import yamlsource

    text = (
        "plain: hello\nquoted: '123'\nnumber: 123\nratio: 1.5\nflag: true\nnothing: null\n"
        "day: 2026-12-01\nbase: &b {x: 1}\nmerged: {<<: *b, y: two}\nlist: [a, 2, false]\n"
        "tagged: !!str 42\n"
    )
    for _ in range(3):
        data = yamlsource.parse_yaml(text, "gonogo.yml").data
        assert data == {
            "plain": "hello", "quoted": "123", "number": 123, "ratio": 1.5, "flag": True,
            "nothing": None, "day": date(2026, 12, 1), "base": {"x": 1},
            "merged": {"x": 1, "y": "two"}, "list": ["a", 2, False], "tagged": "42",
        }
        assert [type(v) for v in data["list"]] == [str, int, bool]
        gc.collect()
        kept = [o for o in gc.get_objects() if isinstance(o, yaml.SafeLoader)
                and any(getattr(n, "value", None) == "2026-12-01" for n in o.constructed_objects)]
        assert kept == []
