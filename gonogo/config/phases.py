"""Building phases and checks from validated data: ids, titles, check types, needs graph.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from gonogo.checks.base import Check
from gonogo.config.model import (
    COMMON_KEYS,
    CheckCommon,
    CheckSpec,
    ConfigModel,
    Phase,
)
from gonogo.config.wording import kind_of, located_error, validation_error
from gonogo.core.ids import slug
from gonogo.interpolate import interpolate_data
from gonogo.plugins import check_types
from gonogo.yamlsource import Located
from gonogo.yamlsource import Path as DataPath


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
            raise located_error(located, ("phases", pi, "id"), f"duplicate phase id {phase.id!r}",
                       hint="phase ids must be unique")
        seen_phases[phase.id] = pi
        checks: list[CheckSpec] = []
        for ci, raw in enumerate(phase.checks):
            where: DataPath = ("phases", pi, "checks", ci)
            spec = build_check(raw, where, phase.id, phase.kind, located, types, variables, strict,
                               model.defaults.timeout)
            if spec.id in check_phase:
                raise located_error(located, where + ("id",), f"duplicate check id {spec.id!r}",
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
        raise located_error(located, where, f"expected a check mapping (id, title, type, …), got {kind_of(raw)}")
    common_raw = {k: v for k, v in raw.items() if k in COMMON_KEYS}
    params_raw = {k: v for k, v in raw.items() if k not in COMMON_KEYS}
    try:
        common = CheckCommon.model_validate(common_raw)
    except ValidationError as exc:
        raise validation_error(exc, located, where) from None
    type_name = common.type or ("command" if "run" in params_raw else None)
    if type_name is None:
        raise located_error(located, where, "missing 'type'",
                   hint="add `type: http|command|file|tcp|manual|…`, or `run:` for a command")
    cls = types.get(type_name)
    if cls is None:
        close = difflib.get_close_matches(type_name, types, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise located_error(located, where + ("type",), f"unknown check type {type_name!r}",
                   hint=hint + "known types: " + ", ".join(sorted(types)))

    def undefined(path: DataPath, name: str) -> None:
        hint = ("the release `gonogo deploy --version V` deploys; `gonogo validate --version V` "
                "checks with one" if name == "version" else
                "set it in environments.<env>.vars, an env file or the process environment")
        raise located_error(located, where + path, f"undefined variable ${{{name}}}", hint=hint)

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
    check_id = common.id or slug(title) or f"{phase_id}-{where[-1]}"
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
                raise located_error(located, where + ("needs", i), f"unknown check id {need!r}",
                           hint=f"did you mean {close[0]!r}?" if close else "needs names check ids")
            if check_phase[need] > check_phase[spec.id]:
                raise located_error(located, where + ("needs", i),
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
            raise located_error(located, where + ("needs",), "needs form a cycle: " + " -> ".join(cycle),
                       hint="remove one of these needs")
        state[node] = 1
        for need in by_id[node][1].needs:
            visit(need, trail + [node])
        state[node] = 2

    for node in by_id:
        visit(node, [])


def _default_title(params: Check) -> str:
    return params.describe()

