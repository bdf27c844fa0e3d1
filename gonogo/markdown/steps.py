"""Commands in a bound checklist: the safety rules a command must pass to run (read-only in
the phases `check` runs, never a PowerShell line, never an endless one), a numbered step
heading's code block as its item's command, command steps no item claims, and a watch
phase's window."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from gonogo.markdown.binding import Binding, Ids, SidecarBind, explicit, sidecar_entry, slug
from gonogo.markdown.parse import Item, Section
from gonogo.markdown.phases import GUARDED_KINDS
from gonogo.markdown.readonly import analyze
from gonogo.markdown.recognize import Context
from gonogo.markdown.recognize.base import command_check
from gonogo.markdown.shell import CommandLine, destructive, escape, nonterminating


def not_read_only_reason(culprit: str) -> str:
    """Why a command of a preflight/verify section is not run by `check`, and how to opt in."""
    return (f"`{culprit}` may change something; not run by check — annotate with "
            "<!-- gonogo: {run: …} --> or `# gonogo: allow` to run it")


def step_command(item: Item, section: Section, ctx: Context, binding: Binding, kind: str,
                  unnamed: str | None) -> Binding | None:
    """A numbered step heading's code blocks are its command, under the same rules as every
    Markdown command (read-only in the phases check runs; nothing runs under a heading no
    phase names)."""
    commands = [c for c in section.commands if id(c) not in ctx.used]
    if not commands:
        return None
    for command in commands:
        ctx.used.add(id(command))
    proposal = command_check(commands, "the step's code block")
    binding.via, binding.note = f"recognized: {proposal.rule}", proposal.note
    instructions = {"instructions": escape("\n".join(c.text for c in commands))}
    if unnamed is not None and not all(c.allowed for c in commands):
        binding.reason, binding.params = unnamed, instructions
        return binding
    for command in commands:
        refused = refusal(command, kind)
        if refused:
            binding.reason, binding.advisory = refused
            binding.params = instructions
            return binding
    binding.type, binding.params = proposal.type, proposal.params
    return binding


def refusal(command: CommandLine, kind: str) -> tuple[str, bool] | None:
    """(reason, advisory) when a command must not run as written; None when it may.

    In the kinds `check` runs, a command runs only when it is read-only by the allow-list
    of ``readonly`` (or explicitly allowed); the denylist stays as a second guard."""
    if command.shell != "sh":
        return (f"a {command.shell} command: gonogo runs POSIX shell commands; run it yourself "
                "and sign off", False)
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


def step(
    command: CommandLine,
    phase_id: str,
    kind: str,
    ids: Ids,
    allow: bool,
    binds: Sequence[SidecarBind],
    unnamed: str | None = None,
) -> Binding:
    check_id = ids.take(slug(command.text.split("\n")[0], f"{phase_id}-step"))
    binding = Binding(line=command.line, text=command.text.split("\n")[0], phase=phase_id,
                      kind=kind, id=check_id, type="command", params={}, via="command step",
                      item=False)
    entry = sidecar_entry(binds, command.text, check_id)
    if entry is not None:
        return explicit(binding, dict(entry.check), "sidecar", entry.file, entry.line)
    refused = None if allow else (unnamed, False) if unnamed and not command.allowed \
        else refusal(command, kind)
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


def watch_window(section: Section, variables: Mapping[str, str]) -> dict[str, str]:
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
