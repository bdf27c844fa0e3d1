"""Rules for network clients and text tools: curl, wget, httpie, openssl, sed, awk, find, tee,
sort, uniq, tar, yq — read-only unless they send data or write a file.
"""

from __future__ import annotations

import re

from gonogo.markdown.verbs.words import (
    HARMLESS_TARGETS,
    Arg,
    Inner,
    Refused,
    _flags,
    _forbid_flags,
    _positionals,
)

#: curl short options that take a value.
_CURL_VALUES = set("bcdDeEFHKmoPQrtTuUwxXyYzA")


def _curl(program: str, rest: list[Arg], nested: Inner) -> None:
    """curl reads unless told to send (``-X POST``, ``-d``, ``-F``, ``-T``) or to write a
    file (``-o FILE``, ``-O``, ``-c JAR``, ``-D FILE``, ``--trace FILE``)."""
    options: list[tuple[str, Arg]] = []
    i = 0
    while i < len(rest):
        arg = rest[i]
        i += 1
        if arg is None or not arg.startswith("-") or arg == "-":
            continue
        if arg.startswith("--"):
            name, eq, written = arg.partition("=")
            takes = name in _CURL_LONG_VALUES
            value: Arg = written
            if takes and not eq:
                value = rest[i] if i < len(rest) else None
                i += 1
            options.append((name, value if takes else None))
            continue
        for j, letter in enumerate(arg[1:], 1):
            if letter in _CURL_VALUES:
                value = arg[j + 1:] or (rest[i] if i < len(rest) else None)  # -ofile or -o file
                if not arg[j + 1:]:
                    i += 1
                options.append(("-" + letter, value))
                break
            options.append(("-" + letter, None))
    names = {n for n, _ in options}
    get = bool(names & {"-G", "--get"})
    for name, value in options:
        if name in ("-X", "--request") and (value or "").upper() not in ("GET", "HEAD", "OPTIONS"):
            raise Refused(f"curl {name} {value or '…'}")
        if name in _CURL_SENDS and not (get and name in ("-d", "--data", "--data-urlencode")):
            raise Refused(f"curl {name}")
        if name in _CURL_WRITES and value not in HARMLESS_TARGETS:
            raise Refused(f"curl {name} {value or '…'}")
        if name in ("-O", "--remote-name", "--remote-name-all", "-J", "--remote-header-name"):
            raise Refused(f"curl {name}")


_CURL_LONG_VALUES = frozenset({
    "--request", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii", "--json",
    "--form", "--form-string", "--upload-file", "--output", "--cookie-jar", "--dump-header", "--trace",
    "--trace-ascii", "--stderr", "--header", "--user", "--user-agent", "--cookie", "--max-time",
    "--connect-timeout", "--retry", "--retry-delay", "--retry-max-time", "--write-out", "--proxy",
    "--resolve", "--cacert", "--cert", "--key", "--referer", "--config", "--output-dir", "--url",
    "--connect-to", "--range", "--limit-rate", "--interface", "--oauth2-bearer", "--aws-sigv4",
    "--variable", "--expand-data", "--etag-save", "--hsts", "--alt-svc", "--libcurl",
})


_CURL_SENDS = frozenset({"-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii",
                         "--json", "-F", "--form", "--form-string", "-T", "--upload-file", "-K", "--config"})


_CURL_WRITES = frozenset({"-o", "--output", "-c", "--cookie-jar", "-D", "--dump-header", "--trace",
                          "--trace-ascii", "--stderr", "--libcurl", "--etag-save", "--hsts", "--alt-svc",
                          "--output-dir"})


def _wget(program: str, rest: list[Arg], nested: Inner) -> None:
    flags = _flags(rest)
    if "--spider" in flags:
        return
    for i, arg in enumerate(rest):
        if arg in ("-O", "--output-document") and i + 1 < len(rest) and rest[i + 1] == "-":
            return
        if arg in ("-qO-", "-O-", "--output-document=-", "-qO", ) and (arg != "-qO" or rest[i + 1:i + 2] == ["-"]):
            return
    raise Refused(program)


def _httpie(program: str, rest: list[Arg], nested: Inner) -> None:
    _forbid_flags(program, rest, "--download", "-d", "--output", "-o", "--form", "-f")
    pos = _positionals(rest, frozenset({"-a", "--auth", "--verify", "--timeout", "--print", "-p"}))
    if pos and pos[0] is not None and pos[0].isupper():
        if pos[0] not in ("GET", "HEAD", "OPTIONS"):
            raise Refused(f"{program} {pos[0]}")
        pos = pos[1:]
    for item in pos[1:]:
        if item is None or re.search(r"(?<![=:])(=|:=|@)(?!=)", item):
            raise Refused(f"{program} (request data {item or '…'})")


def _sed(program: str, rest: list[Arg], nested: Inner) -> None:
    """sed edits only with ``-i``; a script's ``w FILE`` writes and ``e`` executes."""
    for arg in rest:
        if arg is None:
            continue
        if arg.startswith("--in-place") or re.fullmatch(r"-[a-zA-Z]*i.*", arg) and not arg.startswith("--"):
            raise Refused("sed -i")
    scripts = [a for a in _positionals(rest, frozenset({"-e", "-f"}))[:1]]
    scripts += [rest[i + 1] for i, a in enumerate(rest[:-1]) if a == "-e"]
    for script in scripts:
        if script is None or re.search(r"(^|[;{}\n]|\s)\s*[wWe](\s|$)|/[gpIiM0-9]*[we](\s|;|$)", script):
            raise Refused("sed (a script that writes or runs)")


def _awk(program: str, rest: list[Arg], nested: Inner) -> None:
    """awk's ``print > FILE`` writes and ``system()`` runs commands."""
    script = next((a for a in _positionals(rest, frozenset({"-F", "-v", "-f"}))), None)
    if "-f" in rest or script is None or re.search(r"system\s*\(|print[f]?[^;}]*>|\|\s*\"|\"\s*\|&?|getline", script):
        raise Refused(f"{program} (a script that writes or runs)")


def _find(program: str, rest: list[Arg], nested: Inner) -> None:
    for arg in rest:
        if arg in ("-delete", "-exec", "-execdir", "-ok", "-okdir", "-fprint", "-fprint0", "-fprintf", "-fls"):
            raise Refused(f"find {arg}")


def _tee(program: str, rest: list[Arg], nested: Inner) -> None:
    for arg in _positionals(rest):
        if arg not in HARMLESS_TARGETS:
            raise Refused(f"tee {arg or '…'}")


def _sort(program: str, rest: list[Arg], nested: Inner) -> None:
    _forbid_flags(program, rest, "-o", "--output")


def _tar(program: str, rest: list[Arg], nested: Inner) -> None:
    first = rest[0] if rest else None
    if first is not None and (first in ("-t", "--list", "-tf", "-tzf", "-tvf", "-tvzf")
                              or re.fullmatch(r"-?[tvzjJf]*t[tvzjJf]*", first)):
        return
    raise Refused(program)


def _openssl(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["s_client"], ["version"], ["verify"], ["ciphers"]):
        return
    if pos[:1] in (["x509"], ["req"], ["rsa"], ["pkey"]) and "-out" not in rest and "-noout" in rest:
        return
    raise Refused(f"openssl {pos[0] if pos and pos[0] else ''}".strip())


def _uniq(program: str, rest: list[Arg], nested: Inner) -> None:
    if len(_positionals(rest, frozenset({"-f", "-s", "-w"}))) > 1:  # uniq IN OUT writes OUT
        raise Refused("uniq (an output file)")


def _yq(program: str, rest: list[Arg], nested: Inner) -> None:
    _forbid_flags(program, rest, "-i", "--inplace")
