"""Ids made from titles: what a check without an ``id:`` is called, in configs, checklists
and `gonogo init`'s output alike."""

from __future__ import annotations

import re

#: Longest id made from a title; longer titles are cut at a word boundary's dash.
SLUG_LIMIT = 48


def slug(text: str, fallback: str = "", *, limit: int | None = SLUG_LIMIT) -> str:
    """``Run `make test` now`` → ``run-make-test-now``: lower case, letters and digits, one
    dash between words, backticks dropped, at most ``limit`` characters; ``fallback`` when
    nothing is left."""
    value = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("`", "")).strip("-")
    if limit is not None:
        value = value[:limit].strip("-")
    return value or fallback
