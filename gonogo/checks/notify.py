"""``notify``: send the run's summary through apprise (Slack, Teams, e-mail, ``json://`` …)
with ``gonogo.notify``'s sender. The URLs carry tokens: they are secret everywhere."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlsplit

from pydantic import Field

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.core.errors import CheckFailed
from gonogo.core.fields import NotifyUrl
from gonogo.core.outcomes import Outcome, decide
from gonogo.hookimpl import hookimpl

EVENTS = {"GO": "success", "NO-GO": "failure", "PENDING": "info"}


class NotifyCheck(Check):
    """The summary of the run so far, sent to every URL."""

    type_name = "notify"
    #: Not run by `check`: it sends a message to people.
    changes_state = True
    example = {"urls": ["json://127.0.0.1:8099/deploys"]}
    secret_fields: ClassVar[tuple[str, ...]] = ("urls",)

    urls: list[NotifyUrl] = Field(min_length=1)
    title: str | None = None
    message: str | None = None

    def describe(self) -> str:
        schemes = ", ".join(sorted({u.split("://", 1)[0] for u in self.urls}))
        return f"notify: {len(self.urls)} target{'s' if len(self.urls) != 1 else ''} ({schemes})"

    async def run(self, ctx: CheckContext) -> Evidence:
        from gonogo.notify import Notifier

        for url in self.urls:
            ctx.redactor.add("notify_url", url)
            for part in (urlsplit(url).password, *urlsplit(url).path.split("/")):
                if part and len(part) >= 12:  # tokens inside slack://T/B/secret-style URLs
                    ctx.redactor.add("notify_url", part)
        verdict, title, body = summary(ctx)
        title = self.title or title
        body = self.message or body
        delivery = await Notifier(self.urls, ctx.redactor).send(EVENTS.get(verdict, "info"),
                                                                title, body)
        targets = self.describe().split(": ", 1)[1]
        if not delivery.sent:
            raise CheckFailed(f"not delivered to {targets}: "
                              f"{delivery.problem or 'no target accepted it'}")
        return Evidence(f"sent to {targets}: {title}", {"title": title, "body": body})


def summary(ctx: CheckContext) -> tuple[str, str, str]:
    """(verdict, title, body) of the run so far, for people."""
    results: list[Any] = [r for r in ctx.results.values() if getattr(r, "kind", "") != "post"]
    verdict = str(decide(results)) if results else "GO"
    version = ctx.env.get("GONOGO_VERSION")
    where = ctx.environment or "default"
    title = f"gonogo: {version + ' ' if version else ''}{where} — {verdict}"
    lines = [f"verdict: {verdict}" + (f" · version {version}" if version else "")
             + f" · environment {where}"]
    counts: dict[str, int] = {}
    for r in results:
        counts[str(r.outcome)] = counts.get(str(r.outcome), 0) + 1
    if counts:
        lines.append(", ".join(f"{n} {o}" for o, n in sorted(counts.items())))
    for r in results:
        if not r.advisory and r.outcome in (Outcome.FAILED, Outcome.ERRORED):
            lines.append(f"✗ {r.title}: {r.summary}")
    if ctx.run_id:
        lines.append(f"run {ctx.run_id}")
    if ctx.run_dir is not None:
        lines.append(f"report: {ctx.run_dir / 'report.html'}")
    return verdict, ctx.redactor.text(title), ctx.redactor.text("\n".join(lines))


@hookimpl
def gonogo_check_types() -> list[type[NotifyCheck]]:
    return [NotifyCheck]
