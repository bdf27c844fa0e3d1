"""Running a whole config through the real runner in-process, recording every event."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Iterable
from pathlib import Path

from gonogo.checks.base import CheckContext
from gonogo.config.model import READ_ONLY_KINDS, CheckSpec, Phase
from gonogo.core.outcomes import CheckResult
from gonogo.engine.runner import Runner, make_plan
from gonogo.sources import load_config
from testing.checks import MemoryJournal


class Events:
    """A listener and a journal in one: the order in which things happened."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.memory = MemoryJournal()

    def record(self, result: CheckResult, output: str | None) -> None:
        self.log.append(f"journal {result.id}")
        self.memory.record(result, output)

    def phase_started(self, phase: Phase) -> None:
        self.log.append(f"phase {phase.id}")

    def check_started(self, spec: CheckSpec) -> None:
        self.log.append(f"start {spec.id}")

    def check_finished(self, result: CheckResult) -> None:
        self.log.append(f"finish {result.id}")


def run_config(
    root: Path,
    config: str,
    *,
    kinds: Iterable[str] = READ_ONLY_KINDS,
    jobs: int = 16,
    only: tuple[str, ...] = (),
    phases: tuple[str, ...] = (),
) -> tuple[dict[str, CheckResult], Events]:
    """Write ``config`` as gonogo.yml in ``root``, load it and run it; results by id, and events."""
    (root / "gonogo.yml").write_text(textwrap.dedent(config).lstrip("\n"), encoding="utf-8")
    loaded = load_config(root / "gonogo.yml")
    plan = make_plan(loaded.phases, kinds, phase_ids=phases, only=only)
    events = Events()
    ctx = CheckContext(workdir=root, env=loaded.environment.variables(),
                       redactor=loaded.environment.redactor)
    runner = Runner(ctx, events, [events], jobs=jobs)
    results = asyncio.run(runner.run(plan))
    return {r.id: r for r in results}, events
