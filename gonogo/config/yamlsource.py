"""YAML that remembers where each value came from.

PyYAML's composed node graph keeps source marks; we build plain Python data from it
and record the line of every value by its path, so config errors can say ``file:line``.
Hand-written because neither PyYAML nor pydantic maps validation paths back to lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from gonogo.errors import ConfigError

Path = tuple[str | int, ...]


@dataclass
class Located:
    """Parsed YAML data plus the 1-based line of every value, keyed by its path."""

    data: Any
    file: str
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def parse_yaml(text: str, file: str) -> Located:
    """Parse one YAML document; duplicate keys, tags and anchors-as-keys are config errors."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"invalid YAML: {problem}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", file=file) from None
    except ValueError as exc:  # e.g. unacceptable characters
        raise ConfigError(f"invalid YAML: {exc}", file=file) from None
    located = Located(data=None, file=file)
    if node is None:
        located.data = {}
        return located
    located.data = _build(node, (), located)
    return located


_SCALAR = yaml.SafeLoader("")


def _build(node: yaml.Node, path: Path, located: Located) -> Any:
    located.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        _SCALAR.flatten_mapping(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _build(key_node, path + ("<key>",), located)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise ConfigError(
                    f"expected a plain key, got {type(key).__name__}",
                    file=located.file,
                    line=key_node.start_mark.line + 1,
                    path=format_path(path) or "<top>",
                )
            skey = str(key)
            if skey in result:
                raise ConfigError(
                    f"duplicate key {skey!r}",
                    file=located.file,
                    line=key_node.start_mark.line + 1,
                    path=format_path(path + (skey,)),
                    hint="each key may appear once per mapping",
                )
            located.lines[path + (skey,)] = key_node.start_mark.line + 1
            result[skey] = _build(value_node, path + (skey,), located)
        located.lines.pop(path + ("<key>",), None)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), located) for i, item in enumerate(node.value)]
    try:
        return _SCALAR.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        raise ConfigError(
            f"unsupported YAML value: {exc.problem}",
            file=located.file,
            line=node.start_mark.line + 1,
            path=format_path(path),
        ) from None
