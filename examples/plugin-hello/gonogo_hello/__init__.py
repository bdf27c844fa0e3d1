"""gonogo's example plugin: everything it adds is named ``hello``.

The entry point (``[project.entry-points.gonogo] hello = "gonogo_hello"``) names this module;
gonogo registers the ``@hookimpl`` functions it finds here, exactly as it registers its own
check types, drivers and report formats.
"""

from __future__ import annotations

from gonogo.plugin_api import Driver, MigrationReader, ReportFormat, hookimpl
from gonogo_hello.check import HelloCheck
from gonogo_hello.driver import HelloDriver
from gonogo_hello.migrations import read
from gonogo_hello.report import render


@hookimpl
def gonogo_check_types() -> list[type[HelloCheck]]:
    return [HelloCheck]


@hookimpl
def gonogo_drivers() -> list[type[Driver]]:
    return [HelloDriver]


@hookimpl
def gonogo_report_formats() -> list[ReportFormat]:
    return [ReportFormat("hello", render, "hello.txt")]


@hookimpl
def gonogo_migration_readers() -> list[MigrationReader]:
    return [MigrationReader("hello", "migrations", read)]
