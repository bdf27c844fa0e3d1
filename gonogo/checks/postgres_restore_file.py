"""``postgres.restore.file``: before `gonogo restore` replaces anything, the dump's size and
sha256 match its manifest.
"""

from __future__ import annotations

from pathlib import Path

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.postgres_restore import (
    verify_dump_file,
)


class VerifyFile(Check):
    """The dump's size and sha256 match its manifest."""

    type_name = "postgres.restore.file"
    path: str

    async def run(self, ctx: CheckContext) -> Evidence:
        dump = Path(self.path)
        manifest = await verify_dump_file(dump)
        return Evidence(
            summary=f"{dump.name}: sha256 {manifest['sha256'][:12]}… and size match its manifest",
            data={"path": str(dump), "sha256": manifest["sha256"], "size_bytes": manifest["size_bytes"]},
        )
