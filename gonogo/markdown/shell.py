"""Shell code blocks → command lines, and the safety rules gonogo applies to them.

One command per line: ``$ `` prompts and comments are stripped, ``\\`` continuations
joined, heredocs kept whole; ``cd DIR`` and ``export NAME=value`` lines set the working
directory and environment of the block's later commands instead of becoming steps.
A trailing ``# gonogo: allow`` comment (or one on the line before) lets a command that
the safety rules would refuse run anyway.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field

_PROMPT = re.compile(r"^\s*\$\s?")
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")
_ALLOW = re.compile(r"gonogo\s*:\s*allow\b", re.I)


@dataclass
class CommandLine:
    """One runnable command from a code block, with the line it starts on."""

    line: int
    text: str
    cwd: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    allowed: bool = False
    #: "sh", or "powershell" for a line of a PowerShell fence (never run as POSIX shell).
    shell: str = "sh"


def escape(text: str) -> str:
    """Keep a shell's ``${VAR}`` for the shell: the config loader would interpolate it."""
    return text.replace("${", "$${")


def split_comment(line: str) -> tuple[str, str]:
    """``code  # comment`` → (code, comment); a ``#`` inside quotes or a word is code."""
    quote: str | None = None
    escaped = False
    for i, ch in enumerate(line):
        if escaped:
            escaped = False
            continue
        if ch == "\\" and quote != "'":
            escaped = True
            continue
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in ("'", '"'):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t;"):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def commands_of_block(content: str, first_line: int, *, console: bool = False) -> list[CommandLine]:
    """The commands of one fenced block whose first content line is ``first_line``."""
    raw = content.split("\n")
    if raw and raw[-1] == "":
        raw.pop()
    prompted = console or any(_PROMPT.match(r) and r.lstrip().startswith("$ ") for r in raw)
    out: list[CommandLine] = []
    cwd: str | None = None
    env: dict[str, str] = {}
    allow_next = False
    i = 0
    while i < len(raw):
        start = i
        text = raw[i]
        i += 1
        if prompted:
            if not _PROMPT.match(text) or not text.lstrip().startswith("$"):
                continue  # program output in a console transcript
            text = _PROMPT.sub("", text, count=1)
        stripped = text.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            allow_next = allow_next or bool(_ALLOW.search(stripped))
            continue
        code, comment = split_comment(text)
        allowed = allow_next or bool(_ALLOW.search(comment))
        allow_next = False
        # line continuations
        while code.endswith("\\") and i < len(raw):
            following = raw[i]
            i += 1
            if prompted:
                following = re.sub(r"^\s*>\s?", "", following)
            more, more_comment = split_comment(following)
            allowed = allowed or bool(_ALLOW.search(more_comment))
            code = code[:-1].rstrip() + " " + more.strip()
        code = code.strip()
        heredoc = _HEREDOC.search(code)
        if heredoc:
            body = []
            while i < len(raw):
                body.append(raw[i])
                i += 1
                if raw[i - 1].strip() == heredoc.group(2):
                    break
            code = "\n".join([code, *body])
        if not code:
            continue
        directory = _cd_target(code)
        if directory is not None:
            cwd = _join(cwd, directory)
            continue
        exported = _export(code)
        if exported is not None:
            env = {**env, **exported}
            continue
        out.append(CommandLine(line=first_line + start, text=code, cwd=cwd, env=dict(env),
                               allowed=allowed))
    return out


def _words(code: str) -> list[str] | None:
    try:
        return shlex.split(code)
    except ValueError:
        return None


def _cd_target(code: str) -> str | None:
    if "cd" not in code:  # no need to tokenise (shlex is slow, and this runs per line)
        return None
    words = _words(code)
    if not words or words[0] != "cd" or len(words) > 2:
        return None
    if any(op in code for op in ("&&", "||", ";", "|")):
        return None
    return words[1] if len(words) == 2 else "~"


def _export(code: str) -> dict[str, str] | None:
    if "export" not in code:
        return None
    words = _words(code)
    if not words or words[0] != "export" or len(words) < 2:
        return None
    if any(op in code for op in ("&&", "||", ";", "|", "$(", "`")):
        return None
    found: dict[str, str] = {}
    for word in words[1:]:
        name, eq, value = word.partition("=")
        if not eq or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            return None
        found[name] = value
    return found


def _join(cwd: str | None, directory: str) -> str | None:
    if directory in ("~", "-") or directory.startswith("~"):
        return directory if directory != "-" else cwd
    if directory.startswith("/"):
        return posixpath.normpath(directory)
    joined = posixpath.normpath(posixpath.join(cwd or ".", directory))
    return None if joined == "." else joined


# ---- safety ---------------------------------------------------------------------------

_NONTERMINATING: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\btail\b[^|;&]*\s(-[a-zA-Z]*[fF][a-zA-Z]*|--follow\b)"), "tail -f"),
    (re.compile(r"\b(docker|podman|kubectl|oc)\b[^|;&]*\blogs\b[^|;&]*\s(-f|--follow)\b"), "logs -f"),
    (re.compile(r"\bjournalctl\b[^|;&]*\s(-f|--follow)\b"), "journalctl -f"),
    (re.compile(r"(^|[;&|]\s*)watch\s"), "watch"),
    (re.compile(r"\bkubectl\b[^|;&]*\bport-forward\b"), "kubectl port-forward"),
    (re.compile(r"\b(npm|pnpm|yarn)\s+(run\s+)?(dev|start|serve)\b"), "a dev server"),
    (re.compile(r"(^|[;&|]\s*)(top|htop)\s*$"), "top"),
    (re.compile(r"(^|[;&|]\s*)ping\s(?![^|;&]*\s-c\s)"), "ping without -c"),
)
_COMPOSE_UP = re.compile(r"\b(docker-compose|docker\s+compose|podman-compose)\b(?P<rest>[^|;&]*)\bup\b(?P<after>[^|;&]*)")

_DESTRUCTIVE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\brm\s+(-[a-zA-Z]*[rR][a-zA-Z]*\s+-?[a-zA-Z]*f|-[a-zA-Z]*f[a-zA-Z]*\s+-[a-zA-Z]*[rR]|-[a-zA-Z]*(rf|fr)[a-zA-Z]*|--recursive)"), "rm -rf"),
    (re.compile(r"\bDROP\s+(TABLE|DATABASE|SCHEMA|INDEX|VIEW|USER|ROLE)\b", re.I), "DROP"),
    (re.compile(r"\bTRUNCATE\b", re.I), "TRUNCATE"),
    (re.compile(r"\bDELETE\s+FROM\b", re.I), "DELETE FROM"),
    (re.compile(r"\bdropdb\b"), "dropdb"),
    (re.compile(r"\bpg_restore\b"), "pg_restore"),
    (re.compile(r"\bdocker\s+service\s+(update|rm|remove|scale|rollback)\b"), "docker service update"),
    (re.compile(r"\bdocker\s+stack\s+(deploy|rm)\b"), "docker stack deploy"),
    (re.compile(r"\bdocker\s+(system|volume|image|container)\s+prune\b"), "docker prune"),
    (re.compile(r"\bkubectl\s+(delete|apply|replace|rollout\s+undo|scale|drain)\b"), "kubectl change"),
    (re.compile(r"\bhelm\s+(install|upgrade|uninstall|delete|rollback)\b"), "helm change"),
    (re.compile(r"\bterraform\s+(apply|destroy)\b"), "terraform apply"),
    (re.compile(r"\bgit\s+push\b[^|;&]*\s(-f|--force)\b"), "git push --force"),
    (re.compile(r"\bgit\s+reset\s+--hard\b"), "git reset --hard"),
    (re.compile(r"\b(mkfs|fdisk|shutdown|reboot)\b"), "system change"),
    (re.compile(r"\bdd\b[^|;&]*\bof="), "dd"),
    (re.compile(r"\bprisma\s+migrate\s+(reset|deploy)\b|\bprisma\s+db\s+push\b"), "schema change"),
)


def nonterminating(code: str) -> str | None:
    """Why ``code`` would not end by itself (``docker-compose up without -d``), if it would not."""
    up = _COMPOSE_UP.search(code)
    if up and not re.search(r"(^|\s)(-d|--detach|-[a-zA-Z]*d[a-zA-Z]*)\b", up.group("after")) \
            and "--abort-on-container-exit" not in up.group("after") \
            and "--exit-code-from" not in up.group("after"):
        return f"{up.group(1)} up without -d"
    for pattern, what in _NONTERMINATING:
        if pattern.search(code):
            return what
    return None


def destructive(code: str) -> str | None:
    """What makes ``code`` change or destroy something (``rm -rf``, ``DROP``…), if anything."""
    for pattern, what in _DESTRUCTIVE:
        if pattern.search(code):
            return what
    return None
