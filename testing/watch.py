"""Running a watch phase through the real runner in a few lines (baselines first, if wanted)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gonogo.checks.base import CheckContext
from gonogo.config.model import CheckSpec, Phase
from gonogo.core.outcomes import CheckResult
from gonogo.engine.runner import Plan, Runner
from gonogo.engine.watch import WatchProgress, take_baselines
from gonogo.plugins import check_types
from gonogo.redact import Redactor
from testing.checks import MemoryJournal


class Progress:
    """A listener keeping every ``watch_progress`` event."""

    def __init__(self) -> None:
        self.events: list[WatchProgress] = []

    def watch_progress(self, progress: WatchProgress) -> None:
        self.events.append(progress)

    def phase_started(self, phase: Phase) -> None:
        pass

    def check_started(self, spec: CheckSpec) -> None:
        pass

    def check_finished(self, result: CheckResult) -> None:
        pass


class WatchRun:
    def __init__(
        self,
        workdir: Path,
        checks: Mapping[str, tuple[str, Mapping[str, Any]]],
        *,
        duration: float,
        interval: float,
        env: Mapping[str, str] | None = None,
        redactor: Redactor | None = None,
        advisory: frozenset[str] = frozenset(),
        timeout: float = 30.0,
    ) -> None:
        types = check_types()
        specs = tuple(
            CheckSpec(id=cid, title=cid, type=type_name,
                      params=types[type_name].model_validate(dict(params)), phase="watch",
                      kind="watch", timeout=timeout, advisory=cid in advisory)
            for cid, (type_name, params) in checks.items()
        )
        self.phase = Phase("watch", "Watch", "watch", specs, duration=duration, interval=interval)
        self.ctx = CheckContext(workdir=workdir, env=dict(env or {}),
                                redactor=redactor or Redactor(), run_id="test-run",
                                run_dir=workdir, environment="production")
        self.journal = MemoryJournal()
        self.progress = Progress()

    def baselines(self) -> dict[str, str]:
        return asyncio.run(take_baselines(self.ctx, [self.phase]))

    def run(self) -> dict[str, CheckResult]:
        runner = Runner(self.ctx, self.journal, [self.progress])
        results = asyncio.run(runner.run(Plan([self.phase])))
        return {r.id: r for r in results}
