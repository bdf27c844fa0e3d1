"""``${VAR}`` interpolation in config strings.

``${NAME}`` takes a variable, ``${NAME:-default}`` falls back when unset or empty,
and ``$${NAME}`` is a literal ``${NAME}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_VAR = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_.]*)(?::-([^}]*))?\}")


class UndefinedVariable(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def interpolate(text: str, variables: Mapping[str, str], *, strict: bool = True) -> str:
    """Replace ``${NAME}`` in ``text``; unknown names raise in strict mode, else stay as written."""

    def repl(match: re.Match[str]) -> str:
        escaped, name, default = match.group(1), match.group(2), match.group(3)
        if escaped:
            return match.group(0)[1:]
        value = variables.get(name)
        if value not in (None, ""):
            return str(value)
        if default is not None:
            return default
        if value is not None:
            return ""
        if strict:
            raise UndefinedVariable(name)
        return match.group(0)

    return _VAR.sub(repl, text)


def interpolate_data(
    value: Any,
    variables: Mapping[str, str],
    on_error: Callable[[tuple[str | int, ...], str], None],
    *,
    path: tuple[str | int, ...] = (),
    strict: bool = True,
    deferred: frozenset[str] = frozenset(),
) -> Any:
    """Interpolate every string in nested data; keys in ``deferred`` are left for run time."""
    if isinstance(value, str):
        try:
            return interpolate(value, variables, strict=strict)
        except UndefinedVariable as exc:
            on_error(path, exc.name)
            return value
    if isinstance(value, dict):
        return {
            k: v
            if k in deferred
            else interpolate_data(v, variables, on_error, path=path + (k,), strict=strict)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [
            interpolate_data(v, variables, on_error, path=path + (i,), strict=strict)
            for i, v in enumerate(value)
        ]
    return value


def variables_in(text: str) -> list[str]:
    return [m.group(2) for m in _VAR.finditer(text) if not m.group(1)]
