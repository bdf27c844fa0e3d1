"""What binding produces per item and command step (``Binding``), sidecar ``bind:`` entries,
check ids, and explicit bindings (an annotation or a sidecar entry: its keys are the check)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gonogo.config.model import COMMON_KEYS
from gonogo.core.errors import ConfigError


@dataclass
class Binding:
    """How one item (or command step) is bound, for ``explain``."""

    line: int
    text: str
    phase: str
    kind: str
    id: str
    type: str
    params: dict[str, Any]
    via: str
    item: bool = True
    reason: str | None = None
    needs: list[str] = field(default_factory=list)
    advisory: bool = False
    common: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    #: The item's form in the document: task, table, step or bullet (None for a command step).
    form: str | None = None

    @property
    def automated(self) -> bool:
        return self.type != "manual"

    def raw(self) -> dict[str, Any]:
        """The check as gonogo.yml would write it."""
        data: dict[str, Any] = {"id": self.id, "title": self.text, "type": self.type}
        data.update(self.common)
        if self.advisory:
            data["advisory"] = True
        data.update(self.params)
        if self.type == "manual" and self.reason and "reason" not in self.params:
            data["reason"] = self.reason
        return data


@dataclass
class SidecarBind:
    """One ``bind:`` entry of a sidecar, with where it was written."""

    index: int
    item: str
    check: dict[str, Any]
    line: int | None
    file: str = "gonogo.yml"
    used: bool = False


def slug(text: str, fallback: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", re.sub(r"`", "", text.lower())).strip("-")[:48].strip("-")
    return value or fallback


class Ids:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    def take(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.seen:
            candidate = f"{base}-{n}"
            n += 1
        self.seen.add(candidate)
        return candidate


def norm(text: str) -> str:
    return " ".join(re.sub(r"[`*_]", "", text).casefold().split())


def explicit(binding: Binding, check: dict[str, Any], via: str, file: str, line: int | None) -> Binding:
    """An annotation or sidecar entry: its keys are the check (common keys included)."""
    if "run" in check and "type" not in check:
        check["type"] = "command"
    kind = check.pop("type", None)
    if not isinstance(kind, str):
        raise ConfigError(
            f"{via}: missing 'type'",
            file=file,
            line=line,
            hint="add `type: http|command|manual|…`, or `run:` for a command",
        )
    if "id" in check:
        binding.id = str(check.pop("id"))
    binding.text = str(check.pop("title", binding.text))
    binding.common = {k: check.pop(k) for k in list(check) if k in COMMON_KEYS}
    binding.type = kind
    binding.params = check
    binding.via = via
    if kind == "manual":
        binding.reason = str(check.get("reason") or f"manual by {via}")
    return binding


def missing_keys(check_type: Any, params: Mapping[str, Any]) -> list[str]:
    """Required keys of ``check_type`` that a recognized proposal leaves unset."""
    fields = getattr(check_type, "model_fields", {})
    return [
        field.alias or name
        for name, field in fields.items()
        if field.is_required() and (field.alias or name) not in params and name not in params
    ]


def sidecar_entry(binds: Sequence[SidecarBind], text: str, check_id: str) -> SidecarBind | None:
    if not binds:
        return None
    wanted = norm(text)
    for entry in binds:
        if not entry.used and (entry.item == check_id or norm(entry.item) == wanted):
            entry.used = True
            return entry
    return None
