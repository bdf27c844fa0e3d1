"""Reading dotenv files with the line each value came from.

Uses python-dotenv's own parser (quotes, ``export``, escapes, multi-line values,
comments) and keeps its per-binding line numbers, which ``dotenv_values`` drops.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from dotenv.parser import parse_stream

from gonogo.errors import ConfigError


@dataclass(frozen=True)
class EnvValue:
    """One setting and where it came from (``file:line``, ``process environment``, …)."""

    name: str
    value: str
    source: str

    def __repr__(self) -> str:  # values may be secret: never in a repr
        return f"EnvValue({self.name!r}, source={self.source!r})"


def read_env_file(path: Path, display: str | None = None) -> dict[str, EnvValue]:
    """Parse one env file; an unparsable line is a ConfigError naming file:line."""
    shown = display or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("env file not found", file=shown) from None
    except OSError as exc:
        raise ConfigError(f"cannot read env file: {exc.strerror}", file=shown) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=shown) from None
    values: dict[str, EnvValue] = {}
    for binding in parse_stream(io.StringIO(text)):
        line = binding.original.line
        if binding.error:
            first = binding.original.string.strip().splitlines()[0][:40] if binding.original.string.strip() else ""
            raise ConfigError(
                f"expected NAME=value, got {first!r}",
                file=shown,
                line=line,
                hint="quote values with spaces or '#': NAME=\"a value\"",
            )
        if binding.key is None:
            continue  # comment or blank line
        values[binding.key] = EnvValue(binding.key, binding.value or "", f"{shown}:{line}")
    return values
