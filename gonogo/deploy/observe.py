"""Releases that follow reality: what the engine runs, read back through the drivers after
every deploy and rollback, and compared with the journal by `gonogo releases --check`.

The journal's ``live_services.state`` is the observation's: ``live`` (the engine runs it,
nothing wrong reported), ``starting``, ``unhealthy``, ``absent`` or ``unknown`` (the driver
cannot tell, or the engine did not answer).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from gonogo.drivers.base import Driver, DriverError, Observed
from gonogo.journal.releases import LiveService

OBSERVE_TIMEOUT_S = 60.0


async def observe(driver: Driver) -> Observed:
    """The driver's observation; never raises: what cannot be asked is ``unknown``."""
    try:
        return await asyncio.wait_for(driver.observe(), OBSERVE_TIMEOUT_S)
    except DriverError as exc:
        return Observed(None, None, "unknown", exc.message)
    except TimeoutError:
        return Observed(None, None, "unknown", f"no answer within {OBSERVE_TIMEOUT_S:g}s")
    except Exception as exc:  # a lost connection, an SDK surprise: the state is unknown
        return Observed(None, None, "unknown", f"{type(exc).__name__}: {exc}")


def journal_state(seen: Observed) -> str:
    return "live" if seen.state == "running" else seen.state


def recorded(seen: Observed, version: str | None, image: str | None
             ) -> tuple[str | None, str | None, str]:
    """What the journal records for an observation after gonogo put ``version``/``image``
    there: the engine's image and version; the intended ones only where the engine cannot
    name them (an image referenced by id, a driver that cannot tell)."""
    if seen.state == "unknown":
        return version, image, "unknown"
    if seen.state == "absent":
        return None, None, "absent"
    if version and same_digest(seen.image, image):
        # the engine runs gonogo's image under another tag (the checklist's own
        # `docker service update --image …:previous` after a rollback): same content, so the
        # same release — `releases` names the version, the image column keeps the alias
        return version, seen.image, journal_state(seen)
    return seen.version or version, seen.image or image, journal_state(seen)


def same_digest(a: str | None, b: str | None) -> bool:
    """Both references are pinned to one content digest (``…@sha256:…``), whatever the tags."""
    if not a or not b or "@" not in a or "@" not in b:
        return False
    return a.rsplit("@", 1)[1] == b.rsplit("@", 1)[1]


def same_image(a: str | None, b: str | None) -> bool:
    """Two references name the same image: equal, or equal but for a pinned digest."""
    if a is None or b is None:
        return a == b
    if a == b:
        return True
    return a.split("@", 1)[0] == b.split("@", 1)[0] and ("@" not in a or "@" not in b)


@dataclass(frozen=True)
class Difference:
    service: str
    journal: str
    engine: str
    detail: str

    def line(self) -> str:
        return (f"{self.service}: journal says {self.journal}, engine runs {self.engine}"
                + (f" — {self.detail}" if self.detail else ""))


def describe_live(row: LiveService | None) -> str:
    if row is None:
        return "nothing deployed"
    return f"{row.image or row.version or 'unknown'} ({row.state})"


def describe_seen(seen: Observed) -> str:
    if seen.state == "absent":
        return "nothing"
    if seen.state == "unknown":
        return "unknown (cannot tell)"
    return f"{seen.label()} ({journal_state(seen)})"


def compare(service: str, row: LiveService | None, seen: Observed) -> Difference | None:
    """None when the journal's row is what the engine runs, in the state it runs it.
    An engine that cannot tell never agrees: nothing passes by absence."""
    if row is None or row.state == "absent":
        if seen.state == "absent":
            return None
    elif seen.state != "unknown" and row.state == journal_state(seen):
        if row.image and seen.image:
            if same_image(row.image, seen.image):
                return None
        elif (row.version or None) == (seen.version or None):
            return None
    return Difference(service, describe_live(row), describe_seen(seen), seen.detail)
