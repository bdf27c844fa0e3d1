"""Time as gonogo records it: aware UTC datetimes, stored as ISO 8601 text with milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime) -> str:
    """How a moment is stored and shown (``2026-12-01T08:00:00.000+00:00``)."""
    return value.isoformat(timespec="milliseconds")


def from_iso(value: str | None) -> datetime | None:
    """A stored moment back; None stays None."""
    return datetime.fromisoformat(value) if value else None
