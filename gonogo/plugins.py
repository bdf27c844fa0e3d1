"""Discovering check types: built-ins register through the same hook as third parties."""

from __future__ import annotations

import functools
import importlib

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


@functools.cache
def check_types() -> dict[str, type[Check]]:
    """All registered check types by name; a duplicate name is a startup error."""
    return collect_check_types(plugin_manager())


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
