"""Keep secret values out of every byte gonogo writes.

A ``Redactor`` knows each secret value (declared secrets, env keys that look secret,
values from files that look like credentials, passwords inside URLs) together with the
encodings a program is likely to print them in, and replaces each with
``[REDACTED:NAME]``. The encodings covered:

- the value itself, and each line (of 8+ characters) of a multi-line value, also with
  ``\\r\\n`` line ends;
- URL-encoded (``%2F`` and ``%2f``, ``+`` or ``%20`` for spaces);
- JSON- and HTML/XML-escaped (what a JSON body or a report would carry);
- base64 (standard and URL-safe) of the value on its own *and* embedded in a larger
  blob: base64 of the same bytes differs with their offset modulo 3, so the stable core
  of all three alignments is registered.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

from gonogo.credentials import credential_kind, credential_parts

SECRET_KEY_PATTERN = re.compile(
    r"SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|KEY|PRIVATE|CREDENTIAL|SALT|DSN", re.I
)
_MIN_LENGTH = 4  # shorter values would redact ordinary text ("1", "on") and protect nothing
_MIN_FORM = 6  # shortest encoded fragment worth matching (base64 cores of short values)
_MIN_LINE = 8  # shortest line of a multi-line secret redacted on its own
#: A text cut short (an excerpt, a tail) may end with the start of a secret or begin with
#: its end; fragments this long at the edges of a text are redacted too.
_MIN_PARTIAL = 6
#: base64 characters that depend on the bytes before the value, per offset modulo 3
_B64_SKIP = (0, 2, 3)


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


def base64_cores(raw: bytes) -> set[str]:
    """Base64 fragments that appear whenever ``raw`` is encoded inside a larger blob.

    For each offset k (0, 1, 2) of ``raw`` within the blob, the characters that depend
    only on ``raw`` run from ``_B64_SKIP[k]`` to the last complete 4-character group.
    """
    cores: set[str] = set()
    for k, skip in enumerate(_B64_SKIP):
        padded = b"\0" * k + raw
        full = 4 * (len(padded) // 3)
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            core = encode(padded).decode()[skip:full]
            if len(core) >= _MIN_FORM:
                cores.add(core)
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        whole = encode(raw).decode()
        cores.update((whole, whole.rstrip("=")))
    return cores


def encoded_forms(value: str) -> set[str]:
    """The value and the encodings a program or a report might print it in."""
    forms = {value}
    if "\r\n" not in value and "\n" in value:
        forms.add(value.replace("\n", "\r\n"))
    for quoted in (quote(value, safe=""), quote_plus(value), quote(value, safe="/:@")):
        forms.add(quoted)
        forms.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quoted))
    forms.add(json.dumps(value)[1:-1])
    forms.add(json.dumps(value, ensure_ascii=False)[1:-1])
    forms.add(json.dumps(value)[1:-1].replace("/", "\\/"))
    forms.add(html.escape(value, quote=True))
    forms.add(html.escape(value, quote=False))
    forms.add(value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
              .replace('"', "&quot;").replace("'", "&apos;"))
    forms |= base64_cores(value.encode())
    if "\n" in value:
        for line in value.splitlines():
            line = line.strip()
            if len(line) >= _MIN_LINE:
                forms |= encoded_forms(line)
    return {f for f in forms if len(f) >= _MIN_FORM or f == value}


class Redactor:
    """Replaces registered secret values (and their common encodings) in text and data."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._raw: dict[str, str] = {}
        self._names: set[str] = set()
        self._public: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, name: str, value: str | None) -> None:
        """Register one secret value under ``name`` (shown as ``[REDACTED:name]``)."""
        self._names.add(name)
        if not value or len(value) < _MIN_LENGTH:
            return
        label = f"[REDACTED:{name}]"
        pieces = [line.strip() for line in value.splitlines()] if "\n" in value else [value]
        for piece in pieces:
            if len(piece) >= 2 * _MIN_PARTIAL:
                self._raw.setdefault(piece, label)
        for form in encoded_forms(value):
            if form not in self._values:
                self._values[form] = label
        self._pattern = None

    def add_env(self, env: Mapping[str, str], declared: Iterable[str] = (), *,
                public: Iterable[str] = (), by_value: Iterable[str] = ()) -> None:
        """Register the values of declared names, of secret-looking names and, for the keys
        in ``by_value`` (settings from files, not the process environment), of values that
        look like credentials (gonogo.credentials); and every password inside a URL.
        A ``public`` name opts out of the name and value rules, never of a declaration
        or of a URL's password."""
        declared_set, public_set, by_value_set = set(declared), set(public), set(by_value)
        self._public |= public_set - declared_set
        for key, value in env.items():
            if key in declared_set:
                secret = True
            elif key in public_set:
                secret = False
            else:
                secret = looks_secret(key) or (key in by_value_set
                                               and credential_kind(value) is not None)
            if secret:
                self.add(key, value)
                for part in credential_parts(value):
                    self.add(key, part)
            password = url_password(value)
            if password:
                self.add(f"{key}.password", password)

    def merge(self, other: Redactor) -> None:
        """Also redact everything ``other`` redacts (another environment's secrets)."""
        for form, label in other._values.items():
            self._values.setdefault(form, label)
        for raw, label in other._raw.items():
            self._raw.setdefault(raw, label)
        self._names |= other._names
        self._public |= other._public - self._names
        self._pattern = None

    def is_secret(self, name: str) -> bool:
        """Whether ``name`` was registered as a secret (declared, secret-looking by name or
        by value), and not listed as public."""
        if name in self._names:
            return True
        return name not in self._public and looks_secret(name)

    @property
    def secrets(self) -> set[str]:
        return set(self._values)

    def __bool__(self) -> bool:
        return bool(self._values)

    def __repr__(self) -> str:
        return f"Redactor({len(self._names)} secrets)"

    def _compiled(self) -> re.Pattern[str] | None:
        if self._pattern is None and self._values:
            forms = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(f) for f in forms))
        return self._pattern

    def text(self, text: str) -> str:
        pattern = self._compiled()
        if pattern is None or not text:
            return text
        return self._edges(pattern.sub(lambda m: self._values[m.group(0)], text))

    def _edges(self, text: str) -> str:
        """Redact a secret cut in two by truncation: its start ending the text, its end
        beginning it (an excerpt of 300 characters, the tail of a long output)."""
        for value, label in self._raw.items():
            size = len(value)
            tail = text[-(size - 1):]
            start = tail.find(value[:_MIN_PARTIAL])
            while start != -1:
                if value.startswith(tail[start:]):
                    text = text[: len(text) - len(tail) + start] + label
                    break
                start = tail.find(value[:_MIN_PARTIAL], start + 1)
            head = text[: size - 1]
            end = head.rfind(value[-_MIN_PARTIAL:])
            while end != -1:
                if value.endswith(head[: end + _MIN_PARTIAL]):
                    text = label + text[end + _MIN_PARTIAL:]
                    break
                end = head.rfind(value[-_MIN_PARTIAL:], 0, end + _MIN_PARTIAL - 1)
        return text

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
