"""Tables that carry config: a secrets table becomes the secrets inventory, a contacts
table the contacts printed on NO-GO and on a failed rollback.

A secrets table has a first column headed Secret/Variable/Name/Key and a Location,
Purpose, Where or Description column; a contacts table has Role/Team and
Contact/Who/Phone/Email/Name columns. Other tables are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gonogo.markdown.parse import Table

_SECRET_HEAD = re.compile(r"^(secret|secrets|variable|env(ironment)?( var(iable)?)?|name|key)s?$", re.I)
_SECRET_OTHER = re.compile(r"location|purpose|where|description|used (for|by)|stored", re.I)
_ROLE_HEAD = re.compile(r"^(role|team|area|function|responsibility)$", re.I)
_CONTACT_HEAD = re.compile(r"contact|who|phone|e-?mail|name|person|owner|slack|channel", re.I)
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclass
class TableRecord:
    """One entry taken from a table, with its source line."""

    line: int
    data: dict[str, Any]


def _plain(cell: str) -> str:
    return re.sub(r"[`*]", "", cell).strip().strip("_")


def _column(header: list[str], pattern: re.Pattern[str]) -> int | None:
    for i, name in enumerate(header):
        if pattern.search(_plain(name)):
            return i
    return None


def secrets_of(table: Table) -> list[TableRecord] | None:
    """The secrets inventory in ``table``, or None when it is not a secrets table."""
    if len(table.header) < 2 or not _SECRET_HEAD.match(_plain(table.header[0])):
        return None
    if not any(_SECRET_OTHER.search(_plain(h)) for h in table.header[1:]):
        return None
    location = _column(table.header, re.compile(r"location|where|stored", re.I))
    purpose = _column(table.header, re.compile(r"purpose|description|used", re.I))
    found: list[TableRecord] = []
    for line, row in table.rows:
        if not row:
            continue
        name = _plain(row[0])
        if not _ENV_NAME.match(name):
            continue
        entry: dict[str, Any] = {"name": name}
        if location is not None and location < len(row) and row[location]:
            entry["location"] = row[location]
        if purpose is not None and purpose < len(row) and row[purpose]:
            entry["purpose"] = row[purpose]
        found.append(TableRecord(line, entry))
    return found or None


def contacts_of(table: Table) -> list[TableRecord] | None:
    """The contacts in ``table``, or None when it is not a contacts table."""
    role = next((i for i, h in enumerate(table.header) if _ROLE_HEAD.match(_plain(h))), None)
    if role is None:
        return None
    contact = next(
        (i for i, h in enumerate(table.header) if i != role and _CONTACT_HEAD.search(_plain(h))), None
    )
    if contact is None:
        return None
    found = [
        TableRecord(line, {"role": row[role], "contact": row[contact]})
        for line, row in table.rows
        if len(row) > max(role, contact) and row[role] and row[contact]
    ]
    return found or None


def in_production(secret: dict[str, Any]) -> bool:
    """Whether a secret lives in the deployed environment (not only in CI, like GitHub Secrets)."""
    location = str(secret.get("location") or "").lower()
    return not re.search(r"github|gitlab|\bci\b|ci/cd|\bactions\b", location)
