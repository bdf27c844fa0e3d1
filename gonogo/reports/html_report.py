"""``html``: one self-contained file (inline CSS, no scripts, every value escaped)."""

from __future__ import annotations

from collections import OrderedDict

from gonogo import __version__
from gonogo.core.outcomes import CheckResult
from gonogo.journal.schema import RunRecord
from gonogo.reports.common import ICONS, counts, output_tail, status_line, verdict_of


def render(record: RunRecord) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("gonogo", "reports/templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
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
