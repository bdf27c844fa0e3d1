"""Registry consistency: every check type imports, has a schema, a docstring and a valid example
(testinfra's ``test_backend_importables``, Datasette's ``test_docs.py``)."""

from __future__ import annotations

import importlib
import json
import sys
import types
from pathlib import Path

import pluggy
import pytest

from gonogo import hookspecs
from gonogo.checks.base import Check
from gonogo.checks.command import CommandCheck
from gonogo.plugins import (
    DEFAULT_PLUGINS,
    PluginError,
    check_types,
    collect_check_types,
    plugin_manager,
)
from gonogo.sources import load_config
from testing.project import project

TYPES = sorted(check_types())


def test_the_core_types_are_registered() -> None:
    assert {"command", "http", "tcp", "file", "manual"} <= set(TYPES)


@pytest.mark.parametrize("module", DEFAULT_PLUGINS)
def test_every_builtin_plugin_module_imports_and_registers_something(module: str) -> None:
    provided = importlib.import_module(module).gonogo_check_types()
    assert provided and all(issubclass(cls, Check) for cls in provided)


@pytest.mark.parametrize("name", TYPES)
def test_each_type_is_documented_with_a_valid_example(name: str, tmp_path: Path) -> None:
    cls = check_types()[name]
    assert cls.type_name == name
    assert cls.__doc__ and cls.__doc__.strip(), f"{cls.__name__} needs a docstring"
    assert cls.example, f"{cls.__name__} needs an example"
    params = cls.model_validate(cls.example)
    assert params.describe()
    schema = cls.model_json_schema(by_alias=True)
    assert schema["type"] == "object"
    assert set(cls.example) <= set(schema["properties"])
    # the example works in a real config file, exactly as documented
    item = json.dumps({"type": name, **cls.example})  # JSON is YAML
    project(tmp_path, f"phases:\n  - id: p\n    kind: preflight\n    checks:\n      - {item}\n")
    config = load_config(tmp_path / "gonogo.yml", strict=False, process_env={})
    assert config.checks[next(iter(config.checks))].type == name


@pytest.mark.parametrize("name", TYPES)
def test_secret_fields_are_real_fields(name: str) -> None:
    cls = check_types()[name]
    assert set(cls.secret_fields) <= set(cls.model_fields)


class RivalCommand(Check):
    """A third party's check type that picked a taken name."""

    type_name = "command"
    example = {"x": 1}
    x: int = 0


def test_a_duplicate_type_name_is_a_startup_error() -> None:
    rival = types.ModuleType("rival_plugin")
    rival.gonogo_check_types = hookspecs.hookimpl(lambda: [RivalCommand])  # type: ignore[attr-defined]
    pm = plugin_manager(entry_points=False)
    pm.register(rival, name="rival_plugin")
    with pytest.raises(PluginError) as info:
        collect_check_types(pm)
    assert str(info.value) == (
        "check type 'command' is registered twice: by gonogo.checks.command "
        f"and by {__name__}"
    )


def test_a_type_without_a_name_is_refused() -> None:
    class Nameless(Check):
        """No type_name."""

    plugin = types.ModuleType("nameless")
    plugin.gonogo_check_types = hookspecs.hookimpl(lambda: [Nameless])  # type: ignore[attr-defined]
    pm = pluggy.PluginManager("gonogo")
    pm.add_hookspecs(hookspecs)
    pm.register(plugin, name="nameless")
    with pytest.raises(PluginError, match="^plugin nameless: Nameless has no type_name$"):
        collect_check_types(pm)


def test_the_same_class_from_two_plugins_is_not_a_clash() -> None:
    again = types.ModuleType("again")
    again.gonogo_check_types = hookspecs.hookimpl(lambda: [CommandCheck])  # type: ignore[attr-defined]
    pm = plugin_manager(entry_points=False)
    pm.register(again, name="again")
    assert collect_check_types(pm)["command"] is CommandCheck


def test_gonogo_help_does_not_import_heavy_libraries() -> None:
    import subprocess

    code = ("import sys; from gonogo.cli import build_parser; build_parser().format_help(); "
            "from gonogo.plugins import check_types; check_types(); "
            "print(sorted(m for m in ('httpx', 'psycopg', 'docker', 'apprise', 'sqlalchemy') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
