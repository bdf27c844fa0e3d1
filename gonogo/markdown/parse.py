"""Markdown → document structure: sections (headings), task items, shell blocks, tables.

Built on markdown-it-py, whose tokens keep their source lines, so every item, command
and table row keeps the 1-based line it came from. Nothing here decides what an item
means; that is ``recognize``/``bind``'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from gonogo.core.errors import ConfigError
from gonogo.markdown.shell import CommandLine, commands_of_block
from gonogo.yamlsource import CONSTRUCTOR_ERRORS, constructor_problem

#: Fence languages whose lines are shell commands.
SHELL_LANGS = frozenset({"bash", "sh", "shell", "console", "zsh", "shell-session", "shellsession"})

_BOX = re.compile(r"^\[([ xX])\](?:[ \t]+|$)")
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_ANNOTATION = re.compile(r"^\s*gonogo\s*:(.*)$", re.S)
_PHASE_ANNOTATION = re.compile(r"^\s*gonogo-phase\s*:(.*)$", re.S)
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[IVXivx]+\.)\s+")


@dataclass
class Annotation:
    """A ``<!-- gonogo: {...} -->`` comment: its mapping and line."""

    data: dict[str, Any]
    line: int


@dataclass
class Item:
    """One ``- [ ]`` task item."""

    line: int
    text: str
    checked: bool
    depth: int
    annotation: Annotation | None = None


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

    @property
    def commands(self) -> list[CommandLine]:
        return [c for b in self.blocks for c in b.commands]


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


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split where markdown-it splits (``\\r\\n``, ``\\r``, ``\\n``)."""
    parts = re.split(r"(\r\n|\r|\n)", text)
    lines = [parts[i] + (parts[i + 1] if i + 1 < len(parts) else "") for i in range(0, len(parts), 2)]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def front_matter(text: str) -> tuple[dict[str, Any], int]:
    """The YAML front matter's mapping (empty if unreadable) and how many lines it spans."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    block = match.group(0)
    try:
        data = yaml.safe_load(match.group(1) or "")
    except (yaml.YAMLError, ValueError):  # not YAML: a thematic break opening the page
        return {}, 0
    if data is not None and not isinstance(data, dict):
        return {}, 0  # a thematic break (`---`) opening the page, not front matter
    return (data or {}), len(split_lines(block))


def parse(text: str, file: str) -> Document:
    """Parse a checklist; only malformed gonogo annotations are errors."""
    text = text.removeprefix("\ufeff")
    meta, fm_lines = front_matter(text)
    lines = split_lines(text)
    # blank out front matter so markdown-it keeps every other line where it is
    body = "\n" * fm_lines + "".join(lines[fm_lines:])
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(body)
    builder = _Builder(file)
    builder.walk(tokens)
    title = meta.get("title") if isinstance(meta.get("title"), str) else None
    if not title:
        h1 = next((s for s in builder.sections if s.level == 1), None)
        title = h1.title if h1 else None
    sections = [s for s in builder.sections]
    return Document(file=file, title=title, sections=sections, line_count=len(lines))


def clean_title(text: str) -> str:
    """Heading text without its numbering ("1. Code Quality Gates" → "Code Quality Gates")."""
    stripped = _NUMBERING.sub("", text, count=1).strip()
    return stripped or text.strip()


def _inline_text(content: str) -> str:
    return " ".join(_COMMENT.sub(" ", content).split())


def parse_annotation(body: str, file: str, line: int, what: str = "gonogo") -> dict[str, Any]:
    """The YAML mapping inside an annotation comment, or a one-line ConfigError."""
    text = body.strip()
    try:
        data = yaml.safe_load(text) if text else None
    except (yaml.YAMLError, *CONSTRUCTOR_ERRORS) as exc:
        if isinstance(exc, yaml.YAMLError):
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        else:  # a tagged value its tag cannot hold: `!!timestamp 2020-13-45`
            problem = "a value its YAML tag cannot hold" + constructor_problem(exc)
        raise ConfigError(
            f"invalid {what} annotation: {problem}",
            file=file,
            line=line,
            hint=f"write <!-- {what}: {{type: http, url: https://…, expect: {{status: 200}}}} -->",
        ) from None
    if isinstance(data, str) and what == "gonogo-phase":
        data = {"kind": data}
    if not isinstance(data, dict):
        raise ConfigError(
            f"invalid {what} annotation: expected a mapping like {{type: …}}, got {text[:40]!r}",
            file=file,
            line=line,
        )
    return {str(k): v for k, v in data.items()}


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
        if not match:
            return
        rest = content[match.end():]
        outer = tokens[i].map
        line = (para.map[0] + 1) if para.map else ((outer[0] + 1) if outer else 1)
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
        if lang not in SHELL_LANGS or not tok.map:
            return
        first = tok.map[0] + 2
        commands = commands_of_block(tok.content, first, console=lang in ("console", "shell-session",
                                                                           "shellsession"))
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
                row = []
                row_line = (tok.map[0] + 1) if tok.map else row_line
            elif tok.type == "inline":
                row.append(_inline_text(tok.content))
            elif tok.type == "tr_close":
                if in_head:
                    header = row
                else:
                    rows.append((row_line, row))
            j += 1
        self.current.tables.append(Table(line=line, header=header, rows=rows))
        return j + 1
