"""Run one check type through the real runner, in a few lines per test
(pre-commit's ``testing/language_helpers.py`` idea)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gonogo.checks.base import CheckContext
from gonogo.config.model import CheckSpec, Phase, Retry
from gonogo.core.outcomes import CheckResult
from gonogo.engine.runner import Plan, Runner
from gonogo.envfiles import EnvValue
from gonogo.plugins import check_types
from gonogo.redact import Redactor


class MemoryJournal:
    def __init__(self) -> None:
        self.results: list[CheckResult] = []
        self.outputs: dict[str, str | None] = {}

    def record(self, result: CheckResult, output: str | None) -> None:
        self.results.append(result)
        self.outputs[result.id] = output


def run_check(
    type_name: str,
    params: Mapping[str, Any],
    workdir: Path,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    advisory: bool = False,
    retry: Mapping[str, Any] | None = None,
    redactor: Redactor | None = None,
    kind: str = "preflight",
    sources: Mapping[str, str] | None = None,
    environment: str | None = None,
    others: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[CheckResult, str | None]:
    """Validate ``params`` as the type's config and run it once; return (result, captured output).

    ``env`` fills the settings (source "test", or ``sources[name]``); ``others`` are other
    environments' settings for drift checks (source "<env>.env")."""
    cls = check_types()[type_name]
    spec = CheckSpec(
        id="item",
        title=f"{type_name} item",
        type=type_name,
        params=cls.model_validate(dict(params)),
        phase="p",
        kind=kind,
        timeout=timeout,
        advisory=advisory,
        retry=Retry.model_validate(retry) if retry else None,
    )
    settings = {k: EnvValue(k, v, (sources or {}).get(k, "test")) for k, v in (env or {}).items()}

    def other_environment(name: str) -> Mapping[str, EnvValue]:
        if others is None or name not in others:
            from gonogo.core.errors import ConfigError

            raise ConfigError(f"unknown environment {name!r}")
        return {k: EnvValue(k, v, f"{name}.env") for k, v in others[name].items()}

    ctx = CheckContext(
        workdir=workdir,
        env=dict(env or {}),
        redactor=redactor or Redactor(),
        settings=settings,
        environment=environment,
        other_environment=other_environment,
    )
    journal = MemoryJournal()
    runner = Runner(ctx, journal)
    asyncio.run(runner.run(Plan([Phase("p", "P", kind, (spec,))])))
    return journal.results[0], journal.outputs["item"]
