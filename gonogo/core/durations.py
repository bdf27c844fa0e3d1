"""Durations as users write them: ``500ms``, ``30s``, ``10m``, ``1h``, ``1h30m``, ``2d``.

A duration always carries its unit and is more than zero: a bare ``5`` could mean seconds
or minutes, and a ``timeout: 0`` that quietly became the default would hide a typo. Most
durations are bounded by a week (``MAX_DURATION``): anything longer in a gate is a slip of
the unit, not a wait anyone intends.
"""

from __future__ import annotations

import math
import re

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
EXPECTED = "expected a duration like 30s or 5m"
#: The longest wait, timeout or window a config may ask for.
MAX_DURATION = 7 * 86400.0


class DurationError(ValueError):
    """Not a usable duration; ``hint`` says how to write one."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def parse_duration(value: object, *, maximum: float = MAX_DURATION) -> float:
    """Seconds in ``value`` (more than 0, at most ``maximum``); DurationError on anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise DurationError(f"{EXPECTED}, got {value!r}")
    if isinstance(value, (int, float)) or re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", value):
        number = float(value)
        if not math.isfinite(number):
            raise DurationError(f"{EXPECTED}, got {value!r}")
        if number <= 0:
            raise DurationError(f"expected a duration of more than 0, got {value!r}")
        raise DurationError(f"{EXPECTED}, got {value!r}",
                            hint=f"a bare number has no unit: write {_plain(number)}s or {_plain(number)}m")
    text = value.strip().replace(" ", "")
    if text.startswith("-"):
        raise DurationError(f"expected a duration of more than 0, got {value!r}")
    pos, total = 0, 0.0
    for match in _PART.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not text or pos != len(text):
        raise DurationError(f"{EXPECTED}, got {value!r}")
    if total <= 0:
        raise DurationError(f"expected a duration of more than 0, got {value!r}")
    if total > maximum:
        raise DurationError(f"expected a duration of at most {format_limit(maximum)}, got {value!r}")
    return total


def _plain(number: float) -> str:
    return f"{number:g}"


def format_limit(seconds: float) -> str:
    """A bound as users write it: 7d, 3650d."""
    for unit in ("d", "h", "m", "s"):
        if seconds >= _UNITS[unit] and seconds % _UNITS[unit] == 0:
            return f"{seconds / _UNITS[unit]:g}{unit}"
    return f"{seconds:g}s"


def format_duration(seconds: float) -> str:
    """Short human form: 0.4s, 12s, 3m05s, 1h02m."""
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
