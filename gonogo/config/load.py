"""Loading: a YAML file or a Markdown checklist in, a fully-defaulted ``Config`` out.

Every problem becomes one ``ConfigError`` naming file:line, the path to the bad value,
what was expected and what was found, and a hint where one helps.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gonogo.checks.base import Check
from gonogo.config.docker_model import resolve_registry
from gonogo.config.interpolate import interpolate, interpolate_data
from gonogo.config.model import (
    COMMON_KEYS,
    ID_PATTERN,
    CheckCommon,
    CheckSpec,
    Config,
    ConfigModel,
    Environment,
    Phase,
)
from gonogo.config.yamlsource import Located, format_path, parse_yaml
from gonogo.config.yamlsource import Path as DataPath
from gonogo.envfiles import (
    PROCESS_ENVIRONMENT,
    EnvValue,
    read_compose_service,
    read_env_file,
    read_secrets_dir,
)
from gonogo.errors import ConfigError
from gonogo.plugins import check_types
from gonogo.urls import UrlError, check_url, mask

DEFAULT_NAMES = ("gonogo.yml", "gonogo.yaml")


def find_config(explicit: str | None = None, cwd: Path | None = None) -> Path:
    """``-c PATH``, else ``$GONOGO_CONFIG``, else ``gonogo.yml`` in the current directory."""
    chosen = explicit or os.environ.get("GONOGO_CONFIG")
    if chosen:
        return Path(chosen)
    here = cwd or Path.cwd()
    for name in DEFAULT_NAMES:
        if (here / name).is_file():
            return here / name if cwd else Path(name)  # errors then read `gonogo.yml:14: …`
    raise ConfigError(
        f"no gonogo.yml in {here}",
        hint="pass -c PATH (a gonogo.yml or a Markdown checklist), or run `gonogo init`",
    )


def read_source(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, expected a file", file=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=str(path)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from None


def parse_source(path: Path, text: str) -> Located:
    """Raw data with line numbers, from YAML or from a Markdown checklist."""
    if path.suffix.lower() in (".md", ".markdown"):
        from gonogo.markdown import checklist_source

        return checklist_source(text, str(path))
    return parse_yaml(text, str(path))


def load_config(
    path: str | Path | None = None,
    *,
    env: str | None = None,
    extra_vars: Mapping[str, str] | None = None,
    strict: bool = True,
    process_env: Mapping[str, str] | None = None,
) -> Config:
    """Load, validate and resolve a config for one environment."""
    config_path = find_config(str(path) if path else None)
    located = parse_source(config_path, read_source(config_path))
    process_env = os.environ if process_env is None else process_env
    if config_path.suffix.lower() in (".md", ".markdown") or (
        isinstance(located.data, dict) and located.data.get("checklist")
    ):  # a checklist, with the sidecar gonogo.yml that adds what it lacks
        from gonogo.markdown.sidecar import with_checklist

        located = with_checklist(config_path, located, env=env, process_env=process_env)
    return build_config(
        located,
        config_path,
        env=env,
        extra_vars=extra_vars or {},
        strict=strict,
        process_env=process_env,
    )


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
            f"expected a mapping of top-level keys (version, name, phases, …), got {_kind(data)}",
            file=located.file,
            line=1,
        )
    if config_path.suffix.lower() not in (".md", ".markdown"):
        _reject_todo(data, (), located)
    try:
        model = ConfigModel.model_validate(data)
    except ValidationError as exc:
        error = validation_error(exc, located, ())  # no secret interpolated yet: mask now
        raise ConfigError(mask(error.detail), file=error.file, line=error.line, path=error.path,
                          hint=error.hint) from None
    root = config_root(config_path, model.root, located)
    _check_secrets(model, located)
    environment = resolve_environment(model, located, root, env, process_env)
    variables = {**environment.variables(), **{k: str(v) for k, v in extra_vars.items()}}
    if environment.name:
        variables.setdefault("env", environment.name)
    try:
        _check_service_urls(model, located, variables)
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



def _check_service_urls(model: ConfigModel, located: Located, variables: Mapping[str, str]) -> None:
    """Services are filled in at deploy time (``${version}``); their health URLs are judged
    now with the settings already known, so a bad one is a config error, not a failed deploy."""
    for i, service in enumerate(model.services):
        if service.health is None or not service.health.url:
            continue
        try:
            check_url(interpolate(service.health.url, variables, strict=False))
        except UrlError as exc:
            raise _err(located, ("services", i, "health", "url"), str(exc)) from None


def other_environment(config: Config, name: str) -> Environment:
    """Another declared environment of ``config``, from its files only: the process
    environment belongs to this run, not to that environment."""
    return resolve_environment(config.model, config.located, config.root, name, {})


_TODO = re.compile(r"^TODO(?:\s*:\s*|\s*$)")


def _reject_todo(value: Any, path: DataPath, located: Located) -> None:
    """A value still reading ``TODO: …`` (as ``gonogo init`` writes them) is an error at its line."""
    if isinstance(value, str):
        match = _TODO.match(value)
        if match:
            raise _err(located, path, f"still TODO: {value[match.end():] or 'fill in this value'}",
                       hint="replace it with the real value; `gonogo validate` then shows the next")
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_todo(item, path + (key,), located)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _reject_todo(item, path + (i,), located)


def _compose_values(
    file: str, service: str, root: Path, located: Located, where: DataPath
) -> dict[str, EnvValue]:
    path = Path(file) if Path(file).is_absolute() else root / file
    if not path.is_file():
        raise _err(located, where + ("file",), f"compose file {file!r} not found",
                   hint="compose.file is relative to the config's folder")
    return read_compose_service(path, service, display=file)


def _check_secrets(model: ConfigModel, located: Located) -> None:
    """A secret declared twice is an error at the second declaration."""
    seen: dict[str, int] = {}
    for i, secret in enumerate(model.secrets):
        if secret.name in seen:
            first = located.line_of(("secrets", seen[secret.name]))
            raise _err(located, ("secrets", i, "name"),
                       f"secret {secret.name!r} is declared twice (first at line {first})",
                       hint="merge the two entries")
        seen[secret.name] = i
        for j, env_name in enumerate(secret.environments):
            if env_name not in model.environments:
                raise _err(located, ("secrets", i, "environments", j),
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
                raise _err(located, where, f"{name} is listed twice in public",
                           hint="remove one")
            seen.add(name)
            declared = next((s for s in model.secrets if s.name == name
                             and (not s.environments or env_name in s.environments)), None)
            if declared is not None:
                raise _err(located, where, f"{name} is declared a secret under `secrets:` "
                           "and listed as public", hint="a secret cannot be public: remove "
                           "it from one of the two lists")


def build_phases(
    model: ConfigModel, located: Located, variables: Mapping[str, str], strict: bool
) -> tuple[Phase, ...]:
    types = check_types()
    phases: list[Phase] = []
    seen_phases: dict[str, int] = {}
    check_phase: dict[str, int] = {}
    specs_raw: list[tuple[DataPath, CheckSpec]] = []
    for pi, phase in enumerate(model.phases):
        if phase.id in seen_phases:
            raise _err(located, ("phases", pi, "id"), f"duplicate phase id {phase.id!r}",
                       hint="phase ids must be unique")
        seen_phases[phase.id] = pi
        checks: list[CheckSpec] = []
        for ci, raw in enumerate(phase.checks):
            where: DataPath = ("phases", pi, "checks", ci)
            spec = build_check(raw, where, phase.id, phase.kind, located, types, variables, strict,
                               model.defaults.timeout)
            if spec.id in check_phase:
                raise _err(located, where + ("id",), f"duplicate check id {spec.id!r}",
                           hint="give each check a unique id")
            check_phase[spec.id] = pi
            checks.append(spec)
            specs_raw.append((where, spec))
        phases.append(
            Phase(
                id=phase.id,
                title=phase.title or phase.id,
                kind=phase.kind,
                checks=tuple(checks),
                duration=phase.duration,
                interval=phase.interval,
                line=located.line_of(("phases", pi)),
            )
        )
    _check_needs(specs_raw, check_phase, located)
    return tuple(phases)


def build_check(
    raw: dict[str, Any],
    where: DataPath,
    phase_id: str,
    kind: str,
    located: Located,
    types: Mapping[str, type[Check]],
    variables: Mapping[str, str],
    strict: bool,
    default_timeout: float,
) -> CheckSpec:
    if not isinstance(raw, dict):
        raise _err(located, where, f"expected a check mapping (id, title, type, …), got {_kind(raw)}")
    common_raw = {k: v for k, v in raw.items() if k in COMMON_KEYS}
    params_raw = {k: v for k, v in raw.items() if k not in COMMON_KEYS}
    try:
        common = CheckCommon.model_validate(common_raw)
    except ValidationError as exc:
        raise validation_error(exc, located, where) from None
    type_name = common.type or ("command" if "run" in params_raw else None)
    if type_name is None:
        raise _err(located, where, "missing 'type'",
                   hint="add `type: http|command|file|tcp|manual|…`, or `run:` for a command")
    cls = types.get(type_name)
    if cls is None:
        close = difflib.get_close_matches(type_name, types, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise _err(located, where + ("type",), f"unknown check type {type_name!r}",
                   hint=hint + "known types: " + ", ".join(sorted(types)))

    def undefined(path: DataPath, name: str) -> None:
        hint = ("the release `gonogo deploy --version V` deploys; `gonogo validate --version V` "
                "checks with one" if name == "version" else
                "set it in environments.<env>.vars, an env file or the process environment")
        raise _err(located, where + path, f"undefined variable ${{{name}}}", hint=hint)

    deferred = frozenset(getattr(cls, "deferred_fields", ()))
    params_raw = interpolate_data(params_raw, variables, undefined, strict=strict, deferred=deferred)
    try:
        if deferred:  # filled in at run time; judge their URLs with what is known now
            cls.model_validate(interpolate_data(params_raw, variables, lambda p, n: None,
                                                strict=False))
        params = cls.model_validate(params_raw)
    except ValidationError as exc:
        raise validation_error(exc, located, where, type_name=type_name) from None
    title = common.title or _default_title(params)
    check_id = common.id or _slug(title) or f"{phase_id}-{where[-1]}"
    return CheckSpec(
        id=check_id,
        title=title,
        type=type_name,
        params=params,
        phase=phase_id,
        kind=kind,
        timeout=default_timeout if common.timeout is None else common.timeout,
        needs=tuple(common.needs),
        advisory=common.advisory,
        retry=common.retry,
        line=located.line_of(where),
    )


def _check_needs(
    specs: list[tuple[DataPath, CheckSpec]], check_phase: dict[str, int], located: Located
) -> None:
    by_id = {spec.id: (where, spec) for where, spec in specs}
    for where, spec in specs:
        for i, need in enumerate(spec.needs):
            if need not in check_phase:
                close = difflib.get_close_matches(need, check_phase, n=1)
                raise _err(located, where + ("needs", i), f"unknown check id {need!r}",
                           hint=f"did you mean {close[0]!r}?" if close else "needs names check ids")
            if check_phase[need] > check_phase[spec.id]:
                raise _err(located, where + ("needs", i),
                           f"{need!r} runs in a later phase than {spec.id!r}",
                           hint="needs may name checks in the same or an earlier phase")
    # cycles (only possible within a phase, given the rule above)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            cycle = trail[trail.index(node):] + [node]
            where, _ = by_id[node]
            raise _err(located, where + ("needs",), "needs form a cycle: " + " -> ".join(cycle),
                       hint="remove one of these needs")
        state[node] = 1
        for need in by_id[node][1].needs:
            visit(need, trail + [node])
        state[node] = 2

    for node in by_id:
        visit(node, [])


# ---- error rendering ------------------------------------------------------------------


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return repr(value)


def _err(located: Located, path: DataPath, message: str, hint: str | None = None) -> ConfigError:
    return ConfigError(message, file=located.file, line=located.line_of(path),
                       path=format_path(path) or None, hint=hint)


def validation_error(
    exc: ValidationError, located: Located, base: DataPath, type_name: str | None = None
) -> ConfigError:
    """The first pydantic error as a one-line ConfigError (file:line: path: expected, got)."""
    errors = exc.errors(include_url=False)
    raw = [tuple(p for p in e["loc"] if isinstance(p, (str, int))) for e in errors]
    locs = _strip_union_tags(raw)
    # a value that fits no member of a union fails once per member: report them as one problem
    siblings = [i for i in range(len(errors)) if locs[i][: len(locs[0])] == locs[0]
                and (i == 0 or raw[i] != locs[i])]
    deeper = [i for i in siblings if len(locs[i]) > len(locs[0])]
    chosen = max(deeper, key=lambda i: len(locs[i])) if deeper else 0
    first = errors[chosen]
    loc: DataPath = base + locs[chosen]
    kind, msg, given = first["type"], first["msg"], first.get("input")
    ctx = first.get("ctx") or {}
    hint: str | None = None
    if kind == "extra_forbidden":
        key = loc[-1]
        loc_parent = loc[:-1]
        allowed = _allowed_keys(exc, first, type_name)
        close = difflib.get_close_matches(str(key), allowed, n=1)
        message = f"unknown key {key!r}"
        hint = f"did you mean {close[0]!r}?" if close else (
            "allowed keys: " + ", ".join(allowed) if allowed else None)
        loc = loc_parent + (key,)
    elif kind == "missing":
        message = f"missing required key {loc[-1]!r}"
        loc = loc[:-1]
    elif kind == "value_error":
        message = re.sub(r"^Value error, ", "", msg)
        hint = getattr(ctx.get("error"), "hint", None)  # e.g. a DurationError's "write 5s"
    elif kind == "literal_error":
        message = msg.replace("Input should be", "expected") + f", got {given!r}"
    elif kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        wanted = _PATTERNS.get(pattern, f"text matching {pattern}")
        message = f"expected {wanted}, got {given!r}"
    elif kind in _BOUNDS:
        bound = next(iter(ctx.values()), "?")
        message = f"expected {_BOUNDS[kind]} {bound}, got {given!r}"
    elif kind in ("too_short", "string_too_short"):
        message = f"expected at least {ctx.get('min_length', 1)} " + (
            "item" if kind == "too_short" else "character") + f"{'s' if ctx.get('min_length', 1) != 1 else ''}, got {_kind(given)}"
    else:
        wanted_all = [_expected(errors[i]) for i in siblings if len(locs[i]) == len(locs[0])]
        wanted = " or ".join(dict.fromkeys(wanted_all)) if not deeper else _expected(first)
        message = f"expected {wanted}, got {_kind(given)}"
    others = len({locs[i] for i in range(len(errors)) if i not in siblings})
    if others:
        message += f" (and {others} more problem{'s' if others > 1 else ''})"
    return _err(located, loc, message, hint=hint)


#: What pydantic tags the members of a union with in an error's location.
_UNION_TAG = re.compile(
    r"^(?:int|float|str|bool|none|bytes|(?:list|dict|tuple|set|literal|[a-z]+(?:-[a-z]+)+)\[.*\]"
    r"|constrained-[a-z]+)$"
)
_TYPES = {
    "string_type": "a string", "int_type": "an integer", "int_parsing": "an integer",
    "int_from_float": "an integer", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
    "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
    "none_required": "nothing",
}
_BOUNDS = {"greater_than_equal": "at least", "greater_than": "more than",
           "less_than_equal": "at most", "less_than": "less than"}
_PATTERNS = {ID_PATTERN: "letters, digits, '-', '_' or '.'", r"^https?://": "an http:// or https:// URL"}


def _expected(error: Any) -> str:
    if error["type"] in _TYPES:
        return _TYPES[error["type"]]
    return re.sub(r"^Input should be (a valid )?", "", error["msg"])


def _is_tag(part: str | int) -> bool:
    return isinstance(part, str) and bool(_UNION_TAG.match(part))


def _strip_union_tags(locs: list[DataPath]) -> list[DataPath]:
    """Drop the member tags (``str``, ``list[str]``) pydantic puts in a union's error paths."""
    out = []
    for loc in locs:
        kept = [
            part for i, part in enumerate(loc)
            if not (_is_tag(part) and any(
                len(o) > i and o[:i] == loc[:i] and o[i] != part and _is_tag(o[i]) for o in locs))
        ]
        out.append(tuple(kept))
    return out


def _allowed_keys(exc: ValidationError, error: Any, type_name: str | None) -> list[str]:
    """The keys the model at the failing location accepts, for a did-you-mean hint."""
    from gonogo.config import model as m

    root: Any = getattr(m, exc.title, None) or check_types().get(type_name or "")
    if root is None:
        return []
    cls: Any = root
    loc = [p for p in error["loc"] if isinstance(p, (str, int))][:-1]
    skip_key = False
    for part in loc:
        if isinstance(part, int) or cls is None or skip_key:
            skip_key = False
            continue
        field = cls.model_fields.get(part) or next(
            (f for f in cls.model_fields.values() if f.alias == part), None)
        cls = _model_in(field.annotation) if field else None
        skip_key = field is not None and "dict[" in str(field.annotation)
    if cls is None:
        return []
    keys = {f.alias or name for name, f in cls.model_fields.items()}  # as users write them
    if cls is root and type_name:
        keys |= COMMON_KEYS
    return sorted(keys)


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside ``X | None``, ``list[X]`` or ``dict[str, X]``, if any."""
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _default_title(params: Check) -> str:
    return params.describe()


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:48].strip("-")
