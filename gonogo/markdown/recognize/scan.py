"""The document scanned once: the URLs of its ``curl``/``wget``/``http`` lines, indexed so
that each item's lookup costs about the same however long the document is, and the
migration tool its commands use.

Before this, URL recognition rescanned every command of the document for every item, so
`explain` grew with items × commands (a 220 KB document took two minutes)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from gonogo.markdown.parse import Document, Section
from gonogo.markdown.shell import CommandLine

URL = re.compile(r"https?://[^\s'\"`|>)]+")
_FETCHER = re.compile(r"\b(curl|wget|http|httpie)\b")
_TOOLS = (("prisma", "prisma"), ("alembic", "alembic"), ("manage.py", "django"), ("django", "django"),
          ("flyway", "flyway"))


def split_url(url: str) -> tuple[str, str, str, str]:
    """(scheme, host, path, query) of a URL; a malformed one is all path."""
    try:
        parts = urlsplit(url)
        return parts.scheme, parts.hostname or "", parts.path, parts.query
    except ValueError:
        return "", "", url, ""


def is_api(url: str) -> bool:
    _, host, path, _ = split_url(url)
    return host.startswith("api.") or "/api" in path


@dataclass
class Curl:
    """A URL fetched by a command of the document."""

    url: str
    command: CommandLine
    section: Section
    order: int
    api: bool
    #: The URL's path without a trailing ``/`` (split once, looked up per item).
    path: str = ""


class UrlIndex:
    """Curls (in document order) by every ``/``-suffix of their path, with the first API
    and first non-API one per suffix, and sorted by URL for prefix look-ups."""

    def __init__(self, curls: list[Curl]) -> None:
        self.curls = curls
        self._by_suffix: dict[str, list[Curl]] = {}
        for curl in curls:
            path = curl.path
            keys = {""} | {path[i:] for i, char in enumerate(path) if char == "/"}
            for key in keys:
                self._by_suffix.setdefault(key, []).append(curl)
        self._first: dict[tuple[str, bool | None], Curl | None] = {}
        self._sorted = sorted(curls, key=lambda c: (c.url, c.order))
        self._urls = [c.url for c in self._sorted]

    def first(self, *, api: bool | None = None, path: str = "") -> Curl | None:
        """The first curl whose path ends with ``path`` and whose API-ness is ``api`` (any if None)."""
        key = (path, api)
        if key not in self._first:
            found = self._by_suffix.get(path, [])
            self._first[key] = next((c for c in found if api is None or c.api == api), None)
        return self._first[key]

    def starting(self, prefix: str, *, api: bool | None, path: str | None) -> Curl | None:
        """The first curl whose URL starts with ``prefix`` (and matches ``api``/``path``)."""
        lo = bisect.bisect_left(self._urls, prefix)
        best: Curl | None = None
        for curl in self._sorted[lo:]:
            if not curl.url.startswith(prefix):
                break
            if api is not None and curl.api != api:
                continue
            if path is not None and not curl.path.endswith(path):
                continue
            if best is None or curl.order < best.order:
                best = curl
        return best

    def pick(self, *, literal: str | None, path: str | None, api: bool | None) -> Curl | None:
        key = path.rstrip("/") if path is not None else None
        if literal:
            return self.starting(literal, api=api, path=key)
        return self.first(api=api, path=key or "")


class DocumentScan:
    """One pass over a document's commands."""

    def __init__(self, doc: Document) -> None:
        curls: list[Curl] = []
        self.migration_tool: tuple[str | None, str | None] = (None, None)
        found_tool = False
        for section in doc.sections:
            for command in section.commands:
                if not found_tool:
                    tool = _tool_of(command)
                    if tool is not None:
                        self.migration_tool, found_tool = tool, True
                if _FETCHER.search(command.text):
                    match = URL.search(command.text)
                    if match:
                        url = match.group(0).rstrip(".,;")
                        _, host, path, _ = split_url(url)
                        api = host.startswith("api.") or "/api" in path
                        curls.append(Curl(url, command, section, len(curls), api, path.rstrip("/")))
        self.urls = UrlIndex(curls)
        self._by_section: dict[int, list[Curl]] = {}
        for curl in curls:
            self._by_section.setdefault(id(curl.section), []).append(curl)
        self._section_index: dict[int, UrlIndex] = {}

    def section_urls(self, section: Section) -> UrlIndex:
        """The curls of one section, indexed like the document's."""
        key = id(section)
        if key not in self._section_index:
            self._section_index[key] = UrlIndex(self._by_section.get(key, []))
        return self._section_index[key]


def _tool_of(command: CommandLine) -> tuple[str | None, str | None] | None:
    for needle, tool in _TOOLS:
        if needle in command.text:
            directory = None
            if tool == "prisma":
                directory = f"{command.cwd}/prisma/migrations" if command.cwd else None
            return tool, directory
    return None
