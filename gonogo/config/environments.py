"""Environments: the selected environment's variables and settings, where they came from,
secrets and public names, compose files, TODO placeholders left in a config.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gonogo.config.docker_model import resolve_registry
from gonogo.config.model import (
    Config,
    ConfigModel,
    Environment,
)
from gonogo.config.wording import located_error
from gonogo.core.errors import ConfigError
from gonogo.core.urls import UrlError, check_url
from gonogo.envfiles import (
    PROCESS_ENVIRONMENT,
    EnvValue,
    read_compose_service,
    read_env_file,
    read_secrets_dir,
)
from gonogo.interpolate import interpolate
from gonogo.yamlsource import Located
from gonogo.yamlsource import Path as DataPath


def config_root(config_path: Path, root: str | None, located: Located | None = None) -> Path:
    """Where a config's relative paths, commands and checks start: its ``root:`` (relative
    to the file), else the file's own folder."""
    here = config_path.resolve().parent
    if not root:
        return here
    path = (here / root).resolve()
    if not path.is_dir():
        raise ConfigError(f"{root!r} is not a folder", path="root",
                          file=located.file if located else str(config_path),
                          line=located.line_of(("root",)) if located else None,
                          hint="root is relative to the folder of this file")
    return path


def resolve_environment(
    model: ConfigModel,
    located: Located,
    root: Path,
    name: str | None,
    process_env: Mapping[str, str],
) -> Environment:
    """Pick the environment (``--env``, or the only one declared) and read its settings."""
    if name is None and len(model.environments) == 1:
        name = next(iter(model.environments))
    if name is not None and name not in model.environments:
        if model.environments:
            known = ", ".join(model.environments)
            raise ConfigError(
                f"unknown environment {name!r}",
                file=located.file,
                line=located.line_of(("environments",)),
                hint=f"declared environments: {known}",
            )
    environment = Environment(name=name)
    values: dict[str, EnvValue] = {}
    secret_files: set[str] = set()
    public: list[str] = []
    if name is not None and name in model.environments:
        spec = model.environments[name]
        environment.protected = spec.protected
        public = spec.public
        if spec.compose is not None:  # lowest precedence: what the container would get
            values.update(_compose_values(spec.compose.file, spec.compose.service, root,
                                          located, ("environments", name, "compose")))
        for key, value in spec.vars.items():
            line = located.line_of(("environments", name, "vars", key))
            text = str(value).lower() if isinstance(value, bool) else str(value)
            values[key] = EnvValue(key, text, f"{located.file}:{line}")
        for i, env_file in enumerate(spec.env_files):
            file_path = Path(env_file) if Path(env_file).is_absolute() else root / env_file
            try:
                problem = None if file_path.is_file() else (
                    "is not a file" if file_path.exists() else "not found")
            except OSError as exc:  # a name too long: is_file() raises rather than say False
                problem = f"cannot be read: {exc.strerror}"
            if problem:
                raise ConfigError(
                    f"env file {env_file[:80]!r} {problem}",
                    file=located.file,
                    line=located.line_of(("environments", name, "env_files", i)),
                    path=f"environments.{name}.env_files[{i}]",
                    hint="create it or remove it from env_files",
                )
            values.update(read_env_file(file_path, display=env_file))
        if spec.secrets_dir is not None:
            secrets_path = Path(spec.secrets_dir)
            if not secrets_path.is_absolute():
                secrets_path = root / secrets_path
            if not secrets_path.is_dir():
                raise ConfigError(
                    f"secrets directory {spec.secrets_dir!r} not found",
                    file=located.file,
                    line=located.line_of(("environments", name, "secrets_dir")),
                    path=f"environments.{name}.secrets_dir",
                    hint="run inside the container that mounts it, or remove secrets_dir",
                )
            from_files = read_secrets_dir(secrets_path, display=spec.secrets_dir)
            secret_files = set(from_files)  # a Docker secret file is a secret by declaration
            values.update(from_files)
    for key, value in process_env.items():
        values[key] = EnvValue(key, value, PROCESS_ENVIRONMENT)
    environment.values = values
    declared = [s.name for s in model.secrets] + sorted(secret_files - set(public))
    # Values from files (env files, secret files, compose, vars) are judged by their shape
    # too; the process environment is this machine's own (PATH, session ids) and is judged
    # by name only.
    by_value = [k for k, v in values.items() if not v.from_process]
    environment.redactor.add_env(environment.variables(), declared, public=public,
                                 by_value=by_value)
    spec_env = model.environments.get(name) if name is not None else None
    environment.docker_host = spec_env.docker_host if spec_env else None
    environment.registry_login, environment.registry_problem = resolve_registry(
        (spec_env.registry if spec_env else None) or model.registry, environment.values,
        environment.redactor)
    return environment


def check_service_urls(model: ConfigModel, located: Located, variables: Mapping[str, str]) -> None:
    """Services are filled in at deploy time (``${version}``); their health URLs are judged
    now with the settings already known, so a bad one is a config error, not a failed deploy."""
    for i, service in enumerate(model.services):
        if service.health is None or not service.health.url:
            continue
        try:
            check_url(interpolate(service.health.url, variables, strict=False))
        except UrlError as exc:
            raise located_error(located, ("services", i, "health", "url"), str(exc)) from None


def other_environment(config: Config, name: str) -> Environment:
    """Another declared environment of ``config``, from its files only: the process
    environment belongs to this run, not to that environment."""
    return resolve_environment(config.model, config.located, config.root, name, {})


_TODO = re.compile(r"^TODO(?:\s*:\s*|\s*$)")


def reject_todo(value: Any, path: DataPath, located: Located) -> None:
    """A value still reading ``TODO: …`` (as ``gonogo init`` writes them) is an error at its line."""
    if isinstance(value, str):
        match = _TODO.match(value)
        if match:
            raise located_error(located, path, f"still TODO: {value[match.end():] or 'fill in this value'}",
                       hint="replace it with the real value; `gonogo validate` then shows the next")
    elif isinstance(value, dict):
        for key, item in value.items():
            reject_todo(item, path + (key,), located)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            reject_todo(item, path + (i,), located)


def _compose_values(
    file: str, service: str, root: Path, located: Located, where: DataPath
) -> dict[str, EnvValue]:
    path = Path(file) if Path(file).is_absolute() else root / file
    if not path.is_file():
        raise located_error(located, where + ("file",), f"compose file {file!r} not found",
                   hint="compose.file is relative to the config's folder")
    return read_compose_service(path, service, display=file)


def check_secrets(model: ConfigModel, located: Located) -> None:
    """A secret declared twice is an error at the second declaration."""
    seen: dict[str, int] = {}
    for i, secret in enumerate(model.secrets):
        if secret.name in seen:
            first = located.line_of(("secrets", seen[secret.name]))
            raise located_error(located, ("secrets", i, "name"),
                       f"secret {secret.name!r} is declared twice (first at line {first})",
                       hint="merge the two entries")
        seen[secret.name] = i
        for j, env_name in enumerate(secret.environments):
            if env_name not in model.environments:
                raise located_error(located, ("secrets", i, "environments", j),
                           f"unknown environment {env_name!r}",
                           hint="declared environments: " + (", ".join(model.environments) or "none"))
    _check_public(model, located)


def _check_public(model: ConfigModel, located: Located) -> None:
    """A name listed twice in ``public:``, or both public and a declared secret of that
    environment, is an error at its line: one of the two is wrong."""
    for env_name, spec in model.environments.items():
        seen: set[str] = set()
        for i, name in enumerate(spec.public):
            where: DataPath = ("environments", env_name, "public", i)
            if name in seen:
                raise located_error(located, where, f"{name} is listed twice in public",
                           hint="remove one")
            seen.add(name)
            declared = next((s for s in model.secrets if s.name == name
                             and (not s.environments or env_name in s.environments)), None)
            if declared is not None:
                raise located_error(located, where, f"{name} is declared a secret under `secrets:` "
                           "and listed as public", hint="a secret cannot be public: remove "
                           "it from one of the two lists")


def service_images(config: Config) -> list[str]:
    """Every service's ``image:`` (variables filled in where known), for image checks."""
    variables = config.environment.variables()
    images = []
    for service in config.model.services:
        if service.image:
            image = interpolate(service.image, variables, strict=False)
            if "${" not in image and image not in images:
                images.append(image)
    return images
