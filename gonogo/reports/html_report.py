"""``html``: one self-contained file (inline CSS, no scripts, every value escaped)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gonogo import __version__
from gonogo.core.outcomes import CheckResult
from gonogo.hookimpl import hookimpl
from gonogo.reports.base import ReportFormat
from gonogo.reports.common import ICONS, counts, output_tail, status_line, verdict_of

if TYPE_CHECKING:  # annotations only: rendering needs no database driver
    from gonogo.journal.schema import RunRecord


def readable(value: Any, indent: str = "") -> str:
    """Structured evidence as a person reads it: ``key: value`` lines and ``- item`` lists,
    nested by indentation, every string exactly as it is. Not JSON (``\\u0027`` escapes, quoted
    keys) nor YAML (quotes a string that starts with a quote or holds ``: ``); the template
    escapes the result for HTML."""
    lines: list[str] = []
    items: list[tuple[str, Any]] = (
        [(f"{k}:", v) for k, v in value.items()] if isinstance(value, Mapping)
        else [("-", v) for v in value])
    for label, item in items:
        nested = isinstance(item, Mapping | list | tuple)
        if nested and item:
            lines.append(f"{indent}{label}")
            lines.append(readable(item, indent + "  "))
        else:
            text = "(none)" if nested else "" if item is None else str(item)
            first, *rest = text.split("\n")
            lines.append(f"{indent}{label} {first}".rstrip())
            lines.extend(f"{indent}  {more}" for more in rest)
    return "\n".join(lines)


def render(record: RunRecord) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("gonogo", "reports/templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    env.filters["readable"] = readable
    phases: OrderedDict[str, list[CheckResult]] = OrderedDict()
    for result in record.results:
        phases.setdefault(result.phase, []).append(result)
    template = env.get_template("report.html.j2")
    return template.render(
        record=record,
        name=record.meta.get("name") or "gonogo",
        verdict=verdict_of(record),
        status=status_line(record),
        counts=counts(record),
        phases=list(phases.items()),
        icons={str(k): v for k, v in ICONS.items()},
        tails={r.id: output_tail(r) for r in record.results},
        version=__version__,
    )


@hookimpl
def gonogo_report_formats() -> list[ReportFormat]:
    return [ReportFormat("html", render, "report.html")]
