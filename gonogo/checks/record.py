"""``record``: append one row per deploy — time, environment, version per service, verdict,
who, run id, link to the HTML report — to a Markdown status document such as
``docs/devops/deployment-status.md``. The file is created when missing; earlier rows are
never rewritten (append only, under an exclusive lock)."""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import Field

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.core.errors import CheckError
from gonogo.core.outcomes import decide
from gonogo.hookimpl import hookimpl
from gonogo.identity import os_user

COLUMNS = ("Time (UTC)", "Environment", "Version", "Services", "Verdict", "By", "Run", "Report")
HEADER = "| " + " | ".join(COLUMNS) + " |"
RULE = "|" + "|".join("---" for _ in COLUMNS) + "|"


class RecordCheck(Check):
    """One row appended to the deployment status document."""

    type_name = "record"
    #: Not run by `check`: it appends a row to a status document.
    changes_state = True
    example = {"path": "docs/devops/deployment-status.md"}

    path: str = Field(min_length=1)
    #: The document's heading when gonogo creates it.
    heading: str = "Deployment status"
    #: Default: the version being deployed (``$GONOGO_VERSION``).
    version: str | None = None
    #: Default: the run's verdict so far (GO, NO-GO, PENDING).
    verdict: str | None = None
    note: str | None = None

    def describe(self) -> str:
        return f"record: a row in {self.path}"

    async def run(self, ctx: CheckContext) -> Evidence:
        target = ctx.resolve(self.path)
        row = self.row(ctx, target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            append_row(target, row, self.heading)
        except OSError as exc:
            raise CheckError(f"cannot append to {self.path}: {exc.strerror or exc}") from None
        cells = row_cells(row)
        return Evidence(f"appended to {self.path}: {cells[2]} in {cells[1]}, {cells[4]}",
                        {"path": str(target), "row": row})

    def row(self, ctx: CheckContext, target: Path) -> str:
        results = [r for r in ctx.results.values() if getattr(r, "kind", None) != "post"]
        verdict = self.verdict or (str(decide(results)) if results else "—")
        version = self.version or ctx.env.get("GONOGO_VERSION") or "—"
        services = []
        for result in ctx.results.values():
            to = result.evidence.get("to") if result.id.startswith("deploy.") else None
            if isinstance(to, dict):
                label = to.get("version") or to.get("image") or "?"
                services.append(f"{result.id.removeprefix('deploy.')} {label}")
        report = "—"
        if ctx.run_dir is not None:
            html = ctx.run_dir / "report.html"
            try:
                link = os.path.relpath(html, target.parent)
            except ValueError:
                link = str(html)
            report = f"[report]({link})"
        who = ctx.env.get("GONOGO_USER") or os_user()
        cells: list[Any] = [
            datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
            ctx.environment or "—", version, ", ".join(services) or "—",
            verdict + (f" ({self.note})" if self.note else ""), who,
            f"`{ctx.run_id}`" if ctx.run_id else "—", report,
        ]
        return "| " + " | ".join(_cell(c) for c in cells) + " |"


def append_row(target: Path, row: str, heading: str) -> None:
    """Append ``row``, adding the table's header first when the document has none at its end."""
    with target.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            handle.seek(0)
            text = handle.read()
            lines = [line for line in text.splitlines() if line.strip()]
            parts = []
            if text and not text.endswith("\n"):
                parts.append("\n")
            if not lines:
                parts.append(f"# {heading}\n\n{HEADER}\n{RULE}\n")
            elif not lines[-1].lstrip().startswith("|") or HEADER not in text:
                parts.append(f"\n{HEADER}\n{RULE}\n")  # a table must be contiguous
            parts.append(row + "\n")
            handle.seek(0, os.SEEK_END)
            handle.write("".join(parts))
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def row_cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split(" | ")]


def _cell(value: Any) -> str:
    return str(value).replace("\r", " ").replace("\n", " ").replace("|", "\\|").strip() or "—"


@hookimpl
def gonogo_check_types() -> list[type[RecordCheck]]:
    return [RecordCheck]
