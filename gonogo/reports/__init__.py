"""Reports: one module per format, each a ``ReportFormat`` (``render(record) -> str`` over a
stored run) registered through the ``gonogo_report_formats`` hook, as plugins' formats are.

Reports read recorded runs: they may import ``core``, the journal's records, the config
model, markdown (to tick a checklist back) and the plugin registry; they know no engine,
deploy or commands.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gonogo.core.errors import UsageError
from gonogo.outputs import write_output
from gonogo.plugins import registry
from gonogo.reports.base import ReportFormat

if TYPE_CHECKING:  # annotations only: rendering needs no database driver
    from gonogo.journal.schema import RunRecord

__all__ = ["ReportFormat", "ReportSpec", "formats", "parse_report_specs", "render",
           "write_report"]


def formats() -> Mapping[str, ReportFormat]:
    """Every registered report format by name: the built-ins, then plugins'."""
    found: Mapping[str, ReportFormat] = registry().report_formats
    return found


@dataclass(frozen=True)
class ReportSpec:
    format: str
    path: str | None  # None: into the run folder; "-": standard output


def parse_report_specs(values: list[str]) -> list[ReportSpec]:
    """``FMT`` or ``FMT:PATH`` (``FMT:-`` for stdout); validated before anything runs."""
    specs = []
    for value in values:
        fmt, _, path = value.partition(":")
        fmt = fmt.strip().lower()
        if fmt not in formats():
            raise UsageError(f"--report {value!r}: unknown format {fmt!r} "
                             f"(expected one of {', '.join(formats())})")
        specs.append(ReportSpec(fmt, path or None))
    return specs


def format_named(fmt: str) -> ReportFormat:
    """The registered format ``fmt``; an unknown name is a UsageError listing the known."""
    found = formats().get(fmt)
    if found is None:
        raise UsageError(f"unknown report format {fmt!r} "
                         f"(expected one of {', '.join(formats())})")
    return found


def render(record: RunRecord, fmt: str) -> str:
    text = format_named(fmt).render(record)
    if not isinstance(text, str):  # a plugin's render must return text
        raise TypeError(f"report format {fmt!r} rendered {type(text).__name__}, not text")
    return text


def write_report(record: RunRecord, spec: ReportSpec) -> Path | None:
    """Write one report, 0600; returns its path (None when written to stdout)."""
    text = render(record, spec.format)
    if spec.path == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return None
    if spec.path:
        path = Path(spec.path)
    else:
        assert record.run_dir is not None
        path = record.run_dir / format_named(spec.format).filename
    # 0600 wherever it goes: a report carries evidence (redacted, but still the project's);
    # whoever publishes it can widen it. A device (/dev/null) is written into, never replaced.
    write_output(path, text, make_parents=True, what="report ")
    return path
