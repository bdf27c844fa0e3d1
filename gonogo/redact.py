"""Keep secret values out of every byte gonogo writes.

A ``Redactor`` knows each secret value (declared secrets, env keys that look secret,
passwords inside URLs) together with the encodings a program is likely to print them
in (URL-quoted, base64), and replaces each with ``[REDACTED:NAME]``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

SECRET_KEY_PATTERN = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|KEY|PRIVATE|CREDENTIAL", re.I)
_MIN_LENGTH = 4  # shorter values would redact ordinary text ("1", "on") and protect nothing


def looks_secret(name: str) -> bool:
    """Whether an environment key's name marks its value as secret."""
    return bool(SECRET_KEY_PATTERN.search(name))


def url_password(value: str) -> str | None:
    """The password inside a URL such as ``postgresql://user:pw@host/db``, if any."""
    if "://" not in value or "@" not in value:
        return None
    try:
        return urlsplit(value.strip()).password
    except ValueError:
        return None


class Redactor:
    """Replaces registered secret values (and their common encodings) in text and data."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None

    def add(self, name: str, value: str | None) -> None:
        if not value or len(value) < _MIN_LENGTH:
            return
        label = f"[REDACTED:{name}]"
        forms = {value, quote(value, safe=""), quote_plus(value)}
        raw = value.encode()
        forms.add(base64.b64encode(raw).decode())
        forms.add(base64.urlsafe_b64encode(raw).decode())
        # base64 of the value inside a larger blob shifts by offset: the unpadded core still appears
        for form in list(forms):
            if form.endswith("="):
                forms.add(form.rstrip("="))
        if "\n" in value:
            forms.update(line for line in value.splitlines() if len(line) >= 8)
        for form in forms:
            if len(form) >= _MIN_LENGTH and form not in self._values:
                self._values[form] = label
        self._pattern = None

    def add_env(self, env: Mapping[str, str], declared: Iterable[str] = ()) -> None:
        """Register values of secret-looking keys, declared names and URL passwords."""
        declared_set = set(declared)
        for key, value in env.items():
            if key in declared_set or looks_secret(key):
                self.add(key, value)
            password = url_password(value)
            if password:
                self.add(f"{key}.password", password)

    @property
    def secrets(self) -> set[str]:
        return set(self._values)

    def __bool__(self) -> bool:
        return bool(self._values)

    def _compiled(self) -> re.Pattern[str] | None:
        if self._pattern is None and self._values:
            forms = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(f) for f in forms))
        return self._pattern

    def text(self, text: str) -> str:
        pattern = self._compiled()
        if pattern is None or not text:
            return text
        return pattern.sub(lambda m: self._values[m.group(0)], text)

    def data(self, value: Any) -> Any:
        """Redact every string inside nested dicts/lists (keys included)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value

    def longest(self) -> int:
        return max((len(v) for v in self._values), default=0)

