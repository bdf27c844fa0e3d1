"""``junit``: one testcase per item, named by the item's text; CI systems render it natively."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import OrderedDict

from gonogo.core.outcomes import CheckResult, Outcome
from gonogo.journal.schema import RunRecord
from gonogo.reports.common import output_tail, status_line, verdict_of


def _failure_text(result: CheckResult) -> str:
    lines = [result.summary]
    for key, value in result.evidence.items():
        if key not in ("traceback",):
            lines.append(f"{key}: {value}")
    tail = output_tail(result)
    if tail:
        lines.append("--- output (tail) ---")
        lines.append(tail)
    return "\n".join(lines)


def render(record: RunRecord) -> str:
    phases: OrderedDict[str, list[CheckResult]] = OrderedDict()
    for result in record.results:
        phases.setdefault(result.phase, []).append(result)
    root = ET.Element("testsuites", name=f"gonogo {record.id}", verdict=verdict_of(record))
    status = status_line(record)
    if status:
        root.set("status", status)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for phase, items in phases.items():
        suite = ET.SubElement(root, "testsuite", name=phase)
        counts = {"tests": len(items), "failures": 0, "errors": 0, "skipped": 0}
        suite_time = 0.0
        for result in items:
            suite_time += result.duration_s
            case = ET.SubElement(
                suite, "testcase", name=result.title, classname=f"gonogo.{phase}",
                time=f"{result.duration_s:.3f}",
            )
            if result.outcome == Outcome.FAILED:
                counts["failures"] += 1
                node = ET.SubElement(case, "failure", message=result.summary, type="failed")
                node.text = _failure_text(result)
            elif result.outcome == Outcome.ERRORED:
                counts["errors"] += 1
                node = ET.SubElement(case, "error", message=result.summary, type="errored")
                node.text = _failure_text(result)
            elif result.outcome in (Outcome.SKIPPED, Outcome.PENDING):
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=f"{result.outcome}: {result.summary}")
            else:
                out = ET.SubElement(case, "system-out")
                out.text = f"{result.outcome}: {result.summary}"
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{suite_time:.3f}")
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
