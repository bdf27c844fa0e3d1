"""Markdown → document structure: sections (headings), task items, shell blocks, tables.

Built on markdown-it-py, whose tokens keep their source lines, so every item, command
and table row keeps the 1-based line it came from. Nothing here decides what an item
means; that is ``recognize``/``bind``'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from gonogo.markdown import forms
from gonogo.markdown.shell import CommandLine, commands_of_block
from gonogo.markdown.text import clean_title, front_matter, parse_annotation, split_lines

#: Fence languages whose lines are shell commands.
SHELL_LANGS = frozenset({"bash", "sh", "shell", "console", "zsh", "shell-session", "shellsession"})
#: Fence languages whose lines are PowerShell commands (recognised, never run as POSIX shell).
POWERSHELL_LANGS = frozenset({"powershell", "ps1", "pwsh", "ps"})

_BOX = re.compile(r"^\[([ xX])\](?:[ \t]+|$)")
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_ANNOTATION = re.compile(r"^\s*gonogo\s*:(.*)$", re.S)
_PHASE_ANNOTATION = re.compile(r"^\s*gonogo-phase\s*:(.*)$", re.S)


@dataclass
class Annotation:
    """A ``<!-- gonogo: {...} -->`` comment: its mapping and line."""

    data: dict[str, Any]
    line: int


@dataclass
class Item:
    """One checklist item: a ``- [ ]`` task, a table row with a box, a numbered step
    heading, or a plain bullet under a checklist heading (``form``)."""

    line: int
    text: str
    checked: bool
    depth: int
    annotation: Annotation | None = None
    form: str = "task"
    #: For a table row: where its boxes and sign-off cells are.
    columns: forms.RowColumns | None = None


@dataclass
class CodeBlock:
    line: int
    lang: str
    commands: list[CommandLine]
    annotation: Annotation | None = None


@dataclass
class Table:
    line: int
    header: list[str]
    rows: list[tuple[int, list[str]]]


@dataclass
class OrderedList:
    """A numbered list without checkboxes (e.g. the order services deploy in) and its lead-in."""

    line: int
    lead: str
    entries: list[tuple[int, str]]


@dataclass
class Section:
    """What one heading covers, up to the next heading."""

    title: str
    level: int
    line: int
    parent: Section | None = None
    items: list[Item] = field(default_factory=list)
    blocks: list[CodeBlock] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    lists: list[OrderedList] = field(default_factory=list)
    phase_annotation: Annotation | None = None
    #: Plain bullets (no box) of the section's top-level lists: items under a checklist heading.
    bullets: list[Item] = field(default_factory=list, repr=False)
    _commands: tuple[int, list[CommandLine]] | None = field(default=None, repr=False, compare=False)

    @property
    def commands(self) -> list[CommandLine]:
        # cached once the document is built (rules ask for it per item)
        if self._commands is None or self._commands[0] != len(self.blocks):
            self._commands = (len(self.blocks), [c for b in self.blocks for c in b.commands])
        return self._commands[1]


@dataclass
class Document:
    file: str
    title: str | None
    sections: list[Section]
    line_count: int

    @property
    def items(self) -> list[Item]:
        return [i for s in self.sections for i in s.items]

    @property
    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    @cached_property
    def title_section(self) -> Section | None:
        """The heading that names the whole document: its only H1, if it has exactly one."""
        h1s = [s for s in self.sections if s.level == 1]
        return h1s[0] if len(h1s) == 1 else None


def parse(text: str, file: str) -> Document:
    """Parse a checklist; only malformed gonogo annotations are errors."""
    text = text.removeprefix("\ufeff")
    meta, fm_lines = front_matter(text)
    lines = split_lines(text)
    # blank out front matter so markdown-it keeps every other line where it is
    body = "\n" * fm_lines + "".join(lines[fm_lines:])
    # inline parsing is skipped: only the block structure and each inline token's source
    # text are used, and inline tokenising was a third of markdown-it's time on big documents
    md = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])
    tokens = md.parse(body)
    builder = _Builder(file)
    builder.walk(tokens)
    title = meta.get("title") if isinstance(meta.get("title"), str) else None
    if not title:
        h1 = next((s for s in builder.sections if s.level == 1), None)
        title = h1.title if h1 else None
    sections = [s for s in builder.sections]
    _other_forms(sections)
    return Document(file=file, title=title, sections=sections, line_count=len(lines))


def _other_forms(sections: list[Section]) -> None:
    """Items of the forms without boxes: in a document with no boxes at all, a numbered
    step heading is one item; plain bullets are items under a checklist heading of a
    section without boxes (or anywhere under one when the document has no boxes at all)."""
    boxed: set[int] = set()
    for section in sections:
        if section.items:
            node: Section | None = section
            while node is not None and id(node) not in boxed:
                boxed.add(id(node))
                node = node.parent
    for section in sections:
        if id(section) in boxed:
            continue
        if not boxed and section.level and forms.is_step_heading(section.title):
            section.items.append(Item(line=section.line, text=section.title, checked=False, depth=0,
                                      form="step"))
        if section.bullets and _checklist_heading(section, whole=not boxed):
            section.items.extend(section.bullets)


def _checklist_heading(section: Section, *, whole: bool) -> bool:
    node: Section | None = section
    while node is not None:
        if forms.is_checklist_heading(node.title):
            return True
        if not whole:
            return False
        node = node.parent
    return False


def _inline_text(content: str) -> str:
    return " ".join(_COMMENT.sub(" ", content).split())


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.sections: list[Section] = []
        self.current = Section(title="", level=0, line=1)
        self.sections.append(self.current)
        self.stack: list[Section] = [self.current]
        self.list_depth = 0
        self.last_item: tuple[Item, int] | None = None  # the item and the line after it ends
        self.pending_block_annotation: tuple[Annotation, int] | None = None

    def walk(self, tokens: list[Token]) -> None:
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "heading_open":
                self._heading(tok, tokens[i + 1])
                i += 3
                continue
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                self.list_depth += 1
                if tok.type == "ordered_list_open" and self.list_depth == 1:
                    self._ordered_list(tokens, i)
            elif tok.type in ("bullet_list_close", "ordered_list_close"):
                self.list_depth -= 1
            elif tok.type == "list_item_open":
                self._item(tokens, i)
            elif tok.type == "fence":
                self._fence(tok)
            elif tok.type == "html_block":
                self._html_block(tok)
            elif tok.type == "table_open":
                i = self._table(tokens, i)
                continue
            i += 1

    # ---- headings -------------------------------------------------------------------

    def _heading(self, tok: Token, inline: Token) -> None:
        level = int(tok.tag[1]) if tok.tag[1:].isdigit() else 1
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        line = (tok.map[0] + 1) if tok.map else 1
        section = Section(title=_inline_text(inline.content), level=level, line=line, parent=parent)
        self.sections.append(section)
        self.stack.append(section)
        self.current = section
        self.last_item = None

    # ---- list items -----------------------------------------------------------------

    def _item(self, tokens: list[Token], i: int) -> None:
        if i + 2 >= len(tokens) or tokens[i + 1].type != "paragraph_open":
            return
        para, inline = tokens[i + 1], tokens[i + 2]
        if inline.type != "inline":
            return
        content = inline.content
        match = _BOX.match(content)
        outer = tokens[i].map
        line = (para.map[0] + 1) if para.map else ((outer[0] + 1) if outer else 1)
        if not match:
            text = _inline_text(content)
            if self.list_depth == 1 and text:
                self.current.bullets.append(Item(line=line, text=text, checked=False, depth=1,
                                                 form="bullet"))
            return
        rest = content[match.end():]
        annotation = None
        for comment in _COMMENT.finditer(rest):
            found = _ANNOTATION.match(comment.group(1))
            if found:
                offset = rest[: comment.start()].count("\n") + (content[: match.end()].count("\n"))
                annotation = Annotation(parse_annotation(found.group(1), self.file, line + offset), line + offset)
        text = _inline_text(rest)
        if not text:
            return
        item = Item(line=line, text=text, checked=match.group(1) != " ", depth=self.list_depth,
                    annotation=annotation)
        self.current.items.append(item)
        end = para.map[1] if para.map else line
        self.last_item = (item, end + 1)

    def _ordered_list(self, tokens: list[Token], i: int) -> None:
        """Record a top-level numbered list of plain entries (no checkboxes)."""
        entries: list[tuple[int, str]] = []
        depth = 0
        for tok in tokens[i:]:
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                depth += 1
            elif tok.type in ("bullet_list_close", "ordered_list_close"):
                depth -= 1
                if depth == 0:
                    break
            elif tok.type == "inline" and depth == 1 and tok.map:
                if _BOX.match(tok.content):
                    return
                entries.append((tok.map[0] + 1, _inline_text(tok.content)))
        if entries:
            lead = ""
            # the paragraph right before the list ("Deploy in order:")
            start = tokens[i].map
            for prev in reversed(tokens[:i]):
                if prev.type == "inline" and prev.level <= 1:
                    if prev.map and start and prev.map[1] >= start[0] - 1:
                        lead = _inline_text(prev.content)
                    break
                if prev.type in ("heading_close", "fence", "table_close", "bullet_list_close",
                                 "ordered_list_close"):
                    break
            line = start[0] + 1 if start else entries[0][0]
            self.current.lists.append(OrderedList(line=line, lead=lead, entries=entries))

    # ---- code and comments ----------------------------------------------------------

    def _fence(self, tok: Token) -> None:
        lang = (tok.info.strip().split() or [""])[0].lower().strip("{}.")
        annotation = None
        if self.pending_block_annotation and tok.map:
            pending, end = self.pending_block_annotation
            if end >= tok.map[0]:
                annotation = pending
        self.pending_block_annotation = None
        if not tok.map:
            return
        first = tok.map[0] + 2
        content, shell = tok.content, "sh"
        if lang in POWERSHELL_LANGS:
            content, shell = forms.strip_powershell_prompts(content), "powershell"
        elif lang == "" and forms.holds_commands(content):
            lang = "sh"
        elif lang not in SHELL_LANGS:
            return
        commands = commands_of_block(content, first, console=lang in ("console", "shell-session",
                                                                       "shellsession"))
        for command in commands:
            command.shell = shell
        self.current.blocks.append(CodeBlock(line=tok.map[0] + 1, lang=lang, commands=commands,
                                             annotation=annotation))

    def _html_block(self, tok: Token) -> None:
        line = (tok.map[0] + 1) if tok.map else 1
        for comment in _COMMENT.finditer(tok.content):
            at = line + tok.content[: comment.start()].count("\n")
            body = comment.group(1)
            phase = _PHASE_ANNOTATION.match(body)
            if phase:
                data = parse_annotation(phase.group(1), self.file, at, "gonogo-phase")
                self.current.phase_annotation = Annotation(data, at)
                continue
            found = _ANNOTATION.match(body)
            if not found:
                continue
            annotation = Annotation(parse_annotation(found.group(1), self.file, at), at)
            if self.last_item and self.last_item[1] >= at and self.last_item[0].annotation is None:
                self.last_item[0].annotation = annotation
                self.last_item = None
            else:
                end = tok.map[1] if tok.map else at
                self.pending_block_annotation = (annotation, end)

    # ---- tables ---------------------------------------------------------------------

    def _table(self, tokens: list[Token], i: int) -> int:
        opened = tokens[i].map
        line = (opened[0] + 1) if opened else 1
        header: list[str] = []
        rows: list[tuple[int, list[str]]] = []
        row: list[str] = []
        raw: list[str] = []
        row_line = line
        in_head = False
        j = i
        while j < len(tokens) and tokens[j].type != "table_close":
            tok = tokens[j]
            if tok.type == "thead_open":
                in_head = True
            elif tok.type == "thead_close":
                in_head = False
            elif tok.type == "tr_open":
                row, raw = [], []
                row_line = (tok.map[0] + 1) if tok.map else row_line
            elif tok.type == "inline":
                row.append(_inline_text(tok.content))
                raw.append(_COMMENT.sub(" ", tok.content))
            elif tok.type == "tr_close":
                if in_head:
                    header = row
                else:
                    rows.append((row_line, row))
                    found = forms.row_item(header, raw)
                    if found is not None:
                        text, checked, columns = found
                        self.current.items.append(Item(line=row_line, text=text, checked=checked, depth=0,
                                                       form="table", columns=columns))
            j += 1
        self.current.tables.append(Table(line=line, header=header, rows=rows))
        return j + 1


__all__ = ["Annotation", "CodeBlock", "Document", "Item", "OrderedList", "Section", "Table", "clean_title",
           "front_matter", "parse", "parse_annotation", "split_lines"]
