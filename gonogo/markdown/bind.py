"""Binding: every item of a parsed checklist to evidence, in this order —
(a) its inline ``<!-- gonogo: {...} -->`` annotation, (b) a sidecar ``bind:`` entry
matched by item text or id, (c) recognition (``recognize.RULES``), (d) ``manual`` with
the reason. Commands of shell blocks that no item claims become command steps.

The result is the raw config vocabulary of ``gonogo.yml`` (``phases``, ``secrets``,
``contacts``, ``services``) with the Markdown line of every value, plus a ``Binding``
per item and step for ``gonogo explain``. ``Binding`` and ``SidecarBind`` live in
``binding``; the rules commands must pass, in ``steps``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gonogo.core.errors import ConfigError
from gonogo.markdown.binding import (
    Binding,
    Ids,
    SidecarBind,
    explicit,
    missing_keys,
    sidecar_entry,
    slug,
)
from gonogo.markdown.installs import installs_first
from gonogo.markdown.parse import Document, Item, Section, clean_title
from gonogo.markdown.phases import UNRECOGNISED_KIND, phase_kind, unrecognised_reason
from gonogo.markdown.recognize import RULES, Context, Recognized
from gonogo.markdown.shell import escape
from gonogo.markdown.steps import refusal, step, step_command, watch_window
from gonogo.markdown.tables import contacts_of, secrets_of
from gonogo.yamlsource import Path as DataPath

MANUAL_REASON = "no rule recognizes this item; sign it off, or annotate it"


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


#: Check types that read the running system: an item of a deploy section bound to one is a
#: claim about the deploy's result ("API service healthy", "migrations applied"), proven
#: after the services are deployed. Build-time claims (lint, typecheck, …) stay in place.
RESULT_TYPES = frozenset({"http", "http.flow", "http.latency", "tcp", "migrations",
                          "prometheus", "alerts", "logs", "postgres.query",
                          "postgres.jsonb_schema"})


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
    item_lines = {item.line for item in doc.items if item.form == "table"}
    for table in doc.tables:
        if any(line in item_lines for line, _ in table.rows):
            continue  # a checklist table (a box per row) is neither inventory nor contacts
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
    ids = Ids()
    bindings: list[Binding] = []
    phases: list[dict[str, Any]] = []
    phase_ids = Ids()
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
                section_bindings.append(step(command, phase_id, kind, ids, allow, binds, unnamed))
        section_bindings.sort(key=lambda b: b.line)
        installs_first(section_bindings)
        groups = [(phase_id, title, kind, section_bindings)]
        claims = [b for b in section_bindings if b.item and b.type in RESULT_TYPES]
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
                phase.update(watch_window(section, variables))
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
    try:
        return phase_kind(section, doc.title_section)
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
    ids: Ids,
    binds: Sequence[SidecarBind],
    types: Mapping[str, Any],
    file: str,
    unnamed: str | None = None,
) -> Binding:
    """``unnamed``: the reason why nothing runs in a section no heading names."""
    check_id = ids.take(slug(item.text, f"{phase_id}-item"))
    binding = Binding(line=item.line, text=item.text, phase=phase_id, kind=kind, id=check_id,
                      type="manual", params={}, via="manual", form=item.form)
    if item.annotation is not None:
        return explicit(binding, dict(item.annotation.data), "annotation", file, item.annotation.line)
    entry = sidecar_entry(binds, item.text, check_id)
    if entry is not None:
        return explicit(binding, dict(entry.check), "sidecar", entry.file, entry.line)
    if item.form == "step":
        step = step_command(item, section, ctx, binding, kind, unnamed)
        if step is not None:
            return step
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
        needs = proposal.needs or missing_keys(types[proposal.type], proposal.params)
        if needs:
            if miss is None:
                miss, miss_reason = proposal, "needs: " + ", ".join(needs)
            continue
        for command in proposal.consumes:
            ctx.used.add(id(command))
        refused = None
        if proposal.command:  # every command the check would run, not only the first
            for command in proposal.consumes or [proposal.command]:
                refused = refusal(command, kind)
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
        if proposal.after:
            binding.common["needs"] = list(proposal.after)
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


__all__ = ["MANUAL_REASON", "Binding", "Compiled", "SidecarBind", "compile_document"]
