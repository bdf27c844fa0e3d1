"""Notifications through apprise (Slack, Discord, Teams, e-mail, ``json://`` …) on a
deploy's start, success, failure and rollback. apprise is imported only when there is a
URL to notify; a notification that cannot be delivered is a warning, never a failure."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from gonogo.redact import Redactor

NOTIFY_TIMEOUT_S = 20.0
EVENT_TYPES = {"start": "info", "success": "success", "failure": "failure",
               "rollback": "warning", "rollback_failed": "failure"}


@dataclass
class Delivery:
    sent: bool
    problem: str | None = None


class Notifier:
    def __init__(self, urls: Sequence[str], redactor: Redactor) -> None:
        self.urls = list(urls)
        self.redactor = redactor

    def __bool__(self) -> bool:
        return bool(self.urls)

    def send_sync(self, event: str, title: str, body: str) -> Delivery:
        if not self.urls:
            return Delivery(False)
        try:
            import apprise
        except ImportError:
            return Delivery(False, "apprise is not installed (pip install 'gonogo[notify]')")
        app = apprise.Apprise()
        for url in self.urls:
            if not app.add(url):
                return Delivery(False, f"not a notification URL apprise knows: "
                                       f"{self.redactor.text(url.split('://')[0])}://…")
        kind = {
            "info": apprise.NotifyType.INFO, "success": apprise.NotifyType.SUCCESS,
            "warning": apprise.NotifyType.WARNING, "failure": apprise.NotifyType.FAILURE,
        }[EVENT_TYPES.get(event, "info")]
        ok = app.notify(title=self.redactor.text(title), body=self.redactor.text(body),
                        notify_type=kind)
        return Delivery(bool(ok), None if ok else "a notification target did not accept it")

    async def send(self, event: str, title: str, body: str) -> Delivery:
        if not self.urls:
            return Delivery(False)
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(self.send_sync, event, title, body), NOTIFY_TIMEOUT_S)
        except TimeoutError:
            return Delivery(False, f"no answer within {NOTIFY_TIMEOUT_S:g}s")
        except Exception as exc:  # a notifier must never break a deploy
            return Delivery(False, f"{type(exc).__name__}: {exc}")
