"""YAML that remembers where each value came from.

PyYAML's composed node graph keeps source marks; we build plain Python data from it
and record the line of every value by its path, so config errors can say ``file:line``.
Hand-written because neither PyYAML nor pydantic maps validation paths back to lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from gonogo.core.errors import ConfigError

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
        elif not _PLAIN_KEY.fullmatch(part):  # quoted, so the path stays one readable line
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_PLAIN_KEY = re.compile(r"[^\s\[\]'\"]+")


def parse_yaml(text: str, file: str) -> Located:
    """Parse one YAML document; duplicate keys, tags and anchors-as-keys are config errors."""
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # at the end of the stream the mark sits on the line after the last one
        line = min(mark.line + 1, max(1, len(text.splitlines()))) if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"invalid YAML: {problem}", file=file, line=line) from None
    except yaml.reader.ReaderError as exc:  # its str() spans two lines
        char = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "\0")
        raise ConfigError(
            f"invalid YAML: unacceptable character #x{char:04x}: {exc.reason}",
            file=file,
            line=text.count("\n", 0, exc.position) + 1,
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", file=file) from None
    except ValueError as exc:  # e.g. unacceptable characters
        raise ConfigError(f"invalid YAML: {exc}", file=file) from None
    except RecursionError:
        raise ConfigError("invalid YAML: nested too deeply", file=file) from None
    located = Located(data=None, file=file)
    if node is None:
        located.data = {}
        return located
    try:
        located.data = _build(node, (), located, _Walk())
    except RecursionError:
        raise ConfigError("nested too deeply", file=file) from None
    return located


def _compose(text: str) -> yaml.Node | None:
    """libyaml's composer when present (10x faster on a large config); on any problem the
    pure-Python one runs again, so error messages and their lines stay exactly the same."""
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except Exception:  # noqa: BLE001 - re-parsed below for the canonical message
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)
_STR = "tag:yaml.org,2002:str"
#: What PyYAML's scalar constructors raise, besides ConstructorError, for a value their tag
#: cannot hold: ``2020-13-45`` (ValueError: month must be in 1..12), ``!!timestamp x``
#: (AttributeError: its regex did not match), ``!!int 0x`` (ValueError), an empty ``!!float``
#: or ``!!int`` (IndexError), an empty ``!!bool`` (KeyError).
CONSTRUCTOR_ERRORS = (ValueError, AttributeError, OverflowError, TypeError, IndexError, KeyError)


def constructor_problem(exc: Exception) -> str:
    """`` (why)`` when PyYAML's exception says something a person can use, else ``""``."""
    return f" ({exc})" if isinstance(exc, ValueError | OverflowError) and str(exc) else ""


#: More values than any real config has; aliases could otherwise expand without bound.
MAX_VALUES = 100_000


@dataclass
class _Walk:
    active: set[int] = field(default_factory=set)  # collections being built: an alias back is a cycle
    count: int = 0
    #: PyYAML's constructor for scalars and merges. One per document (≈ 6 µs to make): it
    #: remembers every node it built, and `gonogo serve` may load two configs at once.
    constructor: yaml.SafeLoader = field(default_factory=lambda: yaml.SafeLoader(""))


def _build(node: yaml.Node, path: Path, located: Located, walk: _Walk) -> Any:
    located.lines.setdefault(path, node.start_mark.line + 1)
    walk.count += 1
    if walk.count > MAX_VALUES:
        raise ConfigError(f"more than {MAX_VALUES} values (do aliases expand without end?)",
                          file=located.file, line=node.start_mark.line + 1)
    if id(node) in walk.active:
        raise ConfigError("an alias refers to a value that contains it",
                          file=located.file, line=node.start_mark.line + 1,
                          path=format_path(path) or "<top>")
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        walk.active.add(id(node))
        try:
            return _build_collection(node, path, located, walk)
        finally:
            walk.active.discard(id(node))
    if node.tag == _STR:  # most of a config: what PyYAML's constructor returns, without its cost
        return node.value
    try:
        return walk.constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        raise ConfigError(
            f"unsupported YAML value: {exc.problem}",
            file=located.file,
            line=node.start_mark.line + 1,
            path=format_path(path),
        ) from None
    except CONSTRUCTOR_ERRORS as exc:
        raise ConfigError(
            f"invalid {node.tag.rsplit(':', 1)[-1]} {str(node.value)[:40]!r}{constructor_problem(exc)}",
            file=located.file,
            line=node.start_mark.line + 1,
            path=format_path(path) or None,
        ) from None


def _build_collection(node: yaml.Node, path: Path, located: Located, walk: _Walk) -> Any:
    if isinstance(node, yaml.MappingNode):
        try:
            walk.constructor.flatten_mapping(node)
        except yaml.constructor.ConstructorError as exc:  # a `<<:` merge of something not a mapping
            mark = exc.problem_mark or node.start_mark
            raise ConfigError(f"invalid YAML: {exc.problem}", file=located.file,
                              line=mark.line + 1, path=format_path(path) or None) from None
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _build(key_node, path + ("<key>",), located, walk)
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
            result[skey] = _build(value_node, path + (skey,), located, walk)
        located.lines.pop(path + ("<key>",), None)
        return result
    return [_build(item, path + (i,), located, walk) for i, item in enumerate(node.value)]
