"""``manual``: a human produces the evidence (``gonogo signoff``); the run waits as ``pending``."""

from __future__ import annotations

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.hookimpl import hookimpl


class ManualCheck(Check):
    """A claim only a person can confirm; recorded with who signed and when."""

    type_name = "manual"
    manual = True
    example = {"instructions": "Log in as a test user and place an order"}

    instructions: str | None = None
    reason: str | None = None

    def describe(self) -> str:
        return "manual" + (f": {self.reason}" if self.reason else "")

    async def run(self, ctx: CheckContext) -> Evidence:  # never called: the runner records pending
        return Evidence(summary="awaiting sign-off")


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [ManualCheck]
