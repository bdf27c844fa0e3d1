"""The registry: built-ins come through the same hooks as plugins, and a plugin that clashes,
is malformed or fails is refused in one line naming it (real plugin modules, registered
with the real plugin manager)."""

from __future__ import annotations

import importlib
import types
from pathlib import Path
from typing import Any

import pytest

from gonogo import hookspecs
from gonogo.config.model import ServiceModel
from gonogo.drivers import driver_for
from gonogo.drivers.base import DriverContext
from gonogo.drivers.shell import ShellDriver
from gonogo.hookspecs import hookimpl
from gonogo.migrations import MigrationReader
from gonogo.plugins import (
    DEFAULT_PLUGINS,
    KINDS,
    PluginError,
    build_registry,
    check_hooks,
    load_entry_points,
    plugin_manager,
    registry,
)
from gonogo.redact import Redactor
from gonogo.reports.base import ReportFormat
from testing.cli import gonogo, write

HOOKS = {kind.hook for kind in KINDS}


def plugin(name: str, **hooks: Any) -> types.ModuleType:
    """A plugin module whose ``hooks`` are ``@hookimpl`` functions returning their value."""
    module = types.ModuleType(name)
    for hook, value in hooks.items():
        setattr(module, hook, hookimpl(lambda value=value: value))
    return module


def with_plugin(module: types.ModuleType) -> Any:
    pm = plugin_manager(entry_points=False)
    pm.add(module, name=module.__name__)
    check_hooks(pm)
    return build_registry(pm)


def test_builtins_are_registered_through_the_hooks_in_a_fixed_order() -> None:
    found = registry()
    assert list(found.drivers) == ["compose", "swarm", "shell"]
    assert list(found.report_formats) == ["console", "json", "junit", "markdown", "html",
                                          "checklist", "github"]
    assert list(found.migration_readers) == ["prisma", "alembic", "django", "flyway"]
    assert {"command", "http", "migrations"} <= set(found.check_types)


@pytest.mark.parametrize("module", DEFAULT_PLUGINS)
def test_every_builtin_module_implements_hooks_and_only_known_ones(module: str) -> None:
    implemented = {name for name in vars(importlib.import_module(module))
                   if name.startswith("gonogo_")}
    assert implemented and implemented <= HOOKS


class FakeDriver(ShellDriver):
    driver_name = "shell"


@pytest.mark.parametrize(("hook", "value", "message"), [
    ("gonogo_drivers", [FakeDriver], "driver 'shell' is registered twice: by plugin "
     "gonogo.drivers.shell and by plugin rival; uninstall one of them"),
    ("gonogo_report_formats", [ReportFormat("json", lambda record: "", "r.json")],
     "report format 'json' is registered twice: by plugin gonogo.reports.json_report and "
     "by plugin rival; uninstall one of them"),
    ("gonogo_migration_readers", [MigrationReader("prisma", "x", None)],  # type: ignore[arg-type]
     "migration reader 'prisma' is registered twice: by plugin gonogo.migrations.prisma and "
     "by plugin rival; uninstall one of them"),
])
def test_a_name_a_builtin_has_is_refused_naming_both(hook: str, value: Any, message: str) -> None:
    with pytest.raises(PluginError) as info:
        with_plugin(plugin("rival", **{hook: value}))
    assert str(info.value) == message


def test_a_driver_missing_a_method_is_refused() -> None:
    class Half:
        driver_name = "k8s"
        pulls_images = True

        def target(self, version: str) -> str:
            return version

    with pytest.raises(PluginError) as info:
        with_plugin(plugin("half", gonogo_drivers=[Half]))
    assert str(info.value) == ("plugin half: driver 'k8s' lacks preflight, current, deploy, "
                               "health, rollback, observe")


def test_a_name_users_cannot_write_is_refused() -> None:
    fmt = ReportFormat("Sarif:v2", lambda record: "", "report.sarif")
    with pytest.raises(PluginError) as info:
        with_plugin(plugin("sarif", gonogo_report_formats=[fmt]))
    assert str(info.value) == ("plugin sarif: report format name 'Sarif:v2' of " + repr(fmt)
                               + ": expected lower case letters, digits, '.', '_' or '-'")


def test_a_report_filename_outside_the_run_folder_is_refused() -> None:
    def formats() -> list[ReportFormat]:
        return [ReportFormat("sarif", lambda record: "", "../../escape.sarif")]

    module = types.ModuleType("sarif")
    module.gonogo_report_formats = hookimpl(formats)  # type: ignore[attr-defined]
    with pytest.raises(PluginError) as info:
        with_plugin(module)
    assert str(info.value) == ("plugin sarif: gonogo_report_formats() failed: ValueError: "
                               "report format 'sarif': filename '../../escape.sarif' must be a "
                               "bare file name")


def test_a_hook_that_fails_or_returns_no_list_is_named() -> None:
    def boom() -> list[Any]:
        raise RuntimeError("no kubeconfig")

    module = types.ModuleType("k8s")
    module.gonogo_drivers = hookimpl(boom)  # type: ignore[attr-defined]
    with pytest.raises(PluginError, match="^plugin k8s: gonogo_drivers\\(\\) failed: "
                                          "RuntimeError: no kubeconfig$"):
        with_plugin(module)
    with pytest.raises(PluginError, match="^plugin k8s: gonogo_drivers\\(\\) must return a list, "
                                          "got dict$"):
        with_plugin(plugin("k8s", gonogo_drivers={"k8s": ShellDriver}))


def test_a_misspelled_hook_is_refused() -> None:
    with pytest.raises(PluginError) as info:
        with_plugin(plugin("typo", gonogo_driver=[ShellDriver]))
    assert str(info.value).startswith("plugin typo: unknown hook 'gonogo_driver'")


def test_a_hook_with_arguments_gonogo_does_not_pass_is_refused() -> None:
    module = types.ModuleType("args")
    module.gonogo_drivers = hookimpl(lambda config: [])  # type: ignore[attr-defined]
    pm = plugin_manager(entry_points=False)
    with pytest.raises(PluginError, match="^plugin args: Plugin 'args' for hook "
                                          "'gonogo_drivers'"):
        pm.add(module, name="args")


def installed(site: Path, dist: str, entry_points: str, module: str, code: str) -> None:
    """A distribution installed in ``site`` as pip leaves one: a module and its dist-info."""
    (site / f"{module}.py").write_text(code)
    info = site / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[gonogo]\n{entry_points}\n")


def test_a_plugin_that_cannot_be_imported_is_named_with_its_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed(tmp_path, "gonogo-broken", "broken = gonogo_broken", "gonogo_broken",
              "import gonogo_missing_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    pm = plugin_manager(entry_points=False)
    with pytest.raises(PluginError) as info:
        load_entry_points(pm)
    assert str(info.value) == ("plugin broken (gonogo-broken 0.1) cannot be loaded: "
                               "ModuleNotFoundError: No module named "
                               "'gonogo_missing_dependency'")


def test_two_names_for_one_plugin_module_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed(tmp_path, "gonogo-twice", "a = gonogo_twice\nb = gonogo_twice", "gonogo_twice",
              "")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError) as info:
        load_entry_points(plugin_manager(entry_points=False))
    assert str(info.value) == ("plugin b (gonogo-twice 0.1) is installed twice, or under a name "
                               "another plugin uses ('b'); uninstall one")


def test_driver_for_builds_the_registered_driver_and_refuses_others(tmp_path: Path) -> None:
    ctx = DriverContext(workdir=tmp_path, env={}, redactor=Redactor())
    spec = ServiceModel(name="web", driver="shell", deploy="true")
    assert isinstance(driver_for(spec, ctx), ShellDriver)
    with pytest.raises(PluginError, match="^service web: unknown driver 'k8s' "
                                          "\\(known drivers: compose, swarm, shell\\)$"):
        driver_for(ServiceModel(name="web", driver="k8s"), ctx)


def test_an_unknown_migration_tool_lists_the_registered_readers(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", "phases:\n  - id: p\n    kind: preflight\n    checks:\n"
          "      - {type: migrations, tool: liquibase, database_url: 'postgresql://x/y'}\n")
    result = gonogo("validate", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("gonogo: error: gonogo.yml:5: phases[0].checks[0].tool: expected "
                             "'prisma', 'alembic', 'django' or 'flyway', got 'liquibase'\n")


def test_an_unknown_report_format_is_refused_before_the_journal_is_read(tmp_path: Path) -> None:
    result = gonogo("report", "last", "--format", "sarif", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("gonogo: error: unknown report format 'sarif' (expected one of "
                             "console, json, junit, markdown, html, checklist, github)\n")


def test_hookspecs_and_kinds_agree() -> None:
    specs = {name for name in vars(hookspecs) if name.startswith("gonogo_")}
    assert specs == HOOKS


def test_every_hook_is_documented_with_the_example() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "plugins.md").read_text()
    for hook in sorted(HOOKS):
        assert f"\n## `{hook}`\n" in docs, hook
        assert f"def {hook}()" in docs, hook
