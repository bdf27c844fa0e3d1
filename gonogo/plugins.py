"""Discovering check types: built-ins register through the same hook as third parties.

Third parties' types load at start-up (their entry points); a built-in type's module is
imported the first time a config names the type, so a gate pays only for the types it uses."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator, Mapping

import pluggy

from gonogo import hookspecs
from gonogo.checks.base import Check
from gonogo.core.errors import GonogoError

#: Built-in plugin modules; each defines ``gonogo_check_types`` with ``@hookimpl``.
DEFAULT_PLUGINS = (
    "gonogo.checks.command",
    "gonogo.checks.http",
    "gonogo.checks.tcp",
    "gonogo.checks.file",
    "gonogo.checks.manual",
    "gonogo.checks.env",
    "gonogo.checks.env_hygiene",
    "gonogo.checks.secret",
    "gonogo.checks.postgres_backup",
    "gonogo.checks.postgres_restore",
    "gonogo.checks.postgres_query",
    "gonogo.checks.postgres_jsonb",
    "gonogo.checks.migrations",
    "gonogo.checks.typescript_no_any",
    "gonogo.checks.lint",
    "gonogo.checks.typecheck",
    "gonogo.checks.http_flow",
    "gonogo.checks.prometheus",
    "gonogo.checks.alerts",
    "gonogo.checks.logs",
    "gonogo.checks.http_latency",
    "gonogo.checks.record",
    "gonogo.checks.notify",
    "gonogo.checks.docker_build",
    "gonogo.checks.docker_push",
    "gonogo.checks.registry_tag",
)


class PluginError(GonogoError):
    """A plugin could not be loaded or clashes with another."""


def plugin_manager(entry_points: bool = True) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("gonogo")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if entry_points:
        pm.load_setuptools_entrypoints("gonogo")
    return pm


#: Every built-in check type and the module that registers it. ``check_types()`` imports a
#: module only when a config names one of its types: importing all of them built ~60 pydantic
#: models on every start-up. tests/checks/test_registry.py proves this table matches what
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


class CheckTypes(Mapping[str, type[Check]]):
    """The registered check types by name. Third parties' are loaded at once (their entry
    points); a built-in's module is imported, and registered through the same hook, the
    first time its type is looked up."""

    def __init__(self, plugins: dict[str, type[Check]]) -> None:
        clash = sorted(set(plugins) & set(BUILTIN_TYPES))
        if clash:
            name = clash[0]
            raise PluginError(f"check type {name!r} is registered twice: by "
                              f"{BUILTIN_TYPES[name]} and by {plugins[name].__module__}")
        self._loaded = dict(plugins)

    def __getitem__(self, name: str) -> type[Check]:
        found = self._loaded.get(name)
        if found is not None:
            return found
        module = BUILTIN_TYPES[name]  # KeyError: no such type
        pm = pluggy.PluginManager("gonogo")
        pm.add_hookspecs(hookspecs)
        pm.register(importlib.import_module(module), name=module)
        self._loaded.update(collect_check_types(pm))
        return self._loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in BUILTIN_TYPES

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(set(self._loaded) | set(BUILTIN_TYPES)))

    def __len__(self) -> int:
        return len(set(self._loaded) | set(BUILTIN_TYPES))


@functools.cache
def check_types() -> CheckTypes:
    """All registered check types by name; a duplicate name is a startup error."""
    pm = pluggy.PluginManager("gonogo")
    pm.add_hookspecs(hookspecs)
    pm.load_setuptools_entrypoints("gonogo")
    return CheckTypes(collect_check_types(pm))


def collect_check_types(pm: pluggy.PluginManager) -> dict[str, type[Check]]:
    """The check types ``pm``'s plugins provide; a name registered twice is a PluginError."""
    found: dict[str, type[Check]] = {}
    for impl in pm.hook.gonogo_check_types.get_hookimpls():
        provided: list[type[Check]] = impl.function()  # type: ignore[assignment]
        for cls in provided:
            name = cls.type_name
            if not name:
                raise PluginError(f"plugin {impl.plugin_name}: {cls.__name__} has no type_name")
            if name in found and found[name] is not cls:
                raise PluginError(
                    f"check type {name!r} is registered twice: by {found[name].__module__} "
                    f"and by {cls.__module__}"
                )
            found[name] = cls
    return found
