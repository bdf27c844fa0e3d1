"""The runner: phases in order, bounded concurrency, `needs` (dependents of a failure are skipped),
results journaled before dependents start, and the runner — not the check — records surprises."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

import pytest

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.config.model import CheckSpec, Config, Phase
from gonogo.core.errors import CheckError, CheckWarning
from gonogo.core.outcomes import CheckResult, Outcome
from gonogo.engine.runner import Plan, Runner
from gonogo.redact import Redactor
from gonogo.sources import load_config
from testing.cli import gonogo
from testing.engine import run_config
from testing.http_server import Route, serve
from testing.project import json_report, project


def outcomes(results: dict[str, CheckResult]) -> dict[str, str]:
    return {k: str(v.outcome) for k, v in results.items()}


def test_dependents_of_a_failure_are_skipped_transitively_across_phases(tmp_path: Path) -> None:
    results, _ = run_config(tmp_path, """
        phases:
          - id: build
            kind: preflight
            checks:
              - {id: install, run: "exit 1"}
              - {id: compile, run: "true", needs: [install]}
              - {id: lint, run: "true"}
          - id: smoke
            kind: verify
            checks:
              - {id: e2e, run: "true", needs: [compile]}
              - {id: docs, run: "true", needs: [lint]}
    """)
    assert outcomes(results) == {
        "install": "failed", "compile": "skipped", "lint": "passed", "e2e": "skipped", "docs": "passed",
    }
    assert results["compile"].summary == "needs install (failed)"
    assert results["e2e"].summary == "needs compile (skipped)"


def test_an_advisory_failure_does_not_skip_its_dependents(tmp_path: Path) -> None:
    results, _ = run_config(tmp_path, """
        phases:
          - id: p
            kind: preflight
            checks:
              - {id: lint, run: "exit 1", advisory: true}
              - {id: build, run: "true", needs: [lint]}
    """)
    assert outcomes(results) == {"lint": "warned", "build": "passed"}


def test_phases_run_in_order_and_each_result_is_journaled_before_dependents_start(
    tmp_path: Path,
) -> None:
    _, events = run_config(tmp_path, """
        phases:
          - id: one
            kind: preflight
            checks:
              - {id: slow, run: "sleep 0.3"}
              - {id: after, run: "true", needs: [slow]}
          - id: two
            kind: verify
            checks:
              - {id: last, run: "true"}
    """)
    log = events.log
    assert log[0] == "phase one"
    assert log.index("journal slow") < log.index("finish slow") < log.index("start after")
    assert log.index("journal after") < log.index("phase two") < log.index("start last")


def test_check_never_plans_changing_phases(tmp_path: Path) -> None:
    results, events = run_config(tmp_path, """
        phases:
          - {id: pre, kind: preflight, checks: [{id: a, run: "true"}]}
          - {id: bk, kind: backup, checks: [{id: b, run: "touch backed-up"}]}
          - {id: dep, kind: deploy, checks: [{id: c, run: "touch deployed"}]}
          - {id: ver, kind: verify, checks: [{id: d, run: "true"}]}
          - {id: post, kind: post, checks: [{id: e, run: "touch posted"}]}
          - {id: rb, kind: rollback, checks: [{id: f, run: "touch rolled-back"}]}
    """)
    assert list(results) == ["a", "d"]
    assert [line for line in events.log if line.startswith("phase")] == ["phase pre", "phase ver"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gonogo.yml"]


def test_only_selects_a_check_and_its_needs(tmp_path: Path) -> None:
    config = """
        phases:
          - id: p
            kind: preflight
            checks:
              - {id: a, run: "true"}
              - {id: b, run: "true", needs: [a]}
              - {id: c, run: "true"}
          - {id: v, kind: verify, checks: [{id: d, run: "true", needs: [b]}]}
    """
    results, _ = run_config(tmp_path, config, only=("d",))
    assert list(results) == ["a", "b", "d"]
    results, _ = run_config(tmp_path, config, phases=("v",))
    assert list(results) == ["d"]  # its need is outside this run: nothing vouches for it
    assert (results["d"].outcome, results["d"].summary) == (
        Outcome.SKIPPED, "needs b, not selected (add --phase p)")
    results, _ = run_config(tmp_path, config, phases=("p", "v"), only=("d",))
    assert list(results) == ["a", "b", "d"]
    results, _ = run_config(tmp_path, config, phases=("v",), only=("d",))  # they intersect
    assert (list(results), results["d"].outcome) == (["d"], Outcome.SKIPPED)


def test_a_need_no_stage_of_the_run_ran_skips_its_dependent(tmp_path: Path) -> None:
    """A plan built without the needs' reasons (a deploy's stages): a need that is neither in
    the plan nor among earlier results is not satisfied; one among earlier results counts."""
    config = two_phase_config(tmp_path)
    from testing.checks import MemoryJournal

    ctx = CheckContext(workdir=tmp_path, env={}, redactor=Redactor())
    verify = [p for p in config.phases if p.kind == "verify"]
    alone = asyncio.run(Runner(ctx, MemoryJournal()).run(Plan(verify)))
    assert [(r.id, r.outcome, r.summary) for r in alone] == [
        ("d", Outcome.SKIPPED, "needs b, not selected")]
    runner = Runner(ctx, MemoryJournal())
    earlier = asyncio.run(Runner(ctx, MemoryJournal()).run(
        Plan([p for p in config.phases if p.kind == "preflight"])))
    runner.results.update({r.id: r for r in earlier})  # as a deploy hands its gate's results on
    assert [(r.id, r.outcome) for r in asyncio.run(runner.run(Plan(verify)))] == [
        ("d", Outcome.PASSED)]


def two_phase_config(root: Path) -> Config:
    (root / "gonogo.yml").write_text(
        "phases:\n"
        "  - {id: p, kind: preflight, checks: [{id: b, run: 'true'}]}\n"
        "  - {id: v, kind: verify, checks: [{id: d, run: 'true', needs: [b]}]}\n")
    return load_config(root / "gonogo.yml", process_env={})


class Boom(Check):
    """Raises whatever it is told to."""

    type_name = "test.boom"
    example: ClassVar[dict[str, object]] = {}
    kind: str = "runtime"

    async def run(self, ctx: CheckContext) -> Evidence:
        await asyncio.sleep(0)
        if self.kind == "warning":
            raise CheckWarning("disk 85% full", {"used": 85})
        if self.kind == "error":
            raise CheckError("docker is not installed")
        raise RuntimeError("boom")


def run_specs(*params: Boom) -> dict[str, CheckResult]:
    specs = tuple(CheckSpec(id=f"c{i}", title=f"c{i}", type="test.boom", params=p, phase="p",
                            kind="preflight", timeout=5) for i, p in enumerate(params))
    ctx = CheckContext(workdir=Path("."), env={}, redactor=Redactor())
    from testing.checks import MemoryJournal

    journal = MemoryJournal()
    results = asyncio.run(Runner(ctx, journal).run(Plan([Phase("p", "P", "preflight", specs)])))
    return {r.id: r for r in results}


def test_the_runner_records_what_checks_raise() -> None:
    results = run_specs(Boom(kind="runtime"), Boom(kind="warning"), Boom(kind="error"))
    crash, warning, error = (results[f"c{i}"] for i in range(3))
    assert (crash.outcome, crash.summary) == (Outcome.ERRORED, "unexpected error: RuntimeError: boom")
    assert "Traceback" in crash.evidence["traceback"]
    assert (warning.outcome, warning.summary, warning.evidence) == (
        Outcome.WARNED, "disk 85% full", {"used": 85})
    assert (error.outcome, error.summary) == (Outcome.ERRORED, "docker is not installed")


def write_stamps_config(root: Path, n: int) -> None:
    checks = "\n".join(
        f'      - {{id: s{i}, run: "date +%s.%N > s{i}.start; sleep 0.5; date +%s.%N > s{i}.end"}}'
        for i in range(n)
    )
    project(root, f"phases:\n  - id: p\n    kind: preflight\n    checks:\n{checks}\n")


def intervals(root: Path, n: int) -> list[tuple[float, float]]:
    return sorted(
        (float((root / f"s{i}.start").read_text()), float((root / f"s{i}.end").read_text()))
        for i in range(n)
    )


@pytest.mark.parametrize("jobs", ["4", "1"])
def test_jobs_bounds_how_many_checks_run_at_once(tmp_path: Path, jobs: str) -> None:
    write_stamps_config(tmp_path, 4)
    result = gonogo("check", "--jobs", jobs, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    spans = intervals(tmp_path, 4)
    if jobs == "4":  # every command started before any finished: all four overlapped
        assert max(start for start, _ in spans) < min(end for _, end in spans)
    else:  # one at a time: each started after the previous one ended
        assert all(spans[i][1] <= spans[i + 1][0] for i in range(3))


def test_retry_waits_until_the_service_becomes_healthy(tmp_path: Path) -> None:
    """503 for the first three requests, then 200: a retrying check passes on the fourth."""
    state = {"calls": 0}

    def health(method: str, path: str, body: bytes, headers: dict[str, str]) -> Route:
        state["calls"] += 1
        return Route(200, "up") if state["calls"] > 3 else Route(503, "starting")

    with serve({"/health": health}) as srv:
        project(tmp_path, f"""
            phases:
              - id: v
                kind: verify
                checks:
                  - id: api-health
                    type: http
                    url: {srv.url}/health
                    retry: {{interval: 200ms, within: 30s}}
        """)
        result = gonogo("check", "--report", "json:-", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert state["calls"] == 4
    (check,) = json_report(result.stdout)["checks"]
    assert (check["outcome"], check["evidence"]["attempts"]) == ("passed", 4)
