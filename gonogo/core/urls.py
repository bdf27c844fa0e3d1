"""URLs as a config gives them, checked when the config loads rather than when a check
first sends a request: a scheme this check speaks, ``//`` and a host, a valid port.

Hand-written on top of :func:`urllib.parse.urlsplit` because the libraries at hand are
too forgiving to catch typos: httpx accepts ``http//x`` (no scheme) and ``http://`` (no
host), and the WHATWG parser pydantic uses turns ``http:/x`` into ``http://x/``.

A ``${NAME}`` still in the text (filled in at run time: a value captured by an earlier
``http.flow`` step, or a ``${version}``) stands for a plain word; text that begins with
one cannot be judged before it is filled in.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

HTTP_SCHEMES = ("http", "https")
POSTGRES_SCHEMES = ("postgres", "postgresql")

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_HOST = re.compile(r"^[\w.~%!$&'()*+,;=-]+$")


class UrlError(ValueError):
    """Not a usable URL; the message says what was expected and what is wrong."""


def check_url(text: str, schemes: tuple[str, ...] = HTTP_SCHEMES, *, host_required: bool = True,
              secret: bool = False) -> str:
    """``text`` unchanged when it is a URL of one of ``schemes`` (any, when empty); UrlError
    naming the problem.
    A ``secret`` URL (a webhook, a database URL) is never quoted back: only what is wrong."""
    if text.startswith("${"):
        return text  # its scheme and host come from a value filled in later
    probe = _PLACEHOLDER.sub("1", text)
    problem = _problem(probe, schemes, host_required)
    if problem is None:
        return text
    if schemes:
        wanted = " or ".join(f"{s}://" for s in schemes) + " URL"
        wanted = ("an " if wanted[0] in "aehiou" else "a ") + wanted
    else:
        wanted = "a URL like json://host/path"
    shown = f"a value that {problem}" if secret else f"{text!r} ({problem})"
    raise UrlError(f"expected {wanted}, got {shown}")


def _problem(text: str, schemes: tuple[str, ...], host_required: bool) -> str | None:
    if text != text.strip() or any(c.isspace() or ord(c) < 32 for c in text):
        return "has spaces or control characters"
    scheme = _SCHEME.match(text)
    if scheme is None:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d+(/|$))", text):  # not host:port
            return "has no // after the scheme"
        return "has no scheme://"
    if schemes and scheme.group(1).lower() not in schemes:
        return f"has scheme {scheme.group(1)!r}"
    if not host_required and not text[scheme.end():]:
        return "has nothing after the scheme"
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # an unbalanced [ or a bracketed host that is no address
        return "has an unclosed [ in its host" if "Invalid IPv6" in str(exc) else \
            "has an invalid IPv6 address"
    try:
        port = parts.port
    except ValueError as exc:
        return "has a port out of range 0-65535" if "range" in str(exc) else "has an invalid port"
    host = parts.hostname or ""
    if not host:
        return "has no host" if host_required else None
    if port == 0:
        return "has port 0"
    hostport = parts.netloc.rsplit("@", 1)[-1]
    if hostport.startswith("["):
        if not re.match(r"^\[[^\]]*\](:\d*)?$", hostport):
            return "has text after its [IPv6 address]"
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return f"has an invalid IPv6 address {host!r}"
    elif not _HOST.match(host) or host.strip(".") == "":
        return f"has an invalid host {host!r}"
    return None


def mask(text: str) -> str:
    """``text`` with the password of every URL's user info hidden, except where the
    redactor already named the secret it replaced."""
    return _USERINFO.sub(r"\1:***@", text)


_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^/@:\s'\"]*):(?!\[REDACTED)[^/@\s'\"]+@")
