"""The pluggy hooks of gonogo's extension points (entry-point group ``gonogo``).

Every hook returns a list of named things; the built-ins implement the same hooks, listed in
``gonogo.plugins.DEFAULT_PLUGINS`` (Datasette's model). A name two plugins provide is a
startup error naming both. See docs/plugins.md.
"""

from __future__ import annotations

from typing import Any

import pluggy

from gonogo.checks.base import Check
from gonogo.hookimpl import hookimpl
from gonogo.migrations import MigrationReader

__all__ = ["gonogo_check_types", "gonogo_drivers", "gonogo_migration_readers",
           "gonogo_report_formats", "hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("gonogo")


@hookspec
def gonogo_check_types() -> list[type[Check]]:  # type: ignore[empty-body]
    """Return the check type classes this plugin provides (named by their ``type_name``)."""


@hookspec
def gonogo_drivers() -> list[type[Any]]:  # type: ignore[empty-body]
    """Return the deploy driver classes this plugin provides (named by their ``driver_name``),
    each implementing ``gonogo.drivers.base.Driver`` (the drivers sit above this module, hence
    ``Any``); each is built as ``cls(service, ctx)`` for one service of ``services:``."""


@hookspec
def gonogo_report_formats() -> list[Any]:  # type: ignore[empty-body]
    """Return the report formats this plugin provides (``--report NAME[:PATH]``), each a
    ``gonogo.reports.base.ReportFormat`` (the reports sit above this module, hence ``Any``)."""


@hookspec
def gonogo_migration_readers() -> list[MigrationReader]:  # type: ignore[empty-body]
    """Return the migration readers this plugin provides (the ``tool:`` of a ``migrations``
    check)."""
