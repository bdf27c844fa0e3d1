"""Text-level helpers of the Markdown parser: lines with their endings, YAML front matter,
heading numbering, and the YAML inside ``<!-- gonogo: … -->`` annotations."""

from __future__ import annotations

import re
from typing import Any

import yaml

from gonogo.core.errors import ConfigError
from gonogo.yamlsource import CONSTRUCTOR_ERRORS, constructor_problem

_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[IVXivx]+\.)\s+")


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split where markdown-it splits (``\\r\\n``, ``\\r``, ``\\n``)."""
    parts = re.split(r"(\r\n|\r|\n)", text)
    lines = [parts[i] + (parts[i + 1] if i + 1 < len(parts) else "") for i in range(0, len(parts), 2)]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def front_matter(text: str) -> tuple[dict[str, Any], int]:
    """The YAML front matter's mapping (empty if unreadable) and how many lines it spans."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    block = match.group(0)
    try:
        data = yaml.safe_load(match.group(1) or "")
    except (yaml.YAMLError, ValueError):  # not YAML: a thematic break opening the page
        return {}, 0
    if data is not None and not isinstance(data, dict):
        return {}, 0  # a thematic break (`---`) opening the page, not front matter
    return (data or {}), len(split_lines(block))


def clean_title(text: str) -> str:
    """Heading text without its numbering ("1. Code Quality Gates" → "Code Quality Gates")."""
    stripped = _NUMBERING.sub("", text, count=1).strip()
    return stripped or text.strip()


def parse_annotation(body: str, file: str, line: int, what: str = "gonogo") -> dict[str, Any]:
    """The YAML mapping inside an annotation comment, or a one-line ConfigError."""
    text = body.strip()
    try:
        data = yaml.safe_load(text) if text else None
    except (yaml.YAMLError, *CONSTRUCTOR_ERRORS) as exc:
        if isinstance(exc, yaml.YAMLError):
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        else:  # a tagged value its tag cannot hold: `!!timestamp 2020-13-45`
            problem = "a value its YAML tag cannot hold" + constructor_problem(exc)
        raise ConfigError(
            f"invalid {what} annotation: {problem}",
            file=file,
            line=line,
            hint=f"write <!-- {what}: {{type: http, url: https://…, expect: {{status: 200}}}} -->",
        ) from None
    if isinstance(data, str) and what == "gonogo-phase":
        data = {"kind": data}
    if not isinstance(data, dict):
        raise ConfigError(
            f"invalid {what} annotation: expected a mapping like {{type: …}}, got {text[:40]!r}",
            file=file,
            line=line,
        )
    return {str(k): v for k, v in data.items()}
