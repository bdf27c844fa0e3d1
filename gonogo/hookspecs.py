"""The pluggy hooks third-party packages implement (entry-point group ``gonogo``)."""

from __future__ import annotations

import pluggy

from gonogo.checks.base import Check
from gonogo.hookimpl import hookimpl

__all__ = ["gonogo_check_types", "hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("gonogo")


@hookspec
def gonogo_check_types() -> list[type[Check]]:  # type: ignore[empty-body]
    """Return the check type classes this plugin provides."""
