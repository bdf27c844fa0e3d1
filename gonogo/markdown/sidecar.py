"""A Markdown checklist plus its sidecar ``gonogo.yml`` → one raw config.

The sidecar names the checklist (``checklist: PATH``, relative to the sidecar) and adds
what the document lacks: ``environments`` (values for recognition and the run),
``bind`` entries, ``secrets``, ``contacts``, ``services``, ``defaults``, ``state``.
The checklist provides the phases. ``gonogo check -c CHECKLIST.md`` uses a
``gonogo.yml``/``gonogo.yaml`` beside the checklist when that file names it.

The sidecar is validated on its own first, so its errors cite ``gonogo.yml:LINE``;
the merged config's lines point into the Markdown.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gonogo.config.environments import config_root, resolve_environment
from gonogo.config.model import COMMON_KEYS, ConfigModel
from gonogo.config.phases import build_phases
from gonogo.config.read import is_markdown, read_source
from gonogo.config.wording import validation_error
from gonogo.core.errors import ConfigError
from gonogo.error_handler import warn
from gonogo.interpolate import interpolate_data
from gonogo.markdown.bind import Compiled, SidecarBind, compile_document
from gonogo.markdown.parse import parse
from gonogo.plugins import check_types
from gonogo.yamlsource import Located, parse_yaml

SIDECAR_NAMES = ("gonogo.yml", "gonogo.yaml")
#: Keys a sidecar may not set: the checklist provides them.
CHECKLIST_KEYS = ("phases",)



@dataclass
class Sidecar:
    path: Path
    located: Located

    @property
    def data(self) -> dict[str, Any]:
        return self.located.data if isinstance(self.located.data, dict) else {}


def find_sidecar(checklist: Path, explicit: Path | None = None) -> Sidecar | None:
    """The sidecar of ``checklist``: ``explicit`` (``-c SIDECAR``), else the ``gonogo.yml``
    beside it whose ``checklist:`` names it.

    The one way every command finds a checklist's sidecar. It never fails silently: a
    ``checklist:`` that names no file is an error at its line, and a sidecar beside the
    checklist that names another file is left out with a warning (it belongs to that one).
    """
    if explicit is not None:
        sidecar = Sidecar(explicit, parse_yaml(read_source(explicit), str(explicit)))
        if "checklist" in sidecar.data and not _same(checklist_of(sidecar), checklist):
            warn(f"{_named(sidecar)}, not {str(checklist)!r}; using it for {checklist} as -c asks")
        return sidecar
    found: Sidecar | None = None
    for name in SIDECAR_NAMES:
        candidate = checklist.parent / name
        if not candidate.is_file():
            continue
        sidecar = Sidecar(candidate, parse_yaml(read_source(candidate), str(candidate)))
        if "checklist" not in sidecar.data:
            continue  # a full gonogo.yml of its own, not a sidecar
        if _same(checklist_of(sidecar), checklist):
            found = found or sidecar
        else:
            warn(f"{_named(sidecar)}, not {checklist.name!r}; {checklist} gets no values or bindings from it")
    return found


def _named(sidecar: Sidecar) -> str:
    """``gonogo.yml:1: checklist: names 'OTHER.md'`` — the start of a mismatch warning."""
    line = sidecar.located.line_of(("checklist",))
    return f"{sidecar.path}:{line}: checklist: names {sidecar.data['checklist']!r}"


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError, ValueError):  # a loop of links (3.11); a NUL in the name
        return False


def checklist_of(sidecar: Sidecar) -> Path:
    """The checklist a sidecar names (relative to the sidecar); an error at the
    ``checklist:`` line when it names no file, with the closest name in that folder."""
    named = sidecar.data.get("checklist")
    line = sidecar.located.line_of(("checklist",))
    if not isinstance(named, str) or not named.strip():
        raise ConfigError(
            "expected a path to a Markdown checklist",
            file=str(sidecar.path),
            line=line,
            path="checklist",
        )
    path = Path(named)
    path = path if path.is_absolute() else sidecar.path.parent / path
    try:
        is_file, is_dir = path.is_file(), path.is_dir()
    except OSError as exc:  # a name longer than the file system allows, a loop of links
        raise ConfigError(f"{named[:80]!r} cannot be read: {exc.strerror or exc}",
                          file=str(sidecar.path), line=line, path="checklist") from None
    if is_file:
        return path
    if is_dir:
        problem = f"{named!r} is a directory, expected a Markdown checklist"
        hint = None
    else:
        problem = f"{named!r} not found"
        close = _closest(path)
        if close is not None:
            problem += f"; did you mean {str(Path(named).parent / close)!r}?"
        hint = None if close else "the path is relative to the folder of " + sidecar.path.name
    raise ConfigError(problem, file=str(sidecar.path), line=line, path="checklist", hint=hint)


def _closest(path: Path) -> str | None:
    """The name in ``path``'s folder closest to its name (a typo's likely fix)."""
    try:
        names = [p.name for p in path.parent.iterdir() if p.is_file()]
    except OSError:
        return None
    markdown = [n for n in names if is_markdown(n)]
    close = difflib.get_close_matches(path.name, markdown, n=1) or difflib.get_close_matches(
        path.name, names, n=1)
    return close[0] if close else None


def compile_checklist(
    checklist: Path,
    sidecar: Sidecar | None,
    *,
    env: str | None,
    process_env: Mapping[str, str],
) -> tuple[Located, Compiled]:
    """Parse and bind ``checklist`` with the sidecar's values; the merged raw config."""
    variables: dict[str, str] = dict(process_env)
    binds: list[SidecarBind] = []
    services: list[dict[str, Any]] = []
    secrets: list[dict[str, Any]] | None = None
    if sidecar is not None:
        variables, binds = _read_sidecar(sidecar, env, process_env)
        raw_services = sidecar.data.get("services")
        services = [s for s in raw_services if isinstance(s, dict)] if isinstance(raw_services, list) else []
        raw_secrets = sidecar.data.get("secrets")
        if isinstance(raw_secrets, list) and raw_secrets:
            secrets = [s for s in raw_secrets if isinstance(s, dict)]
    display = str(checklist)
    text = read_source(checklist)
    compiled = compile_document(parse(text, display), variables=variables, types=check_types(),
                                binds=binds, services=services, secrets=secrets)
    data = dict(compiled.data)
    lines = dict(compiled.lines)
    file = display
    if sidecar is not None:
        # the checklist's own mistakes (annotations) cite the Markdown: check them first
        checklist_only = Located(data=data, file=display, lines=dict(compiled.lines))
        build_phases(ConfigModel.model_validate({"phases": data["phases"]}), checklist_only,
                     variables, strict=False)
        for key, value in sidecar.data.items():
            if key in ("bind", "checklist") or (key == "services" and "services" in data):
                continue
            data[key] = value
        # settings then say where they came from (gonogo.yml:LINE); items keep Markdown lines
        lines.update({p: n for p, n in sidecar.located.lines.items()
                      if p and p[0] not in ("phases", "bind")})
        file = str(sidecar.path)
        named_root = sidecar.data.get("root")  # the merged config's paths start there
        root = (config_root(sidecar.path, named_root, sidecar.located)
                if isinstance(named_root, str) and named_root else sidecar.path.parent)
    else:
        root = checklist.parent
    try:
        data["checklist"] = os.path.relpath(checklist, root)
    except ValueError:  # another drive (Windows)
        data["checklist"] = str(checklist)
    return Located(data=data, file=file, lines=lines), compiled


def _read_sidecar(
    sidecar: Sidecar, env: str | None, process_env: Mapping[str, str]
) -> tuple[dict[str, str], list[SidecarBind]]:
    """Validate the sidecar alone (errors cite its lines); its variables and bind entries."""
    located = sidecar.located
    file = str(sidecar.path)
    data = sidecar.data
    if not isinstance(located.data, dict):
        raise ConfigError("expected a mapping of top-level keys (checklist, environments, …)",
                          file=file, line=1)
    for key in CHECKLIST_KEYS:
        if key in data:
            raise ConfigError(
                f"a sidecar takes its {key} from the checklist",
                file=file,
                line=located.line_of((key,)),
                path=key,
                hint="remove it here, or drop `checklist:` and keep a full gonogo.yml",
            )
    try:
        model = ConfigModel.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, located, ()) from None
    root = config_root(sidecar.path, model.root, located)
    environment = resolve_environment(model, located, root, env, process_env)
    variables = environment.variables()
    if environment.name:
        variables.setdefault("env", environment.name)
    types = check_types()
    binds: list[SidecarBind] = []
    for i, entry in enumerate(data.get("bind") or []):
        where = ("bind", i)
        line = located.line_of(where)
        if not isinstance(entry, dict) or not isinstance(entry.get("item"), str):
            raise ConfigError("expected a mapping with `item:` (an item's text or id) and check keys",
                              file=file, line=line, path=f"bind[{i}]")
        check = {k: v for k, v in entry.items() if k != "item"}
        type_name = check.get("type") or ("command" if "run" in check else None)
        if not isinstance(type_name, str):
            raise ConfigError("missing 'type'", file=file, line=line, path=f"bind[{i}]",
                              hint="add `type: http|command|manual|…`, or `run:` for a command")
        cls = types.get(type_name)
        if cls is None:
            raise ConfigError(f"unknown check type {type_name!r}", file=file,
                              line=located.line_of(where + ("type",)), path=f"bind[{i}].type",
                              hint="known types: " + ", ".join(sorted(types)))
        params = {k: v for k, v in check.items() if k not in COMMON_KEYS}
        deferred = frozenset(getattr(cls, "deferred_fields", ()))
        params = interpolate_data(params, variables, lambda p, n: None, strict=False, deferred=deferred)
        try:
            cls.model_validate(params)
        except ValidationError as exc:
            raise validation_error(exc, located, where, type_name=type_name) from None
        binds.append(SidecarBind(index=i, item=entry["item"], check=check, line=line, file=file))
    return variables, binds


def with_checklist(
    config_path: Path,
    located: Located,
    *,
    env: str | None,
    process_env: Mapping[str, str],
) -> Located:
    """The raw config for ``-c CHECKLIST.md`` or for a gonogo.yml that names a checklist."""
    return resolve(config_path, located, env=env, process_env=process_env)[0]


def resolve(
    config_path: Path,
    located: Located | None = None,
    *,
    env: str | None,
    process_env: Mapping[str, str],
    sidecar_path: Path | None = None,
) -> tuple[Located, Compiled]:
    """Find the checklist and its sidecar from either end, then compile them."""
    if is_markdown(config_path):
        sidecar = find_sidecar(config_path, sidecar_path)
        return compile_checklist(config_path, sidecar, env=env, process_env=process_env)
    if located is None:
        located = parse_yaml(read_source(config_path), str(config_path))
    named = Sidecar(config_path, located)
    return compile_checklist(checklist_of(named), named, env=env, process_env=process_env)
