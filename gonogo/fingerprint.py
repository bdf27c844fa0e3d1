"""Fingerprints that let two environments be compared without showing a secret.

A fingerprint is the first 8 hex characters of HMAC-SHA256 over the value, keyed with a
random per-project key in ``.gonogo/fingerprint.key`` (created 0600 on first use). Being
keyed, a fingerprint cannot be checked against a list of guessed values by anyone who
does not hold the project's key; being short, it identifies nothing on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from gonogo import private
from gonogo.core.errors import StateError

KEY_FILE = "fingerprint.key"
LENGTH = 8


def load_key(directory: Path) -> bytes:
    """The project's fingerprint key, created (mode 0600) on first use."""
    path = directory / KEY_FILE
    try:
        private.private_dir(directory)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, private.FILE_MODE)
    except FileExistsError:
        private.tighten(path, private.FILE_MODE)  # a key an older gonogo left 0644
    except OSError as exc:
        raise StateError(f"cannot create {path}: {exc.strerror or exc}") from None
    else:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    try:
        key = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise StateError(f"cannot read {path}: {getattr(exc, 'strerror', exc)}") from None
    if len(key) < 32:
        raise StateError(f"{path} is damaged (too short); delete it to start a new key")
    return key.encode()


def fingerprint(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:LENGTH]
