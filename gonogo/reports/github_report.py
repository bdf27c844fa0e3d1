"""``github``: workflow-command annotations (``::error file=…,line=…::``) on the checklist
lines whose checks did not hold, so a CI run shows them inline on the file. GitHub Actions
reads them from a step's output; other CIs (Gitea/Forgejo Actions) understand the same
commands, and anything else shows them as plain lines.

Failed and errored checks are errors, warned (advisory) checks warnings, pending sign-offs
notices; a run that is not GO ends with one error naming its verdict."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from gonogo.core.outcomes import CheckResult, Outcome
from gonogo.hookimpl import hookimpl
from gonogo.reports.base import ReportFormat
from gonogo.reports.common import counts_line, verdict_of

if TYPE_CHECKING:  # annotations only: rendering needs no database driver
    from gonogo.journal.schema import RunRecord

LEVELS = {
    Outcome.FAILED: "error",
    Outcome.ERRORED: "error",
    Outcome.WARNED: "warning",
    Outcome.PENDING: "notice",
}


def _data(text: str) -> str:
    """A command's message: GitHub reads ``%``, CR and LF as escapes there."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A property value: ``:`` and ``,`` end it, so they are escaped too."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def source_file(record: RunRecord) -> str | None:
    """The file the results' line numbers point into, as the repository names it: relative
    to ``$GITHUB_WORKSPACE`` (else the current directory) when under it."""
    value = record.meta.get("checklist") or record.meta.get("source") or record.config_path
    if not isinstance(value, str) or not value:
        return None
    path = Path(value).resolve()
    for base in (os.environ.get("GITHUB_WORKSPACE"), os.getcwd()):
        if base:
            try:
                return path.relative_to(Path(base).resolve()).as_posix()
            except ValueError:
                continue
    return path.as_posix()


def annotation(result: CheckResult, file: str | None) -> str | None:
    level = LEVELS.get(result.outcome)
    if level is None:
        return None
    props = []
    if file is not None and result.line is not None:
        props += [f"file={_property(file)}", f"line={result.line}"]
    props.append(f"title={_property(f'gonogo: {result.id} {result.outcome}')}")
    return f"::{level} {','.join(props)}::{_data(f'{result.title} — {result.summary}')}"


def render(record: RunRecord) -> str:
    file = source_file(record)
    lines = [line for r in record.results if (line := annotation(r, file)) is not None]
    verdict = verdict_of(record)
    if verdict != "GO":
        name = record.meta.get("name") or "gonogo"
        lines.append(f"::error title={_property(f'gonogo: {verdict}')}::"
                     + _data(f"{name}: {verdict} — {counts_line(record)} (run {record.id})"))
    return "\n".join(lines) + "\n" if lines else ""


@hookimpl
def gonogo_report_formats() -> list[ReportFormat]:
    return [ReportFormat("github", render, "annotations.txt")]
