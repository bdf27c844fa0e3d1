"""``console``: the live checklist while a run goes, and the summary after it.

On a TTY (and without ``NO_COLOR``) finished items scroll above a live block of the
running ones; otherwise each finished item is one plain line, as CI logs want.
"""

from __future__ import annotations

import os
import sys
import time
from typing import IO, Any

from gonogo.config.model import CheckSpec, Phase
from gonogo.core.durations import format_duration
from gonogo.core.outcomes import CheckResult, Outcome
from gonogo.journal.schema import RunRecord
from gonogo.redact import Redactor
from gonogo.reports.common import ICONS, counts_line, output_tail, verdict_of

STYLES = {
    Outcome.PASSED: "green",
    Outcome.FAILED: "bold red",
    Outcome.WARNED: "yellow",
    Outcome.ERRORED: "bold red",
    Outcome.SKIPPED: "dim",
    Outcome.PENDING: "yellow",
    Outcome.WAIVED: "cyan",
}
#: Plain output repeats an unchanged watch signal's line at most this often.
WATCH_EVERY_S = 30.0
VERDICT_STYLES = {"GO": "bold white on green", "NO-GO": "bold white on red", "PENDING": "bold black on yellow"}


def fancy(stream: IO[str]) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def item_line(result: CheckResult) -> str:
    advisory = " (advisory)" if result.advisory else ""
    return (
        f"{ICONS[result.outcome]} {result.title}{advisory} "
        f"[{result.phase}] {format_duration(result.duration_s)} — {result.summary}"
    )


class ConsoleListener:
    """Prints each item as it finishes; a live spinner block shows what is running."""

    def __init__(
        self, stream: IO[str] | None = None, *, live: bool | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.stream = stream or sys.stdout
        self._redact = redactor.text if redactor is not None else (lambda text: text)
        self.live_enabled = fancy(self.stream) if live is None else live
        self._running: dict[str, tuple[CheckSpec, float]] = {}
        self._watch: dict[str, tuple[str, bool, float]] = {}  # id → (line, breached, printed at)
        self._live: Any = None
        self._console: Any = None
        if self.live_enabled:
            from rich.console import Console

            self._console = Console(file=self.stream, highlight=False)

    # listener protocol

    def phase_started(self, phase: Phase) -> None:
        text = f"── {phase.title} ({phase.kind}) "
        if self._console:
            self._console.print(f"[bold]{text}[/bold]")
        else:
            self._write(text)

    def check_started(self, spec: CheckSpec) -> None:
        self._running[spec.id] = (spec, time.monotonic())
        self._refresh()

    def check_finished(self, result: CheckResult) -> None:
        self._running.pop(result.id, None)
        if self._console:
            from rich.text import Text

            line = Text("  ")
            line.append(ICONS[result.outcome], style=STYLES[result.outcome])
            line.append(f" {result.title}")
            if result.advisory:
                line.append(" (advisory)", style="dim")
            line.append(f"  {format_duration(result.duration_s)}", style="dim")
            line.append(f"  {result.summary}", style=STYLES[result.outcome] if result.outcome != Outcome.PASSED else "dim")
            self._console.print(line)
        else:
            self._write("  " + item_line(result))
        self._refresh()

    def watch_progress(self, progress: Any) -> None:
        """A watch sample: time left and the last value against its threshold. Plain output
        prints a check's first sample, every change between healthy and breached, and
        otherwise one line per check every ``WATCH_EVERY_S``."""
        spec, sample = progress.spec, progress.sample
        count = (f" ({progress.breaches}/{progress.failure_limit})"
                 if sample.breached and progress.failure_limit > 1 else "")
        mark = "✗" if sample.breached else ("?" if sample.inconclusive else "·")
        line = self._redact(f"{mark} {sample.summary}{count} · "
                            f"{format_duration(progress.left)} left")
        before = self._watch.get(spec.id)
        now = time.monotonic()
        due = (before is None or before[1] != sample.breached
               or now - before[2] >= WATCH_EVERY_S)
        self._watch[spec.id] = (line, sample.breached, now if due else before[2] if before else now)
        if not self._console and due:
            self._write(f"  … {self._redact(spec.title)}: {line}")

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    # internals

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def _refresh(self) -> None:
        if not self._console:
            return
        from rich.live import Live

        if self._live is None and self._running:
            self._live = Live(self._render(), console=self._console, transient=True,
                              refresh_per_second=8, get_renderable=self._render)
            self._live.start()
        elif self._live is not None and not self._running:
            self._live.stop()
            self._live = None

    def _render(self) -> Any:
        from rich.console import Group
        from rich.spinner import Spinner

        rows: list[Any] = []
        for spec, started in list(self._running.values())[:12]:
            watched = self._watch.get(spec.id)
            detail = watched[0] if watched else f"{time.monotonic() - started:.1f}s"
            rows.append(Spinner("dots", text=f"{self._redact(spec.title)}  {detail}"))
        if len(self._running) > 12:
            from rich.text import Text

            rows.append(Text(f"… and {len(self._running) - 12} more running", style="dim"))
        return Group(*rows)


def summary_lines(record: RunRecord, *, details: bool = True) -> list[str]:
    """The closing block: verdict, counts, and what blocked the gate, with evidence."""
    verdict = verdict_of(record)
    lines = [f"{verdict}: {counts_line(record)} · run {record.id}"]
    blocking = [r for r in record.results if not r.advisory and r.outcome in (
        Outcome.FAILED, Outcome.ERRORED, Outcome.SKIPPED, Outcome.PENDING)]
    if details and blocking:
        lines.append("")
        lines.append("Blocking the gate:")
        for r in blocking:
            where = f" (line {r.line})" if r.line else ""
            lines.append(f"  {ICONS[r.outcome]} {r.title}{where}: {r.summary}")
            command = r.evidence.get("command")
            if command and r.outcome == Outcome.FAILED:
                lines.append(f"      $ {command}")
                tail = output_tail(r, 10)
                if tail:
                    lines.extend("      " + t for t in tail.splitlines())
    pending = [r for r in record.results if r.outcome == Outcome.PENDING]
    if pending:
        lines.append("")
        lines.append("Sign off with:")
        for r in pending[:5]:
            lines.append(f"  gonogo signoff {record.id} {r.id} --by NAME")
    contacts = record.meta.get("contacts") or []
    if verdict == "NO-GO" and contacts:
        lines.append("")
        lines.append("Contacts:")
        lines.extend(f"  {c.get('role')}: {c.get('contact')}" for c in contacts)
    return lines


def print_summary(record: RunRecord, stream: IO[str] | None = None) -> None:
    out = stream or sys.stdout
    lines = summary_lines(record)
    if fancy(out):
        from rich.console import Console
        from rich.text import Text

        console = Console(file=out, highlight=False)
        verdict = verdict_of(record)
        first = Text()
        first.append(f" {verdict} ", style=VERDICT_STYLES.get(verdict, "bold"))
        first.append(" " + lines[0].split(":", 1)[1].strip())
        console.print()
        console.print(first)
        for line in lines[1:]:
            console.print(Text(line))
    else:
        out.write("\n" + "\n".join(lines) + "\n")
        out.flush()


def render(record: RunRecord) -> str:
    """Plain-text rendering of a stored run (``gonogo report RUN --format console``)."""
    lines = [f"{record.meta.get('name') or 'gonogo'} · run {record.id} · {record.command}"]
    phase = None
    for result in record.results:
        if result.phase != phase:
            phase = result.phase
            lines.append(f"── {phase} ({result.kind})")
        lines.append("  " + item_line(result))
    lines.append("")
    lines.extend(summary_lines(record))
    return "\n".join(lines) + "\n"
