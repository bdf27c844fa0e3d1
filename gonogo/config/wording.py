"""Pydantic's validation errors in gonogo's words: file:line, the key path, what was
expected and what was found, and the allowed keys when one is misspelled.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import ValidationError

from gonogo.config.model import (
    COMMON_KEYS,
    ID_PATTERN,
)
from gonogo.core.errors import ConfigError
from gonogo.plugins import check_types
from gonogo.yamlsource import Located, format_path
from gonogo.yamlsource import Path as DataPath


def kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return repr(value)


def located_error(located: Located, path: DataPath, message: str, hint: str | None = None) -> ConfigError:
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
            "item" if kind == "too_short" else "character") + f"{'s' if ctx.get('min_length', 1) != 1 else ''}, got {kind_of(given)}"
    else:
        wanted_all = [_expected(errors[i]) for i in siblings if len(locs[i]) == len(locs[0])]
        wanted = " or ".join(dict.fromkeys(wanted_all)) if not deeper else _expected(first)
        message = f"expected {wanted}, got {kind_of(given)}"
    others = len({locs[i] for i in range(len(errors)) if i not in siblings})
    if others:
        message += f" (and {others} more problem{'s' if others > 1 else ''})"
    return located_error(located, loc, message, hint=hint)


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
