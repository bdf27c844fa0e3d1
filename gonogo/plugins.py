"""The registry of every extension point: check types, deploy drivers, report formats and
migration readers. Built-ins register through the same pluggy hooks as third parties
(Datasette's ``DEFAULT_PLUGINS``); third parties load from the entry-point group ``gonogo``.

Fail closed: a plugin that cannot be loaded, implements a hook gonogo does not have, returns
something without a name or the methods its kind needs, or takes a name another plugin
already took, stops gonogo at startup with one line naming the plugins (exit 2) — a name
must never silently mean another plugin's code.

This module imports no provider (``DEFAULT_PLUGINS`` are module names). Drivers and report
formats sit above it: it holds them untyped, and ``gonogo.drivers.driver_for`` and
``gonogo.reports.formats`` give them their types. Migration readers sit below the check that
uses them: the registry hands them to ``gonogo.migrations`` when it is built.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pluggy

from gonogo import hookspecs
from gonogo.checks.base import Check
from gonogo.core.errors import GonogoError
from gonogo.migrations import MigrationReader, use_readers

ENTRY_POINT_GROUP = "gonogo"

#: Built-in plugin modules, each implementing some of the hooks in ``gonogo.hookspecs``.
#: Their order is the order names are listed in (help, error messages).
#: Every built-in check type and the module that registers it. The registry imports such a
#: module only when a config names one of its types (importing all of them built ~60 pydantic
#: models on every start-up); tests/checks/test_lazy_imports.py proves this table matches what
#: each module's ``gonogo_check_types`` hook returns.
BUILTIN_TYPES = {
    "command": "gonogo.checks.command",
    "http": "gonogo.checks.http",
    "tcp": "gonogo.checks.tcp",
    "file": "gonogo.checks.file",
    "manual": "gonogo.checks.manual",
    "env.required": "gonogo.checks.env",
    "env.url": "gonogo.checks.env",
    "env.list": "gonogo.checks.env",
    "env.no_dev_values": "gonogo.checks.env_hygiene",
    "env.drift": "gonogo.checks.env_hygiene",
    "secret.strength": "gonogo.checks.secret",
    "postgres.backup": "gonogo.checks.postgres_backup",
    "postgres.restore_verify": "gonogo.checks.postgres_restore",
    "postgres.query": "gonogo.checks.postgres_query",
    "postgres.jsonb_schema": "gonogo.checks.postgres_jsonb",
    "migrations": "gonogo.checks.migrations",
    "typescript.no_any": "gonogo.checks.typescript_no_any",
    "lint": "gonogo.checks.lint",
    "typecheck": "gonogo.checks.typecheck",
    "http.flow": "gonogo.checks.http_flow",
    "prometheus": "gonogo.checks.prometheus",
    "alerts": "gonogo.checks.alerts",
    "logs": "gonogo.checks.logs",
    "http.latency": "gonogo.checks.http_latency",
    "record": "gonogo.checks.record",
    "notify": "gonogo.checks.notify",
    "docker.build": "gonogo.checks.docker_build",
    "docker.push": "gonogo.checks.docker_push",
    "registry.tag": "gonogo.checks.registry_tag",
}
CHECK_MODULES = tuple(dict.fromkeys(BUILTIN_TYPES.values()))

#: The other built-in extensions and the module that registers each, imported only when one
#: is looked up, as check types are: importing every driver, report format and migration
#: reader (and the libraries they load: xml.etree, shlex, ...) cost ~40 ms of each start-up.
#: tests/checks/test_lazy_imports.py proves these tables match what the modules register.
BUILTIN_DRIVERS = {
    "compose": "gonogo.drivers.compose",
    "swarm": "gonogo.drivers.swarm",
    "shell": "gonogo.drivers.shell",
}
BUILTIN_REPORT_FORMATS = {
    "console": "gonogo.reports.console_report",
    "json": "gonogo.reports.json_report",
    "junit": "gonogo.reports.junit_report",
    "markdown": "gonogo.reports.markdown_report",
    "html": "gonogo.reports.html_report",
    "checklist": "gonogo.reports.checklist_report",
    "github": "gonogo.reports.github_report",
}
BUILTIN_MIGRATION_READERS = {
    "prisma": "gonogo.migrations.prisma",
    "alembic": "gonogo.migrations.alembic",
    "django": "gonogo.migrations.django",
    "flyway": "gonogo.migrations.flyway",
}

DEFAULT_PLUGINS = tuple(dict.fromkeys((
    *CHECK_MODULES,
    *BUILTIN_DRIVERS.values(),
    *BUILTIN_REPORT_FORMATS.values(),
    *BUILTIN_MIGRATION_READERS.values(),
)))

#: What users write: lower case, digits, ``.``, ``_``, ``-`` (never ``:``, which ends a
#: report format in ``--report FMT:PATH``).
NAME = re.compile(r"^[a-z][a-z0-9._-]*$")


class PluginError(GonogoError):
    """A plugin could not be loaded, is malformed, or clashes with another."""


@dataclass(frozen=True)
class Kind:
    """One extension point: its hook, what its things are called, where their name is, and
    what each must have (checked by name, so the registry imports none of them)."""

    hook: str
    noun: str
    name_attr: str
    needs: tuple[str, ...]


CHECK_TYPES = Kind("gonogo_check_types", "check type", "type_name", ("run", "model_validate"))
DRIVERS = Kind("gonogo_drivers", "driver", "driver_name",
               ("pulls_images", "target", "preflight", "current", "deploy", "health",
                "rollback", "observe"))
REPORT_FORMATS = Kind("gonogo_report_formats", "report format", "name", ("render", "filename"))
MIGRATION_READERS = Kind("gonogo_migration_readers", "migration reader", "name",
                         ("read", "default_dir"))
KINDS = (CHECK_TYPES, DRIVERS, REPORT_FORMATS, MIGRATION_READERS)
#: Each kind's built-ins, by name: the module that registers it.
BUILTINS: dict[Kind, Mapping[str, str]] = {
    CHECK_TYPES: BUILTIN_TYPES,
    DRIVERS: BUILTIN_DRIVERS,
    REPORT_FORMATS: BUILTIN_REPORT_FORMATS,
    MIGRATION_READERS: BUILTIN_MIGRATION_READERS,
}


class PluginManager(pluggy.PluginManager):
    """pluggy's manager, remembering how to name each plugin in an error."""

    def __init__(self) -> None:
        super().__init__("gonogo")
        self.add_hookspecs(hookspecs)
        self.labels: dict[str, str] = {}

    def add(self, plugin: object, name: str, label: str | None = None) -> None:
        """Register ``plugin``; a malformed hook or a taken plugin name is a PluginError."""
        shown = label or name
        try:
            self.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {shown}: {exc}") from None
        except ValueError:  # pluggy: this name or this very module is registered already
            raise PluginError(f"plugin {shown} is installed twice, or under a name another "
                              f"plugin uses ({name!r}); uninstall one") from None
        self.labels[name] = shown


@dataclass(frozen=True)
class Registry:
    """Every named extension, by name, in registration order (built-ins first)."""

    check_types: Mapping[str, type[Check]]
    #: ``gonogo.drivers.base.Driver`` classes (typed by ``gonogo.drivers.driver_for``).
    drivers: Mapping[str, type[Any]]
    #: ``gonogo.reports.base.ReportFormat`` (typed by ``gonogo.reports.formats``).
    report_formats: Mapping[str, Any]
    migration_readers: Mapping[str, MigrationReader]


def plugin_manager(entry_points: bool = True, lazy: bool = False) -> PluginManager:
    """The built-in plugins, then (unless ``entry_points`` is false) the installed ones.
    ``lazy`` leaves out the built-in modules (``Builtins`` imports each when one of its
    names is first looked up)."""
    pm = PluginManager()
    if not lazy:
        for name in DEFAULT_PLUGINS:
            pm.add(importlib.import_module(name), name=name)
    if entry_points:
        load_entry_points(pm)
    check_hooks(pm)
    return pm


def load_entry_points(pm: PluginManager) -> None:
    """Register the plugins installed under the entry-point group ``gonogo``.

    Not pluggy's ``load_setuptools_entrypoints``: a plugin that fails to import must be named
    in one line (with its distribution), not surface as a traceback."""
    # by name: the order entry points are found in is the file system's, and a clash must
    # read the same on every machine
    for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP),
                     key=lambda ep: ep.name):
        dist = getattr(ep, "dist", None)
        shown = f"{ep.name} ({dist.name} {dist.version})" if dist is not None else ep.name
        try:
            plugin = ep.load()
        except Exception as exc:  # any failure of third-party code at import
            raise PluginError(f"plugin {shown} cannot be loaded: "
                              f"{type(exc).__name__}: {exc}") from None
        pm.add(plugin, name=ep.name, label=shown)


def check_hooks(pm: pluggy.PluginManager) -> None:
    """A ``@hookimpl`` for a hook gonogo does not have (``gonogo_driver``) is a typo that
    would silently provide nothing: a PluginError naming the plugin."""
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or str(exc.plugin)
        raise PluginError(f"plugin {label(pm, name)}: {exc}") from None


def label(pm: pluggy.PluginManager, name: str) -> str:
    """How a plugin is named in errors: its distribution too when it came from one."""
    labels: dict[str, str] = getattr(pm, "labels", {})
    return labels.get(name, name)


def collect(pm: pluggy.PluginManager, kind: Kind,
            owner: dict[str, str] | None = None) -> dict[str, Any]:
    """What ``pm``'s plugins provide for ``kind``, by name; a name taken twice is a PluginError
    naming both plugins (the same object offered by two plugins is not a clash)."""
    found: dict[str, Any] = {}
    owner = {} if owner is None else owner
    for impl in getattr(pm.hook, kind.hook).get_hookimpls():
        who = label(pm, impl.plugin_name)
        try:
            provided = impl.function()
        except Exception as exc:  # third-party code: name it, no traceback
            raise PluginError(f"plugin {who}: {kind.hook}() failed: "
                              f"{type(exc).__name__}: {exc}") from None
        if not isinstance(provided, (list, tuple)):
            raise PluginError(f"plugin {who}: {kind.hook}() must return a list, "
                              f"got {type(provided).__name__}")
        for item in provided:
            name = _name_of(item, kind, who)
            if name in found and found[name] is not item:
                raise PluginError(f"{kind.noun} {name!r} is registered twice: by plugin "
                                  f"{owner[name]} and by plugin {who}; uninstall one of them")
            found[name], owner[name] = item, who
    return found


def _name_of(item: object, kind: Kind, who: str) -> str:
    shown = getattr(item, "__name__", None) or repr(item)
    name = getattr(item, kind.name_attr, None)
    if not name:
        raise PluginError(f"plugin {who}: {shown} has no {kind.name_attr}")
    if not isinstance(name, str) or not NAME.match(name):
        raise PluginError(f"plugin {who}: {kind.noun} name {name!r} of {shown}: expected lower "
                          "case letters, digits, '.', '_' or '-'")
    missing = [attr for attr in kind.needs if not hasattr(item, attr)]
    if missing:
        raise PluginError(f"plugin {who}: {kind.noun} {name!r} lacks {', '.join(missing)}")
    return name


def build_registry(pm: pluggy.PluginManager, lazy: bool = False) -> Registry:
    """What ``pm``'s plugins provide. With ``lazy`` (``pm`` built without the built-in
    modules) each kind is a ``Builtins`` that imports a built-in's module on first lookup."""

    def found(kind: Kind) -> Mapping[str, Any]:
        owners: dict[str, str] = {}
        items = collect(pm, kind, owners)
        return Builtins(kind, items, owners) if lazy else items

    return Registry(
        check_types=found(CHECK_TYPES),
        drivers=found(DRIVERS),
        report_formats=found(REPORT_FORMATS),
        migration_readers=found(MIGRATION_READERS),
    )


class Builtins(Mapping[str, Any]):
    """One kind's registered extensions by name: third parties' loaded at startup, a
    built-in's module imported (and registered through the same hook) the first time one of
    its names is looked up. A third party taking a built-in's name is a startup error naming
    both."""

    def __init__(self, kind: Kind, plugins: Mapping[str, Any], owners: Mapping[str, str]) -> None:
        self._kind = kind
        self._builtins = BUILTINS[kind]
        for name in plugins:
            if name in self._builtins:
                raise PluginError(f"{kind.noun} {name!r} is registered twice: by plugin "
                                  f"{self._builtins[name]} and by plugin {owners[name]}; "
                                  "uninstall one of them")
        self._plugins = dict(plugins)
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        found = self._loaded.get(name) or self._plugins.get(name)
        if found is not None:
            return found
        module = self._builtins[name]  # KeyError: no such name
        pm = PluginManager()
        pm.add(importlib.import_module(module), name=module)
        self._loaded.update(collect(pm, self._kind))
        return self._loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in self._builtins or name in self._plugins

    def __iter__(self) -> Iterator[str]:
        # registration order: built-ins first
        return iter([*self._builtins, *self._plugins])

    def __len__(self) -> int:
        return len(self._builtins) + len(self._plugins)



@functools.cache
def registry() -> Registry:
    """The registry of this process: built once, at startup (``gonogo.cli`` asks first)."""
    found = build_registry(plugin_manager(lazy=True), lazy=True)
    use_readers(found.migration_readers)
    return found


def collect_check_types(pm: pluggy.PluginManager) -> dict[str, type[Check]]:
    """The check types ``pm``'s plugins provide; a name registered twice is a PluginError."""
    return collect(pm, CHECK_TYPES)


def check_types() -> Mapping[str, type[Check]]:
    """All registered check types by name."""
    return registry().check_types


def driver_names() -> list[str]:
    """The names ``driver:`` may take, in registration order."""
    return list(registry().drivers)


def migration_readers() -> Mapping[str, MigrationReader]:
    """All registered migration readers by tool name."""
    return registry().migration_readers
