"""``postgres.restore.unverified``: `gonogo restore --no-manifest` records that the dump was
not verified — a warning, never a pass.
"""

from __future__ import annotations

from pathlib import Path

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.core.errors import (
    CheckWarning,
)


class Unverified(Check):
    """``--no-manifest``: the dump has nothing to be checked against; recorded as a warning,
    never as a pass."""

    type_name = "postgres.restore.unverified"
    path: str

    async def run(self, ctx: CheckContext) -> Evidence:
        raise CheckWarning(
            f"{Path(self.path).name} has no manifest: restored WITHOUT verification "
            "(--no-manifest --yes): its tables, row counts and checksums were not compared "
            "with what was backed up", {"path": self.path, "manifest": None})
