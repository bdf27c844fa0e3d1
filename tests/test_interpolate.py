"""``${VAR}`` interpolation: variables, defaults, escapes, and where undefined names are reported."""

from __future__ import annotations

import pytest

from gonogo.interpolate import (
    UndefinedVariable,
    interpolate,
    interpolate_data,
    variables_in,
)

VARS = {"domain": "example.com", "EMPTY": "", "db.host": "db1"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://api.${domain}/health", "https://api.example.com/health"),
        ("${domain}${domain}", "example.comexample.com"),
        ("${MISSING:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("[${EMPTY}]", "[]"),
        ("$${domain}", "${domain}"),
        ("${db.host}", "db1"),
        ("$domain and ${ not a var", "$domain and ${ not a var"),
        ("${MISSING:-}", ""),
    ],
)
def test_interpolate(text: str, expected: str) -> None:
    assert interpolate(text, VARS) == expected


def test_an_undefined_variable_raises_with_its_name() -> None:
    with pytest.raises(UndefinedVariable) as info:
        interpolate("x ${NOPE} y", VARS)
    assert info.value.name == "NOPE"


def test_non_strict_mode_leaves_unknown_names_as_written() -> None:
    assert interpolate("${NOPE}-${domain}", VARS, strict=False) == "${NOPE}-example.com"


def test_nested_data_reports_the_path_of_each_undefined_name() -> None:
    seen: list[tuple[tuple[str | int, ...], str]] = []
    data = {"url": "${domain}", "headers": {"A": "${X}"}, "list": [1, "${Y}"], "n": 5}
    out = interpolate_data(data, VARS, lambda path, name: seen.append((path, name)))
    assert out == {"url": "example.com", "headers": {"A": "${X}"}, "list": [1, "${Y}"], "n": 5}
    assert seen == [(("headers", "A"), "X"), (("list", 1), "Y")]


def test_deferred_keys_are_left_for_run_time() -> None:
    data = {"url": "${domain}", "steps": [{"token": "${token}"}]}
    out = interpolate_data(data, VARS, lambda p, n: None, deferred=frozenset({"steps"}))
    assert out == {"url": "example.com", "steps": [{"token": "${token}"}]}


def test_variables_in_skips_escapes() -> None:
    assert variables_in("${a} $${b} ${c:-d}") == ["a", "c"]
