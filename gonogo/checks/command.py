"""``command``: a command succeeds (exit code, and optionally what it prints)."""

from __future__ import annotations

import re
import shlex
from typing import Any

from pydantic import Field, field_validator

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.core.errors import CheckError, CheckFailed
from gonogo.hookimpl import hookimpl
from gonogo.targets.local import ProcessResult, run_process

TAIL_LINES = 15


class CommandCheck(Check):
    """Run a shell string (``/bin/sh -c``) or an argv list; pass on an expected exit code."""

    type_name = "command"
    example = {"run": "pnpm --filter api build", "cwd": ".", "exit_codes": [0]}

    command: str | list[str] = Field(alias="run", min_length=1)
    cwd: str | None = None
    env: dict[str, str] = {}
    shell: str = "/bin/sh"
    exit_codes: list[int] = [0]
    stdout_contains: str | None = None
    stderr_contains: str | None = None
    stdout_matches: str | None = None
    stderr_matches: str | None = None

    @field_validator("stdout_matches", "stderr_matches")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"expected a regular expression, got {value!r} ({exc})") from None
        return value

    @property
    def argv(self) -> list[str]:
        if isinstance(self.command, list):
            return [str(a) for a in self.command]
        return [self.shell, "-c", self.command]

    @property
    def display(self) -> str:
        return self.command if isinstance(self.command, str) else shlex.join(self.command)

    def describe(self) -> str:
        return f"command: {self.display}"

    async def run(self, ctx: CheckContext) -> Evidence:
        env = {**ctx.env, **self.env}
        cwd = ctx.resolve(self.cwd) if self.cwd else ctx.workdir
        if not cwd.is_dir():
            raise CheckError(f"working directory {cwd} does not exist")
        try:
            result = await run_process(self.argv, cwd=cwd, env=env)
        except FileNotFoundError:
            raise CheckError(f"command not found: {self.argv[0]}") from None
        except PermissionError:
            raise CheckError(f"not executable: {self.argv[0]}") from None
        data = _data(self, result)
        output = _combined(result)
        if result.exit_code not in self.exit_codes:
            reason = f"exit {result.exit_code}"
            if result.exit_code is not None and result.exit_code == 127:
                reason += " (command not found)"
            raise CheckFailed(f"{reason}{_last_line(result)}", {**data, "output": output})
        for stream, needle, text in (
            ("stdout", self.stdout_contains, result.stdout),
            ("stderr", self.stderr_contains, result.stderr),
        ):
            if needle is not None and needle not in text:
                raise CheckFailed(f"{stream} does not contain {needle!r}", {**data, "output": output})
        for stream, pattern, text in (
            ("stdout", self.stdout_matches, result.stdout),
            ("stderr", self.stderr_matches, result.stderr),
        ):
            if pattern is not None and not re.search(pattern, text, re.M):
                raise CheckFailed(f"{stream} does not match /{pattern}/", {**data, "output": output})
        summary = f"exit {result.exit_code}"
        if result.lingering:
            summary += " (a background child kept running and was stopped)"
        return Evidence(summary=summary, data=data, output=output)


def _data(check: CommandCheck, result: ProcessResult) -> dict[str, Any]:
    return {
        "command": check.display,
        "exit_code": result.exit_code,
        "stdout_bytes": result.stdout_bytes,
        "stderr_bytes": result.stderr_bytes,
    }


def _combined(result: ProcessResult) -> str:
    parts = []
    if result.stdout:
        parts.append(result.stdout)
    if result.stderr:
        parts.append(("" if not parts else "\n--- stderr ---\n") + result.stderr)
    return "".join(parts)


def _last_line(result: ProcessResult) -> str:
    for text in (result.stderr, result.stdout):
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        if lines:
            return f": {lines[-1][:160]}"
    return ""


def tail(text: str, lines: int = TAIL_LINES) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [CommandCheck]
