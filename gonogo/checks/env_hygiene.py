"""``env.no_dev_values`` and ``env.drift``: nothing from a developer's machine in
production config, and environments that agree on their keys but never share a secret.

Both look at the settings read from files (env files, compose, secret files, config
vars) plus, from the process environment, only the mode keys (``NODE_ENV``, ``DEBUG``…)
and keys the ``.env.example`` lists: the rest of a shell's environment is not config.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.env_common import (
    documentation_host,
    local_host,
    placeholder,
    read_example,
    test_key,
    where,
)
from gonogo.core.errors import CheckError, CheckFailed, GonogoError
from gonogo.envfiles import EnvValue
from gonogo.hookimpl import hookimpl

MODE_KEYS = frozenset({
    "NODE_ENV", "APP_ENV", "APP_ENVIRONMENT", "ENV", "ENVIRONMENT", "RAILS_ENV", "RACK_ENV",
    "FLASK_ENV", "DJANGO_ENV", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "GO_ENV",
    "MIX_ENV", "SPRING_PROFILES_ACTIVE", "QUARKUS_PROFILE", "STAGE", "DEPLOY_ENV",
})
DEV_MODES = frozenset({"development", "dev", "develop", "local", "test", "testing", "debug"})
DEBUG_KEY = re.compile(r"^(.*_)?DEBUG$")
TRUTHY = frozenset({"1", "true", "yes", "on", "y", "t"})
HOST_KEY = re.compile(r"(_HOST|_HOSTNAME|_DOMAIN|_SERVER|_ADDR)$")
MIN_REUSE_LENGTH = 8  # shorter values (on, true, 3000) repeat by nature


def config_settings(
    settings: Mapping[str, EnvValue], extra: frozenset[str] = frozenset()
) -> dict[str, EnvValue]:
    """Settings that come from config files, plus mode keys and ``extra`` names from anywhere."""
    return {k: v for k, v in settings.items()
            if not v.from_process or k in MODE_KEYS or DEBUG_KEY.match(k) or k in extra}


class EnvNoDevValuesCheck(Check):
    """No development values: NODE_ENV/APP_ENV/DEBUG, local or example.com hosts,
    placeholders, test-mode keys, values copied from .env.example."""

    type_name = "env.no_dev_values"
    example = {"service_names": ["db", "redis"]}

    #: Only these settings (default: all config settings).
    names: list[str] = []
    ignore: list[str] = []
    service_names: list[str] = []
    env_example: str | None = Field(default=None, alias="example")

    def describe(self) -> str:
        return "env.no_dev_values" + (f": {', '.join(self.names)}" if self.names else "")

    async def run(self, ctx: CheckContext) -> Evidence:
        example = read_example(ctx, self.env_example)
        scanned = config_settings(ctx.settings, frozenset(example))
        if self.names:
            scanned = {n: ctx.settings[n] for n in self.names if n in ctx.settings}
        findings: list[str] = []
        flagged: dict[str, str] = {}
        for name, setting in sorted(scanned.items(), key=lambda kv: _order(kv[1].source)):
            if name in self.ignore:
                continue
            why = self.finding(setting, ctx.redactor.is_secret(name), example.get(name))
            if why:
                findings.append(f"{where(setting)} {why}")
                flagged[name] = setting.source
        data: dict[str, Any] = {"scanned": len(scanned), "flagged": flagged}
        if findings:
            noun = "development value" if len(findings) == 1 else "development values"
            raise CheckFailed(f"{len(findings)} {noun}: " + "; ".join(findings), data)
        return Evidence(summary=f"no development values in {len(scanned)} settings", data=data)

    def finding(self, setting: EnvValue, secret: bool, example: EnvValue | None) -> str | None:
        name, value = setting.name, setting.value.strip()
        if not value:
            return None
        if name in MODE_KEYS and value.lower() in DEV_MODES:
            return f"is {value.lower()!r}, expected production"
        if DEBUG_KEY.match(name) and value.lower() in TRUTHY:
            return "turns debug mode on"
        if test := test_key(name, value):
            return f"is {test}"
        if why := self._host(name, value):
            return why
        if why := placeholder(value, name, secret=secret):
            return why
        if secret and example is not None and example.value and value == example.value:
            return f"is the value from {example.source}"
        return None

    def _host(self, name: str, value: str) -> str | None:
        hosts: list[str] = []
        for part in re.split(r"[,\s]+", value):
            if "://" in part:
                try:
                    hosts.append(urlsplit(part).hostname or "")
                except ValueError:
                    continue
            elif HOST_KEY.search(name):
                hosts.append(part.split(":")[0])
        for host in hosts:
            if not host:
                continue
            if why := local_host(host, self.service_names):
                return f"points at {host} ({why})"
            if documentation_host(host):
                return f"points at {host} (a documentation domain)"
        return None


def _order(source: str) -> tuple[str, int]:
    file, _, line = source.rpartition(":")
    return (file, int(line)) if line.isdigit() else (source, 0)


class EnvDriftCheck(Check):
    """Keys in .env.example are all set; key sets agree with another environment; no
    secret value is shared between environments or between two secrets."""

    type_name = "env.drift"
    example = {"against": "staging"}

    against: str | None = None
    env_example: str | None = Field(default=None, alias="example")
    #: Compare key sets with ``against`` (values of secrets are compared regardless).
    keys: bool = True
    ignore: list[str] = []

    def describe(self) -> str:
        return "env.drift" + (f" against {self.against}" if self.against else " against .env.example")

    async def run(self, ctx: CheckContext) -> Evidence:
        example = {k: v for k, v in read_example(ctx, self.env_example).items() if k not in self.ignore}
        if not example and self.against is None:
            raise CheckError("nothing to compare: add `against: ENVIRONMENT` or a .env.example")
        ours = {k: v for k, v in ctx.settings.items() if k not in self.ignore}
        problems: list[str] = []
        data: dict[str, Any] = {}
        missing = [v for k, v in example.items() if k not in ours]
        if missing:
            data["missing_from_example"] = [v.name for v in missing]
            problems.append(f"{len(missing)} key{'s' if len(missing) > 1 else ''} from "
                            f"{missing[0].source.rsplit(':', 1)[0]} not set: "
                            + ", ".join(f"{v.name} (line {v.source.rsplit(':', 1)[-1]})" for v in missing))
        if self.against is not None:
            problems += self._against(ctx, ours, data)
        problems += _shared_within(ctx, ours, data)
        if problems:
            raise CheckFailed("; ".join(problems), data)
        parts = []
        if example:
            parts.append(f"all {len(example)} keys of the example set")
        if self.against:
            parts.append(f"same keys as {self.against}, no shared secrets")
        return Evidence(summary=", ".join(parts) or "no shared secrets", data=data)

    def _against(self, ctx: CheckContext, ours: dict[str, EnvValue], data: dict[str, Any]) -> list[str]:
        assert self.against is not None
        if self.against == ctx.environment:
            raise CheckError(f"env.drift compares {self.against} with itself")
        if ctx.other_environment is None:
            raise CheckError("no other environments to compare with in this context")
        try:
            theirs = {k: v for k, v in ctx.other_environment(self.against).items()
                      if k not in self.ignore}
        except GonogoError as exc:
            raise CheckError(str(exc)) from None
        here = ctx.environment or "this environment"
        problems = []
        if self.keys:
            mine = {k for k, v in ours.items() if not v.from_process}
            only_ours, only_theirs = sorted(mine - set(theirs)), sorted(set(theirs) - mine)
            data["only_here"], data["only_there"] = only_ours, only_theirs
            if only_ours:
                problems.append(f"only in {here}: {', '.join(only_ours)}")
            if only_theirs:
                problems.append(f"only in {self.against}: {', '.join(only_theirs)}")
        shared = [
            (ours[k], theirs[k]) for k in sorted(set(ours) & set(theirs))
            if _secretish(ctx, k) and len(ours[k].value) >= MIN_REUSE_LENGTH
            and ours[k].value == theirs[k].value
            and not (ours[k].from_process and theirs[k].from_process)
        ]
        if shared:
            data["shared_with_" + self.against] = [a.name for a, _ in shared]
            problems += [f"{a.name} has the same value in {here} ({a.source}) and in "
                         f"{self.against} ({b.source})" for a, b in shared]
        return problems


def _secretish(ctx: CheckContext, name: str) -> bool:
    return ctx.redactor.is_secret(name)


def _shared_within(ctx: CheckContext, ours: Mapping[str, EnvValue], data: dict[str, Any]) -> list[str]:
    """Two different secrets holding one value (a copy-paste that halves the key space)."""
    groups: dict[str, list[EnvValue]] = defaultdict(list)
    for name, setting in ours.items():
        if _secretish(ctx, name) and len(setting.value) >= MIN_REUSE_LENGTH:
            groups[setting.value].append(setting)
    shared = [sorted(g, key=lambda s: s.name) for g in groups.values()
              if len(g) > 1 and not all(s.from_process for s in g)]
    if shared:
        data["shared_between_secrets"] = [[s.name for s in g] for g in shared]
    return [" and ".join(where(s) for s in g) + " share one value" for g in shared]


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [EnvNoDevValuesCheck, EnvDriftCheck]
