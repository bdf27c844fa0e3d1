"""Reading settings with the place each value came from: dotenv files, Docker secret
files, and a compose file's ``environment:`` / ``env_file:`` for one service.

Dotenv files go through python-dotenv's own parser (quotes, ``export``, escapes,
multi-line values, comments), keeping its per-binding line numbers, which
``dotenv_values`` drops. Error messages never quote a line: it may hold a secret.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonogo.core.errors import ConfigError

PROCESS_ENVIRONMENT = "process environment"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class EnvValue:
    """One setting and where it came from (``file:line``, ``process environment``, …)."""

    name: str
    value: str
    source: str

    def __repr__(self) -> str:  # values may be secret: never in a repr
        return f"EnvValue({self.name!r}, source={self.source!r})"

    @property
    def from_process(self) -> bool:
        return self.source == PROCESS_ENVIRONMENT


def _read_text(path: Path, shown: str, what: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{what} not found", file=shown) from None
    except IsADirectoryError:
        raise ConfigError(f"{what} is a directory, expected a file", file=shown) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what}: {exc.strerror}", file=shown) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=shown, line=line) from None


def _bad_line(text: str) -> str:
    """What is wrong with an unparsable line, without quoting it (it may hold a secret)."""
    stripped = text.strip()
    first = stripped.splitlines()[0] if stripped else ""
    if "=" not in first:
        return "expected NAME=value, got a line without '='"
    key = first.split("=", 1)[0].strip().removeprefix("export ").strip()
    if not _NAME.fullmatch(key):
        return "expected NAME=value, the name before '=' is not a valid variable name"
    return f"cannot parse the value of {key} (an unclosed quote?)"


def parse_env_text(text: str, shown: str) -> dict[str, EnvValue]:
    """Parse dotenv text; an unparsable line or a key set twice is a ConfigError at file:line."""
    from dotenv.parser import parse_stream  # only when an env file is read (~15 ms import)

    values: dict[str, EnvValue] = {}
    for binding in parse_stream(io.StringIO(text)):
        # the parser counts the blank lines before a binding as part of it
        raw = binding.original.string
        line = binding.original.line + raw.count("\n", 0, len(raw) - len(raw.lstrip()))
        if binding.error or (binding.key is not None and binding.value is None):
            raise ConfigError(
                _bad_line(binding.original.string),
                file=shown,
                line=line,
                hint="quote values with spaces or '#': NAME=\"a value\"",
            )
        if binding.key is None:
            continue  # comment or blank line
        if binding.key in values:
            first = values[binding.key].source.rsplit(":", 1)[-1]
            raise ConfigError(
                f"{binding.key} is set twice (first at line {first})",
                file=shown,
                line=line,
                hint="remove one: only the last would count, silently",
            )
        values[binding.key] = EnvValue(binding.key, binding.value or "", f"{shown}:{line}")
    return values


def read_env_file(path: Path, display: str | None = None) -> dict[str, EnvValue]:
    """Parse one env file; an unparsable line is a ConfigError naming file:line."""
    shown = display or str(path)
    return parse_env_text(_read_text(path, shown, "env file"), shown)


def read_secrets_dir(path: Path, display: str | None = None) -> dict[str, EnvValue]:
    """Docker secret files: one setting per file, named like the file (lower-case names
    are upper-cased, ``jwt_secret`` → ``JWT_SECRET``); one trailing newline is dropped."""
    shown = (display or str(path)).rstrip("/")
    if not path.is_dir():
        what = "not found" if not path.exists() else "is not a directory"
        raise ConfigError(f"secrets directory {what}", file=shown)
    values: dict[str, EnvValue] = {}
    for file in sorted(path.iterdir()):
        if file.name.startswith(".") or not file.is_file():
            continue
        text = _read_text(file, f"{shown}/{file.name}", "secret file")
        if text.endswith("\n"):
            text = text[:-1].removesuffix("\r")
        name = file.name if file.name != file.name.lower() else file.name.upper()
        values[name] = EnvValue(name, text, f"{shown}/{file.name}")
    return values


def read_compose_service(
    path: Path, service: str, display: str | None = None
) -> dict[str, EnvValue]:
    """A compose service's settings: its ``env_file:`` files, then ``environment:`` on top
    (compose's own precedence). ``KEY`` without a value (taken from the shell) is skipped."""
    from gonogo.yamlsource import parse_yaml  # lazy: config imports this module

    shown = display or str(path)
    located = parse_yaml(_read_text(path, shown, "compose file"), shown)
    services = located.data.get("services") if isinstance(located.data, dict) else None
    if not isinstance(services, dict) or service not in services:
        known = ", ".join(services) if isinstance(services, dict) else "none"
        raise ConfigError(f"no service {service!r} in the compose file", file=shown,
                          line=located.line_of(("services",)), hint=f"services: {known}")
    spec = services[service] or {}
    base: tuple[str | int, ...] = ("services", service)
    values: dict[str, EnvValue] = {}
    env_files: Any = spec.get("env_file") if isinstance(spec, dict) else None
    if isinstance(env_files, (str, dict)):
        env_files = [env_files]
    for i, entry in enumerate(env_files or []):
        required = True
        if isinstance(entry, dict):
            required = bool(entry.get("required", True))
            entry = entry.get("path")
        if not isinstance(entry, str):
            raise ConfigError("env_file: expected a path", file=shown,
                              line=located.line_of(base + ("env_file", i)))
        file = path.parent / entry
        if not file.is_file():
            if not required:
                continue
            raise ConfigError(f"env_file {entry!r} not found", file=shown,
                              line=located.line_of(base + ("env_file", i)),
                              hint="create it, or mark it `required: false`")
        values.update(read_env_file(file, display=str(Path(shown).parent / entry)))
    environment: Any = spec.get("environment") if isinstance(spec, dict) else None
    if isinstance(environment, dict):
        items = [(str(k), v, located.line_of(base + ("environment", str(k))))
                 for k, v in environment.items()]
    elif isinstance(environment, list):
        items = []
        for i, entry in enumerate(environment):
            key, sep, value = str(entry).partition("=")
            items.append((key.strip(), value if sep else None,
                          located.line_of(base + ("environment", i))))
    else:
        items = []
    for key, value, line in items:
        if value is None:
            continue  # passed through from the shell: the process environment covers it
        text = str(value).lower() if isinstance(value, bool) else str(value)
        values[key] = EnvValue(key, text, f"{shown}:{line}")
    return values
