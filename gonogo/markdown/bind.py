"""Binding: every item of a parsed checklist to evidence, in this order —
(a) its inline ``<!-- gonogo: {...} -->`` annotation, (b) a sidecar ``bind:`` entry
matched by item text or id, (c) recognition (``recognize.RULES``), (d) ``manual`` with
the reason. Commands of shell blocks that no item claims become command steps.

The result is the raw config vocabulary of ``gonogo.yml`` (``phases``, ``secrets``,
``contacts``, ``services``) with the Markdown line of every value, plus a ``Binding``
per item and step for ``gonogo explain``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gonogo.config.model import COMMON_KEYS, PHASE_KINDS, READ_ONLY_KINDS
from gonogo.core.errors import ConfigError
from gonogo.markdown.parse import Document, Item, Section, clean_title
from gonogo.markdown.readonly import analyze
from gonogo.markdown.recognize import RULES, Context, Recognized
from gonogo.markdown.shell import CommandLine, destructive, escape, nonterminating
from gonogo.markdown.tables import contacts_of, secrets_of
from gonogo.yamlsource import Path as DataPath

#: Heading words → phase kind, most specific first. A heading without one inherits its
#: parent's kind (the document's H1 is its title, not a phase, though a preflight title —
#: "Pre-release checklist" — counts). A section no heading names is not recognised: its
#: items are manual (never preflight by default), unless annotated.
KIND_WORDS: tuple[tuple[str, str], ...] = (
    (r"roll ?back|revert|recovery|disaster", "rollback"),
    (r"pre-?deploy|pre-?release|pre-?flight|before (the )?deploy|pre-?launch|pre-?production"
     r"|prerequisite|quality|verification|readiness|preparation", "preflight"),
    (r"post-?deploy|post-?release|after (the )?deploy|post-?launch|document|follow-?up|clean ?up"
     r"|wrap-?up|retro", "post"),
    (r"monitor|observ|watch", "watch"),
    (r"back ?up", "backup"),
    (r"verify|smoke|validat|sanity", "verify"),
    (r"deploy|release|roll ?out|launch|go-?live|ship|cut ?over|migrat", "deploy"),
)
#: Kinds whose commands `gonogo check` runs: only read-only ones, unless explicitly allowed.
GUARDED_KINDS = READ_ONLY_KINDS
#: The kind a section no heading names gets; all of its items are manual.
UNRECOGNISED_KIND = "preflight"

MANUAL_REASON = "no rule recognizes this item; sign it off, or annotate it"


def unrecognised_reason(title: str) -> str:
    """Why nothing runs in a section whose heading names no phase."""
    return (f"the heading {title!r} names no phase gonogo knows, so nothing in it runs; sign it off, "
            "or annotate the section (<!-- gonogo-phase: {kind: preflight} -->) or the item")


def not_read_only_reason(culprit: str) -> str:
    """Why a command of a preflight/verify section is not run by `check`, and how to opt in."""
    return (f"`{culprit}` may change something; not run by check — annotate with "
            "<!-- gonogo: {run: …} --> or `# gonogo: allow` to run it")


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


@dataclass
class Compiled:
    """A checklist bound to checks: raw config data and lines, plus explain's view."""

    data: dict[str, Any]
    lines: dict[DataPath, int]
    bindings: list[Binding]
    deploy_order: list[str]
    deploy_order_line: int | None
    document: Document
    table_notes: list[str] = field(default_factory=list)


def phase_kind(section: Section, title: Section | None = None) -> str | None:
    """The kind of a section: its annotation, its heading's words, its parent's — or None
    when nothing names it (then its items are manual, never preflight by default).

    ``title`` is the heading that names the whole document (its only H1): its words
    ("Production Deployment Checklist") say nothing about a phase, unless they say
    preflight ("Pre-release checklist")."""
    node: Section | None = section
    while node is not None:
        if node.phase_annotation is not None:
            kind = node.phase_annotation.data.get("kind")
            if kind not in PHASE_KINDS:
                raise ConfigError(
                    f"gonogo-phase: expected kind to be one of {', '.join(PHASE_KINDS)}, got {kind!r}",
                    file=None,
                    line=node.phase_annotation.line,
                )
            return str(kind)
        for pattern, kind in KIND_WORDS:
            if node is title and kind != "preflight":
                continue
            if re.search(pattern, node.title, re.I):
                return kind
        node = node.parent
    return None


def slug(text: str, fallback: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", re.sub(r"`", "", text.lower())).strip("-")[:48].strip("-")
    return value or fallback


class _Ids:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    def take(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.seen:
            candidate = f"{base}-{n}"
            n += 1
        self.seen.add(candidate)
        return candidate


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[`*_]", "", text).casefold().split())


def compile_document(
    doc: Document,
    *,
    variables: Mapping[str, str],
    types: Mapping[str, Any],
    binds: Sequence[SidecarBind] = (),
    services: Sequence[dict[str, Any]] = (),
    secrets: Sequence[dict[str, Any]] | None = None,
) -> Compiled:
    """Bind every item and step of ``doc``; ``types`` are the registered check types."""
    lines: dict[DataPath, int] = {}
    inventory: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    notes: list[str] = []
    for table in doc.tables:
        found = secrets_of(table)
        if found and not inventory:
            for record in found:
                lines[("secrets", len(inventory))] = record.line
                inventory.append(record.data)
            notes.append(f"secrets: {len(found)} from the table at line {table.line}")
            continue
        people = contacts_of(table)
        if people and not contacts:
            for record in people:
                lines[("contacts", len(contacts))] = record.line
                contacts.append(record.data)
            notes.append(f"contacts: {len(people)} from the table at line {table.line}")
    ctx = Context(doc=doc, variables=variables,
                  secrets=list(secrets) if secrets is not None else inventory,
                  services=list(services))
    ids = _Ids()
    bindings: list[Binding] = []
    phases: list[dict[str, Any]] = []
    phase_ids = _Ids()
    order: list[str] = []
    order_line: int | None = None
    for section in doc.sections:
        named = _kind(section, doc)
        kind = named or UNRECOGNISED_KIND
        if kind == "deploy" and not order:
            for numbered in section.lists:
                if re.search(r"order|sequence|deploy", numbered.lead + " " + section.title, re.I):
                    order = [_entry_name(text) for _, text in numbered.entries]
                    order_line = numbered.line
                    break
        if not section.items and not section.commands:
            continue
        title = clean_title(section.title) if section.title else (doc.title or "Checklist")
        phase_id = phase_ids.take(slug(title, "checklist"))
        section_bindings: list[Binding] = []
        unnamed = None if named else unrecognised_reason(title)
        for item in section.items:
            binding = _bind_item(item, section, phase_id, kind, ctx, ids, binds, types, doc.file,
                                 unnamed)
            if binding.type == "postgres.backup":
                ctx.backup_check = binding.id
            section_bindings.append(binding)
        for block in section.blocks:
            if block.annotation and block.annotation.data.get("skip"):
                continue
            allow = block.annotation is not None and bool(block.annotation.data.get("allow"))
            for command in block.commands:
                if id(command) in ctx.used:
                    continue
                section_bindings.append(_step(command, phase_id, kind, ids, allow, binds, unnamed))
        section_bindings.sort(key=lambda b: b.line)
        groups = [(phase_id, title, kind, section_bindings)]
        claims = [b for b in section_bindings if b.item and b.type not in ("command", "manual")]
        if kind == "deploy" and claims:
            # "API service healthy", "Database migrations applied": claims about the result of
            # the deploy, proven after the services are deployed (a verify phase right after
            # this one), not before them with the section's commands (the deploy's actions).
            after = phase_ids.take(f"{phase_id}-result")
            for binding in claims:
                binding.phase, binding.kind = after, "verify"
            groups = [(phase_id, title, kind, [b for b in section_bindings if b not in claims]),
                      (after, f"{title}: result", "verify", claims)]
        for group_id, group_title, group_kind, group in groups:
            if not group:
                continue
            phase_index = len(phases)
            lines[("phases", phase_index)] = section.line
            lines[("phases", phase_index, "id")] = section.line
            lines[("phases", phase_index, "kind")] = (section.phase_annotation.line
                                                      if section.phase_annotation else section.line)
            checks = []
            for ci, binding in enumerate(group):
                raw = binding.raw()
                checks.append(raw)
                base: DataPath = ("phases", phase_index, "checks", ci)
                lines[base] = binding.line
                for key in raw:
                    lines[base + (key,)] = binding.line
            phase: dict[str, Any] = {"id": group_id, "title": group_title, "kind": group_kind,
                                     "checks": checks}
            if group_kind == "watch":
                phase.update(_watch_window(section, variables))
            phases.append(phase)
        bindings.extend(section_bindings)
    for entry in binds:
        if not entry.used:
            known = [b.text for b in bindings]
            import difflib

            close = difflib.get_close_matches(entry.item, known, n=1)
            raise ConfigError(
                f"no item or command {entry.item!r} in {doc.file}",
                file=entry.file,
                line=entry.line,
                path=f"bind[{entry.index}].item",
                hint=f"did you mean {close[0]!r}?" if close else "match an item's text or id",
            )
    if not phases:
        raise ConfigError(
            "no checklist items (`- [ ] …`) and no shell code blocks found",
            file=doc.file,
            line=1,
            hint="gonogo runs task-list items and ```bash blocks; see `gonogo explain`",
        )
    data: dict[str, Any] = {"version": 1}
    if doc.title:
        data["name"] = doc.title
    data["phases"] = phases
    if inventory:
        data["secrets"] = inventory
    if contacts:
        data["contacts"] = contacts
    if services and order:
        data["services"] = _ordered_services(list(services), order)
    elif services:
        data["services"] = list(services)
    return Compiled(data=data, lines=lines, bindings=bindings, deploy_order=order,
                    deploy_order_line=order_line, document=doc, table_notes=notes)


def _kind(section: Section, doc: Document) -> str | None:
    h1s = [s for s in doc.sections if s.level == 1]
    try:
        return phase_kind(section, h1s[0] if len(h1s) == 1 else None)
    except ConfigError as exc:
        raise ConfigError(exc.detail, file=doc.file, line=exc.line) from None


def _entry_name(text: str) -> str:
    bold = re.search(r"\*\*(.+?)\*\*|__(.+?)__", text)
    name = (bold.group(1) or bold.group(2)) if bold else re.split(r"\s[(\-–—:]", text)[0]
    return re.sub(r"[`*_\[\]]", "", name).strip()


def _ordered_services(services: list[dict[str, Any]], order: list[str]) -> list[dict[str, Any]]:
    """Give sidecar services the document's deploy order as ``needs`` (where they name none)."""
    by_name = {str(s.get("name", "")).lower(): s for s in services}
    previous: str | None = None
    result = {id(s): dict(s) for s in services}
    for name in order:
        service = by_name.get(name.lower())
        if service is None:
            continue
        entry = result[id(service)]
        if previous is not None and not entry.get("needs"):
            entry["needs"] = [previous]
        previous = str(service["name"])
    return [result[id(s)] for s in services]


# ---- items --------------------------------------------------------------------------


def _bind_item(
    item: Item,
    section: Section,
    phase_id: str,
    kind: str,
    ctx: Context,
    ids: _Ids,
    binds: Sequence[SidecarBind],
    types: Mapping[str, Any],
    file: str,
    unnamed: str | None = None,
) -> Binding:
    """``unnamed``: the reason why nothing runs in a section no heading names."""
    check_id = ids.take(slug(item.text, f"{phase_id}-item"))
    binding = Binding(line=item.line, text=item.text, phase=phase_id, kind=kind, id=check_id,
                      type="manual", params={}, via="manual")
    if item.annotation is not None:
        return _explicit(binding, dict(item.annotation.data), "annotation", file, item.annotation.line)
    entry = _sidecar_entry(binds, item.text, check_id)
    if entry is not None:
        return _explicit(binding, dict(entry.check), "sidecar", entry.file, entry.line)
    if unnamed is not None:
        binding.reason = unnamed
        return binding
    miss: Recognized | None = None
    miss_reason: str | None = None
    for rule in RULES:
        proposal = rule(item, section, ctx)
        if proposal is None:
            continue
        if proposal.type not in types:
            if miss is None:
                miss, miss_reason = proposal, f"needs check type {proposal.type} (not available in this version)"
            continue
        needs = proposal.needs or _missing_keys(types[proposal.type], proposal.params)
        if needs:
            if miss is None:
                miss, miss_reason = proposal, "needs: " + ", ".join(needs)
            continue
        for command in proposal.consumes:
            ctx.used.add(id(command))
        refused = None
        if proposal.command:  # every command the check would run, not only the first
            for command in proposal.consumes or [proposal.command]:
                refused = _refusal(command, kind)
                if refused:
                    break
        binding.via = f"recognized: {proposal.rule}"
        binding.note = proposal.note
        if refused:
            binding.reason, binding.advisory = refused
            binding.params = {"instructions": escape(proposal.command.text)} if proposal.command else {}
            return binding
        binding.type = proposal.type
        binding.params = proposal.params
        return binding
    if miss is not None:
        binding.via = f"recognized: {miss.rule}"
        binding.reason = miss_reason
        if miss_reason and miss_reason.startswith("needs: "):
            binding.needs = list(miss.needs)
        binding.note = miss.note
        return binding
    binding.reason = MANUAL_REASON
    return binding


def _explicit(binding: Binding, check: dict[str, Any], via: str, file: str, line: int | None) -> Binding:
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


def _missing_keys(check_type: Any, params: Mapping[str, Any]) -> list[str]:
    """Required keys of ``check_type`` that a recognized proposal leaves unset."""
    fields = getattr(check_type, "model_fields", {})
    return [
        field.alias or name
        for name, field in fields.items()
        if field.is_required() and (field.alias or name) not in params and name not in params
    ]


def _sidecar_entry(binds: Sequence[SidecarBind], text: str, check_id: str) -> SidecarBind | None:
    wanted = _norm(text)
    for entry in binds:
        if not entry.used and (entry.item == check_id or _norm(entry.item) == wanted):
            entry.used = True
            return entry
    return None


def _refusal(command: CommandLine, kind: str) -> tuple[str, bool] | None:
    """(reason, advisory) when a command must not run as written; None when it may.

    In the kinds `check` runs, a command runs only when it is read-only by the allow-list
    of ``readonly`` (or explicitly allowed); the denylist stays as a second guard."""
    if command.allowed:
        return None
    endless = nonterminating(command.text)
    if endless:
        return f"does not end by itself ({endless}); not run — run it yourself and sign off", True
    if kind in GUARDED_KINDS:
        verdict = analyze(command.text)
        if not verdict.read_only:
            return not_read_only_reason(verdict.culprit or command.text.split()[0]), False
    harm = destructive(command.text)
    if harm and kind in GUARDED_KINDS:
        return (f"destructive command in a {kind} section ({harm}); annotate to run it "
                "(`# gonogo: allow`)", False)
    return None


# ---- command steps ----------------------------------------------------------------------


def _step(
    command: CommandLine,
    phase_id: str,
    kind: str,
    ids: _Ids,
    allow: bool,
    binds: Sequence[SidecarBind],
    unnamed: str | None = None,
) -> Binding:
    check_id = ids.take(slug(command.text.split("\n")[0], f"{phase_id}-step"))
    binding = Binding(line=command.line, text=command.text.split("\n")[0], phase=phase_id,
                      kind=kind, id=check_id, type="command", params={}, via="command step",
                      item=False)
    entry = _sidecar_entry(binds, command.text, check_id)
    if entry is not None:
        return _explicit(binding, dict(entry.check), "sidecar", entry.file, entry.line)
    refused = None if allow else (unnamed, False) if unnamed and not command.allowed \
        else _refusal(command, kind)
    if refused:
        binding.type = "manual"
        binding.reason, binding.advisory = refused
        binding.params = {"instructions": escape(command.text)}
        return binding
    params: dict[str, Any] = {"run": escape(command.text)}
    if command.cwd:
        params["cwd"] = escape(command.cwd)
    if command.env:
        params["env"] = {k: escape(v) for k, v in command.env.items()}
    binding.params = params
    return binding


_WINDOW = re.compile(r"\b(?:first|next|for|over)\s+(\d+)\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?)\b", re.I)


def _watch_window(section: Section, variables: Mapping[str, str]) -> dict[str, str]:
    """A watch phase's ``duration``/``interval``: from ``<!-- gonogo-phase: {duration: 15m} -->``,
    else the sidecar's ``watch_duration``/``watch_interval`` values (the document's "15
    minutes" is for people; a staging or demo environment watches shorter), else from an
    item's words ("Review error logs for first 15 minutes"), sampling every 30s."""
    data = section.phase_annotation.data if section.phase_annotation else {}
    window: dict[str, str] = {k: str(data[k]) for k in ("duration", "interval") if k in data}
    for key in ("duration", "interval"):
        if key not in window and variables.get(f"watch_{key}"):
            window[key] = variables[f"watch_{key}"]
    if "duration" not in window:
        for item in section.items:
            match = _WINDOW.search(item.text)
            if match:
                window["duration"] = f"{match.group(1)}{match.group(2)[0].lower()}"
                break
    if "duration" in window:
        window.setdefault("interval", "30s")
    return window
