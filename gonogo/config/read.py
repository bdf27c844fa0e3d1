"""Finding and reading a config: ``-c``, ``$GONOGO_CONFIG`` or ``gonogo.yml``; UTF-8 text;
the one rule for which files are Markdown checklists.
"""

from __future__ import annotations

import os
from pathlib import Path

from gonogo.core.errors import ConfigError

DEFAULT_NAMES = ("gonogo.yml", "gonogo.yaml")
MARKDOWN_SUFFIXES = (".md", ".markdown")


def is_markdown(path: str | Path) -> bool:
    """The one rule for a Markdown checklist: its suffix (``.md`` or ``.markdown``, any case)."""
    return str(path).lower().endswith(MARKDOWN_SUFFIXES)


def find_config(explicit: str | None = None, cwd: Path | None = None) -> Path:
    """``-c PATH``, else ``$GONOGO_CONFIG``, else ``gonogo.yml`` in the current directory."""
    chosen = explicit or os.environ.get("GONOGO_CONFIG")
    if chosen:
        return Path(chosen)
    here = cwd or Path.cwd()
    for name in DEFAULT_NAMES:
        if (here / name).is_file():
            return here / name if cwd else Path(name)  # errors then read `gonogo.yml:14: …`
    raise ConfigError(
        f"no gonogo.yml in {here}",
        hint="pass -c PATH (a gonogo.yml or a Markdown checklist), or run `gonogo init`",
    )


def read_source(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, expected a file", file=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=str(path)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from None
