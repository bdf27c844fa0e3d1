"""The wording of a choice among registered names, shared by the config loader (drivers) and
check types (a migration reader): the way pydantic words a fixed choice."""

from __future__ import annotations

from collections.abc import Iterable


def expected_one_of(names: Iterable[str], given: object) -> str:
    """``expected 'a', 'b' or 'c', got 'x'``."""
    quoted = [repr(name) for name in names]
    if not quoted:
        return f"expected nothing (none is registered), got {given!r}"
    choices = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"expected {choices}, got {given!r}"
