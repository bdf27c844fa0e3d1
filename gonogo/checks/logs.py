"""``logs``: error lines in a container's or a swarm service's logs (Docker), a file or a
command's output, by
pattern, held to a rate (lines per minute) — absolute, or relative to the previous
release's rate measured before the deploy. The first offending lines are shown, redacted."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, field_validator, model_validator

from gonogo.checks.base import CheckContext
from gonogo.checks.prometheus import deploy_started
from gonogo.checks.signals import BaselineRule, Condition, Sample, Signal, WatchState, evaluate
from gonogo.core.errors import CheckError
from gonogo.core.fields import Duration
from gonogo.hookimpl import hookimpl
from gonogo.targets.local import run_process

RATE_WINDOW_S = 60.0
FIRST_LINES = 5
LINE_CHARS = 300
_DOCKER_TS = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z ")


class LogsCheck(Signal):
    """Lines matching ``pattern`` per minute, from one source: ``container``, ``service`` (a
    swarm service: ``docker service logs``), ``file`` or ``command`` (which gets ``GONOGO_LOGS_SINCE``, a Unix time, to print only newer lines)."""

    type_name = "logs"
    example = {"container": "api", "pattern": "ERROR|Exception", "max_per_minute": 5}

    container: str | None = None
    #: A swarm service: every task's logs (``docker service logs``).
    service: str | None = None
    file: str | None = None
    command: str | list[str] | None = None
    pattern: str = Field(min_length=1)
    ignore_case: bool = False
    #: Matching lines per minute allowed (over the last minute); 0 when neither this nor a
    #: baseline is given: any error line breaches.
    max_per_minute: float | None = Field(default=None, ge=0)
    baseline: BaselineRule | None = None
    #: How far back the baseline (the previous release's rate) is measured.
    baseline_window: Duration = 600.0
    #: How far back a one-off run (outside a watch window) looks.
    since: Duration = 60.0

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"expected a regular expression, got {value!r} ({exc})") from None
        return value

    @model_validator(mode="after")
    def _one_source(self) -> LogsCheck:
        given = [k for k in ("container", "service", "file", "command")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("expected exactly one of container, service, file or command"
                             + (f", got {' and '.join(given)}" if given else ""))
        if self.file is not None and self.baseline is not None:
            raise ValueError("a file's lines carry no time, so it has no baseline rate: "
                             "use container or command for a baseline")
        return self

    def describe(self) -> str:
        source = self._source()
        return f"logs: /{self.pattern}/ in {source}"

    def _source(self) -> str:
        if self.container is not None:
            return f"container {self.container}"
        if self.service is not None:
            return f"service {self.service}"
        if self.file is not None:
            return f"file {self.file}"
        return "command " + (self.command if isinstance(self.command, str)
                             else " ".join(self.command or []))

    def wants_baseline(self) -> bool:
        return self.baseline is not None

    def _conditions(self) -> list[Condition]:
        out = []
        if self.max_per_minute is not None:
            out.append(Condition("<=", self.max_per_minute))
        if self.baseline is not None:
            out.extend(self.baseline.conditions())
        return out or [Condition("<=", 0.0)]

    async def measure_baseline(self, ctx: CheckContext) -> float | None:
        now = time.time()
        lines = await self._read(ctx, now - self.baseline_window, now, {})
        matches = sum(1 for line in lines if self._regex_c().search(line))
        return matches / (self.baseline_window / 60.0)

    def _regex_c(self) -> re.Pattern[str]:
        return re.compile(self.pattern, re.I if self.ignore_case else 0)

    async def sample(self, ctx: CheckContext, state: WatchState) -> Sample:
        now = time.time()
        memory = state.memory
        if "since" not in memory:
            started = deploy_started(ctx) if state.window else None
            memory["since"] = started.timestamp() if started else (
                now if state.window else now - self.since)
            memory["counts"] = []
            memory["first"] = []
            memory["total"] = 0
            memory["from_end"] = state.window  # a window counts a file's new lines only
        lines = await self._read(ctx, memory["since"], now, memory)
        memory["since"] = now
        regex = self._regex_c()
        hits = [line for line in lines if regex.search(line)]
        counts: list[tuple[float, int]] = memory["counts"]
        counts.append((now, len(hits)))
        counts[:] = [(t, c) for t, c in counts if t > now - RATE_WINDOW_S]
        memory["total"] += len(hits)
        first: list[str] = memory["first"]
        for line in hits[: FIRST_LINES - len(first)]:
            first.append(line[:LINE_CHARS])
        rate = float(sum(c for _, c in counts))
        data: dict[str, Any] = {"source": self._source(), "per_minute": rate,
                                "matches": memory["total"], "first_lines": list(first)}
        breached, text = evaluate(rate, self._conditions(), state.baseline)
        what = f"{number_of(rate)} error line{'s' if rate != 1 else ''}/min"
        if breached:
            shown = f"; first: {first[0]!r}" if first else ""
            limit = text.split(" ", 1)[1] if " " in text else text
            return Sample(rate, True, f"{what} {limit} in {self._source()}{shown}", data=data)
        return Sample(rate, False, f"{what} {text.split(' ', 1)[1] if ' ' in text else ''}"
                      .rstrip(), data=data)

    async def _read(self, ctx: CheckContext, since: float, until: float,
                    memory: dict[str, Any]) -> list[str]:
        if self.file is not None:
            return self._read_file(ctx, memory)
        if self.container is not None:
            from gonogo.targets.docker import docker_binary

            argv = [docker_binary(), "logs", "--timestamps", "--since", f"{since:.3f}",
                    "--until", f"{until:.3f}", self.container]
            what = f"docker logs {self.container}"
        elif self.service is not None:
            from gonogo.targets.docker import docker_binary

            # `docker service logs` has no --until: lines after it are dropped below
            argv = [docker_binary(), "service", "logs", "--raw", "--timestamps", "--since",
                    f"{since:.3f}", self.service]
            what = f"docker service logs {self.service}"
        else:
            argv = ["/bin/sh", "-c", self.command] if isinstance(self.command, str) else list(
                self.command or [])
            what = "the log command"
        env = {**ctx.env, "GONOGO_LOGS_SINCE": f"{since:.3f}", "GONOGO_LOGS_UNTIL": f"{until:.3f}",
               "GONOGO_LOGS_SINCE_ISO": datetime.fromtimestamp(since, UTC).isoformat()}
        try:
            result = await run_process(argv, cwd=ctx.workdir, env=env, timeout=30.0)
        except FileNotFoundError:
            raise CheckError(f"{what}: {argv[0]} not found") from None
        if result.exit_code != 0:
            last = (result.stderr or result.stdout).strip().splitlines()
            raise CheckError(f"{what}: exit {result.exit_code}"
                             + (f": {last[-1][:200]}" if last else ""))
        text = result.stdout + ("\n" + result.stderr if result.stderr else "")
        lines = text.splitlines()
        if self.service is not None:
            lines = [line for line in lines if _stamp(line) <= until]
        if self.container is not None or self.service is not None:
            lines = [_DOCKER_TS.sub("", line, count=1) for line in lines]
        return [line for line in lines if line.strip()]

    def _read_file(self, ctx: CheckContext, memory: dict[str, Any]) -> list[str]:
        path = ctx.resolve(self.file or "")
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise CheckError(f"log file {self.file} not found") from None
        offset = memory.get("offset")
        if offset is None:  # first look: a window counts what is appended from now on
            offset = size if memory.get("from_end") else 0
        elif size < offset:  # rotated or truncated: the new file from its start
            offset = 0
        with path.open("rb") as handle:
            handle.seek(offset)
            chunk = handle.read(16 * 1024 * 1024)
        end = chunk.rfind(b"\n") + 1  # a half-written last line waits for the next sample
        memory["offset"] = offset + end
        return chunk[:end].decode("utf-8", "replace").splitlines()


def _stamp(line: str) -> float:
    """The Unix time of a ``--timestamps`` line (nanoseconds cut to microseconds); lines
    without one count as now-or-earlier (0)."""
    head = line.split(" ", 1)[0]
    if not _DOCKER_TS.match(head + " "):
        return 0.0
    day, _, frac = head.rstrip("Z").partition(".")
    try:
        return datetime.fromisoformat(f"{day}.{(frac + '000000')[:6]}+00:00").timestamp()
    except ValueError:
        return 0.0


def number_of(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


@hookimpl
def gonogo_check_types() -> list[type[LogsCheck]]:
    return [LogsCheck]
