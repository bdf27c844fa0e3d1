"""Start-up: a gate imports only the check types it uses, and no library a check or report
it does not run would need (SQLAlchemy is the journal's: every gate writes one)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gonogo.checks.command import CommandCheck
from gonogo.plugins import (
    BUILTIN_TYPES,
    BUILTINS,
    CHECK_MODULES,
    CHECK_TYPES,
    DEFAULT_PLUGINS,
    DRIVERS,
    Builtins,
    PluginError,
    build_registry,
    plugin_manager,
)
from testing.cli import write

CONFIG = """version: 1
phases:
  - id: pre
    kind: preflight
    checks:
      - {id: a, type: file, path: gonogo.yml}
      - {id: b, run: "true"}
"""


def imported_by(argv: list[str], cwd: Path) -> set[str]:
    """The modules a real gonogo process has imported once ``gonogo ARGV`` is done."""
    code = ("import json, sys\nfrom gonogo.cli import main\ntry:\n    main(sys.argv[1:])\n"
            "except SystemExit:\n    pass\nprint('MODULES=' + json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code, *argv], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


def test_a_gate_imports_only_what_its_checks_need(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", CONFIG)
    modules = imported_by(["check"], tmp_path)
    checks = {m for m in modules if m.startswith("gonogo.checks.")} - {"gonogo.checks.base"}
    assert {"gonogo.checks.file", "gonogo.checks.command"} <= checks
    assert not checks & {"gonogo.checks.http", "gonogo.checks.postgres_backup",
                         "gonogo.checks.prometheus", "gonogo.checks.typescript_no_any"}
    for heavy in ("httpx", "jinja2", "rich.live", "psycopg", "docker", "apprise", "markdown_it",
                  "jsonschema"):
        assert heavy not in modules, heavy


def test_help_imports_neither_pydantic_nor_sqlalchemy(tmp_path: Path) -> None:
    modules = imported_by(["--help"], tmp_path)
    assert not {"pydantic", "sqlalchemy", "yaml", "asyncio"} & modules


def test_the_builtin_table_matches_what_each_module_registers() -> None:
    by_module: dict[str, set[str]] = {}
    for name, module in BUILTIN_TYPES.items():
        by_module.setdefault(module, set()).add(name)
    assert sorted(by_module) == sorted(CHECK_MODULES)
    assert set(CHECK_MODULES) <= set(DEFAULT_PLUGINS)
    assert not [m for m in DEFAULT_PLUGINS if m.startswith("gonogo.checks.")
                and m not in CHECK_MODULES]
    for module, names in by_module.items():
        provided = importlib.import_module(module).gonogo_check_types()
        assert {cls.type_name for cls in provided} == names, module


class RivalCommand(CommandCheck):
    """A third party's check type that picked a built-in's name."""


def test_a_plugin_type_named_like_a_builtin_is_a_startup_error() -> None:
    with pytest.raises(PluginError) as info:
        Builtins(CHECK_TYPES, {"command": RivalCommand}, {"command": "rival (gonogo-rival 1.0)"})
    assert str(info.value) == ("check type 'command' is registered twice: by plugin "
                               "gonogo.checks.command and by plugin rival (gonogo-rival 1.0); "
                               "uninstall one of them")


def test_a_gate_on_an_existing_sqlite_journal_imports_no_sqlalchemy(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", CONFIG)
    imported_by(["check"], tmp_path)  # the first run creates the journal's tables
    modules = imported_by(["check"], tmp_path)
    assert "gonogo.journal.lite" in modules
    assert not {m for m in modules if m == "sqlalchemy" or m.startswith("sqlalchemy.")}


def test_every_builtin_table_matches_what_each_module_registers() -> None:
    """Drivers, report formats and migration readers are imported on first lookup, as check
    types are: each kind's table must name exactly what its modules register, in order."""
    eager = build_registry(plugin_manager(entry_points=False))
    lazy = build_registry(plugin_manager(entry_points=False, lazy=True), lazy=True)
    assert [m for table in BUILTINS.values() for m in table.values()
            if m not in DEFAULT_PLUGINS] == []
    for field in ("check_types", "drivers", "report_formats", "migration_readers"):
        assert list(getattr(lazy, field)) == list(getattr(eager, field)), field
        for name, item in getattr(eager, field).items():
            assert getattr(lazy, field)[name] == item, (field, name)


def test_a_plugin_driver_named_like_a_builtin_is_a_startup_error() -> None:
    from gonogo.plugins import Builtins

    with pytest.raises(PluginError) as info:
        Builtins(DRIVERS, {"swarm": object}, {"swarm": "rival (gonogo-rival 1.0)"})
    assert str(info.value) == ("driver 'swarm' is registered twice: by plugin "
                               "gonogo.drivers.swarm and by plugin rival (gonogo-rival 1.0); "
                               "uninstall one of them")


def test_a_plain_gate_imports_no_driver_report_reader_or_watch_machinery(tmp_path: Path) -> None:
    """What a 10-check `gonogo check` without a watch window, env file, report or service
    never needs stays unimported (each of these cost milliseconds of every start-up)."""
    write(tmp_path / "gonogo.yml", CONFIG)
    imported_by(["check"], tmp_path)  # the first run creates the journal's tables
    modules = imported_by(["check"], tmp_path)
    unused = {"gonogo.drivers.compose", "gonogo.drivers.swarm", "gonogo.drivers.shell",
              "gonogo.drivers.base", "gonogo.reports.junit_report", "gonogo.reports.html_report",
              "gonogo.reports.json_report", "gonogo.migrations.prisma", "gonogo.migrations.alembic",
              "gonogo.migrations.django", "gonogo.migrations.flyway", "xml.etree.ElementTree",
              "gonogo.engine.watch", "gonogo.checks.signals", "dotenv", "dotenv.parser"}
    assert sorted(unused & modules) == []
