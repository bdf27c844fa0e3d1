"""Loading: a YAML file or a Markdown checklist in, a fully-defaulted ``Config`` out.

Every problem becomes one ``ConfigError`` naming file:line, the path to the bad value,
what was expected and what was found, and a hint where one helps.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from gonogo.config.environments import (
    check_secrets,
    check_service_urls,
    config_root,
    reject_todo,
    resolve_environment,
)
from gonogo.config.model import (
    Config,
    ConfigModel,
)
from gonogo.config.phases import build_phases
from gonogo.config.read import is_markdown
from gonogo.config.wording import kind_of, validation_error
from gonogo.core.errors import ConfigError
from gonogo.core.urls import mask
from gonogo.yamlsource import Located


def build_config(
    located: Located,
    config_path: Path,
    *,
    env: str | None,
    extra_vars: Mapping[str, str],
    strict: bool,
    process_env: Mapping[str, str],
) -> Config:
    data = located.data
    if not isinstance(data, dict):
        raise ConfigError(
            f"expected a mapping of top-level keys (version, name, phases, …), got {kind_of(data)}",
            file=located.file,
            line=1,
        )
    if not is_markdown(config_path):
        reject_todo(data, (), located)
    try:
        model = ConfigModel.model_validate(data)
    except ValidationError as exc:
        error = validation_error(exc, located, ())  # no secret interpolated yet: mask now
        raise ConfigError(mask(error.detail), file=error.file, line=error.line, path=error.path,
                          hint=error.hint) from None
    root = config_root(config_path, model.root, located)
    check_secrets(model, located)
    environment = resolve_environment(model, located, root, env, process_env)
    variables = {**environment.variables(), **{k: str(v) for k, v in extra_vars.items()}}
    if environment.name:
        variables.setdefault("env", environment.name)
    try:
        check_service_urls(model, located, variables)
        phases = build_phases(model, located, variables, strict)
    except ConfigError as exc:  # an interpolated secret may be quoted as the bad value
        def redact(text: str) -> str:  # then a URL's password written in the file itself
            return mask(environment.redactor.text(text))

        raise ConfigError(redact(exc.detail), file=exc.file, line=exc.line, path=exc.path,
                          hint=redact(exc.hint) if exc.hint else None) from None
    return Config(
        path=config_path,
        root=root,
        name=model.name or config_path.stem,
        phases=phases,
        model=model,
        environment=environment,
        located=located,
        defaults=model.defaults,
    )
