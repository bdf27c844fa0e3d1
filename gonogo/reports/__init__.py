"""Reports: one module per format, each ``render(record, source) -> str`` over a stored run.

Reports read recorded runs: they may import ``core``, the journal's records, the config
model and markdown (to tick a checklist back); they know no engine, deploy or commands.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

from gonogo.core.errors import UsageError
from gonogo.journal.schema import RunRecord
from gonogo.outputs import write_output

FORMATS = {
    "console": "txt",
    "json": "json",
    "junit": "xml",
    "markdown": "md",
    "html": "html",
    "checklist": "md",
}


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
        if fmt not in FORMATS:
            raise UsageError(
                f"--report {value!r}: unknown format {fmt!r} (expected one of {', '.join(FORMATS)})"
            )
        specs.append(ReportSpec(fmt, path or None))
    return specs


def render(record: RunRecord, fmt: str) -> str:
    if fmt not in FORMATS:
        raise UsageError(f"unknown report format {fmt!r} (expected one of {', '.join(FORMATS)})")
    module = importlib.import_module(f"gonogo.reports.{fmt}_report")
    text: str = module.render(record)
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
        suffix = "checklist.md" if spec.format == "checklist" else f"report.{FORMATS[spec.format]}"
        path = record.run_dir / suffix
    # 0600 wherever it goes: a report carries evidence (redacted, but still the project's);
    # whoever publishes it can widen it. A device (/dev/null) is written into, never replaced.
    write_output(path, text, make_parents=True, what="report ")
    return path
