"""The deploy plan: ``services`` interpolated for a version, put in ``needs`` order, each
with its driver and what it runs now (read-only probes only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from gonogo.config.model import Config, ServiceModel
from gonogo.core.errors import ConfigError
from gonogo.deploy.images import IMAGE_DRIVERS, missing_images, missing_message
from gonogo.drivers import driver_for
from gonogo.drivers.base import Deployed, Driver, DriverContext, DriverError
from gonogo.interpolate import interpolate_data

#: Fields holding the user's own shell commands: unknown ``${X}`` stays for the shell.
SHELL_FIELDS = frozenset({"deploy", "rollback", "current"})


@dataclass
class ServiceStep:
    spec: ServiceModel
    driver: Driver
    previous: Deployed | None
    target: str

    @property
    def name(self) -> str:
        return self.spec.name

    def change(self) -> str:
        before = self.previous.label() if self.previous else "(not running)"
        return f"{before} → {self.target}"


@dataclass
class DeployPlan:
    version: str
    environment: str | None
    steps: list[ServiceStep]


def variables_for(config: Config, version: str) -> dict[str, str]:
    variables = {**config.environment.variables(), "version": version}
    if config.environment.name:
        variables.setdefault("env", config.environment.name)
    return variables


def resolve_services(config: Config, version: str) -> list[ServiceModel]:
    """``services`` with ``${…}`` filled in for ``version``, in ``needs`` order."""
    variables = variables_for(config, version)
    resolved: list[ServiceModel] = []
    for i, service in enumerate(config.model.services):
        raw = service.model_dump(exclude_unset=True)

        def undefined(path: tuple[str | int, ...], name: str, i: int = i) -> None:
            where = ".".join(str(p) for p in path)
            raise ConfigError(
                f"undefined variable ${{{name}}}", file=str(config.path),
                path=f"services[{i}].{where}",
                hint="set it in environments.<env>.vars, an env file or the process environment")

        data: dict[str, Any] = {}
        for key, value in raw.items():
            command = None
            if key == "health" and isinstance(value, dict):
                value = dict(value)
                command = value.pop("command", None)
            data[key] = interpolate_data(value, variables, undefined, path=(key,),
                                         strict=key not in SHELL_FIELDS)
            if command is not None:
                data[key]["command"] = interpolate_data(command, variables, undefined,
                                                        path=(key, "command"), strict=False)
        try:
            resolved.append(ServiceModel.model_validate(data))
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(first["msg"], file=str(config.path),
                              path=f"services[{i}].{where}") from None
    return order(resolved, set(config.checks), str(config.path))


def order(services: Sequence[ServiceModel], check_ids: set[str], file: str) -> list[ServiceModel]:
    """Topological order by ``needs`` (config order among equals); needs may name checks."""
    names = [s.name for s in services]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ConfigError(f"duplicate service name {dup!r}", file=file, path="services")
    by_name = {s.name: s for s in services}
    for i, service in enumerate(services):
        for j, need in enumerate(service.needs):
            if need not in by_name and need not in check_ids:
                raise ConfigError(f"unknown service or check {need!r}", file=file,
                                  path=f"services[{i}].needs[{j}]",
                                  hint="services: " + ", ".join(names))
    done: list[ServiceModel] = []
    placed: set[str] = set()
    pending = list(services)
    while pending:
        for service in pending:
            if all(n in placed or n not in by_name for n in service.needs):
                done.append(service)
                placed.add(service.name)
                pending.remove(service)
                break
        else:
            cycle = " -> ".join(s.name for s in pending)
            raise ConfigError(f"services' needs form a cycle: {cycle}", file=file,
                              path="services", hint="remove one of these needs")
    return done


def step_images(steps: Sequence[ServiceStep]) -> list[str]:
    """The image each Docker service would run (once each, in plan order)."""
    images: list[str] = []
    for step in steps:
        if step.spec.driver in IMAGE_DRIVERS and step.spec.image and step.target not in images:
            images.append(step.target)
    return images


async def build_plan(
    config: Config,
    version: str,
    ctx: DriverContext,
    live_versions: dict[str, Deployed] | None = None,
) -> DeployPlan:
    """Drivers' read-only probes: can each service be deployed, does every image it would
    run exist (gonogo.deploy.images), and what runs now."""
    steps: list[ServiceStep] = []
    for spec in resolve_services(config, version):
        driver = driver_for(spec, ctx)
        await driver.preflight()
        previous = await driver.current()
        if previous is None and live_versions and spec.name in live_versions:
            previous = live_versions[spec.name]  # the shell driver cannot ask the platform
        steps.append(ServiceStep(spec, driver, previous, driver.target(version)))
    missing = await missing_images(step_images(steps), ctx.env)
    if missing:
        raise DriverError(missing_message(missing))
    return DeployPlan(version, config.environment.name, steps)


def plan_lines(plan: DeployPlan) -> list[str]:
    if not plan.steps:
        return ["  (no services)"]
    width = max(len(s.name) for s in plan.steps)
    lines = []
    for i, step in enumerate(plan.steps, 1):
        health = step.spec.health
        gate = ""
        if health and (health.url or health.command):
            probe = health.url or f"`{health.command}`"
            gate = f"  health: {probe} within {health.within:g}s"
        same = step.previous is not None and step.previous.label() == step.target
        note = "  (already running)" if same else ""
        lines.append(f"  {i}. {step.name:<{width}}  {step.spec.driver:<7} {step.change()}"
                     f"{note}{gate}")
    return lines


def config_images(config: Config, version: str) -> list[str]:
    """The images the Docker services of ``config`` would run at ``version`` (their drivers'
    ``target()``), before any plan or probe: what `rollback --to` checks first."""
    ctx = DriverContext(workdir=config.root, env={}, redactor=config.environment.redactor,
                        environment=config.environment.name)
    steps = []
    for spec in resolve_services(config, version):
        driver = driver_for(spec, ctx)
        steps.append(ServiceStep(spec, driver, None, driver.target(version)))
    return step_images(steps)
