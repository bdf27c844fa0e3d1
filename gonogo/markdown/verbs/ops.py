"""Rules for what runs and ships the service: git, docker and compose, terraform, kubectl,
helm, cloud CLIs, systemctl, journalctl, gh, nginx, redis-cli.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gonogo.markdown.verbs.words import (
    Arg,
    Inner,
    Refused,
    Rule,
    _dry_run_only,
    _flags,
    _forbid_flags,
    _leading,
    _positionals,
    _subcommands,
    version_or_help,
)


def _in_order(words: Sequence[Arg], *allowed: Sequence[str]) -> bool:
    return any(list(words[: len(a)]) == list(a) for a in allowed)


def _git(program: str, rest: list[Arg], nested: Inner) -> None:
    _, tail = _leading(rest, frozenset({"-C", "-c", "--git-dir", "--work-tree"}))
    if version_or_help(rest):
        return
    verb = tail[0] if tail else None
    args = tail[1:]
    if verb in ("status", "diff", "log", "show", "rev-parse", "describe", "ls-files", "ls-tree",
                "ls-remote", "blame", "shortlog", "grep", "cat-file", "merge-base", "rev-list",
                "for-each-ref", "show-ref", "whatchanged", "version", "help", "check-ignore",
                "var", "count-objects", "cherry", "range-diff"):
        _forbid_flags(f"git {verb}", args, "--output")
        return
    pos = _positionals(args)
    if verb == "branch" and not _flags(args) - {"-a", "--all", "-r", "--remotes", "-v", "-vv", "--verbose",
                                                "--list", "-l", "--show-current", "--contains",
                                                "--merged", "--no-merged", "--points-at", "--format",
                                                "--sort", "--no-color", "--color"}:
        if not pos or "--list" in args or "-l" in args or _flags(args) & {"--contains", "--merged", "--no-merged",
                                                                         "--points-at"}:
            return
    if verb == "tag" and (not args or _flags(args) & {"-l", "--list", "--contains", "--points-at", "-n"}) \
            and not _flags(args) & {"-d", "--delete", "-a", "-s", "-f", "-m"}:
        return
    if verb == "remote" and (not args or args in (["-v"], ["--verbose"]) or _in_order(args, ["get-url"], ["show"])):
        return
    if verb == "config" and _flags(args) & {"--get", "--get-all", "--list", "-l", "--get-regexp"}:
        return
    if verb == "stash" and _in_order(args, ["list"], ["show"]):
        return
    raise Refused(f"git {verb or ''}".strip())


_DOCKER_VALUES = frozenset({"-H", "--host", "--context", "-c", "--config", "-l", "--log-level"})


_COMPOSE_VALUES = frozenset({"-f", "--file", "-p", "--project-name", "--env-file", "--profile",
                             "--project-directory", "--ansi", "--progress", "--parallel"})


def _no_follow(program: str, rest: list[Arg], nested: Inner) -> None:
    """logs: fine unless it follows (then it never ends — see ``shell.nonterminating``)."""
    _forbid_flags(program, rest, "-f", "--follow")


def _buildx(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["ls"], ["inspect"], ["version"], ["du"]):
        return
    if pos[:1] == ["build"]:
        return _docker_build(f"{program} build", rest, nested)
    raise Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _docker_build(program: str, rest: list[Arg], nested: Inner) -> None:
    """A build writes a local image (read-only in this policy); ``--push`` publishes it."""
    _forbid_flags(program, rest, "--push")
    for i, arg in enumerate(rest):
        if arg is not None and arg.startswith(("--output", "-o")) and arg not in ("-o",) or arg == "-o":
            value = arg.split("=", 1)[1] if arg is not None and "=" in arg else (rest[i + 1] if i + 1 < len(rest) else None)
            if value is None or "registry" in value or "push=true" in value:
                raise Refused(f"{program} --output")


_LISTING: dict[str, Rule | bool] = {"ls": True, "list": True, "inspect": True, "ps": True, "history": True,
                                    "df": True}


_COMPOSE: dict[str, Rule | bool] = {
    "config": True, "convert": True, "ps": True, "images": True, "ls": True, "version": True,
    "top": True, "port": True, "build": _docker_build, "logs": _no_follow, "events": False,
    "pull": False,
}


_DOCKER: dict[str, Rule | bool] = {
    "build": _docker_build, "buildx": _buildx, "images": True, "ps": True, "inspect": True,
    "version": True, "info": True, "history": True, "logs": _no_follow, "top": True, "port": True,
    "search": True, "diff": True, "stats": _dry_run_only,
    "image": _subcommands({"ls": True, "list": True, "inspect": True, "history": True,
                           "build": _docker_build}),
    "container": _subcommands({"ls": True, "list": True, "inspect": True, "logs": _no_follow,
                               "top": True, "port": True, "diff": True}),
    "network": _subcommands(_LISTING), "volume": _subcommands(_LISTING),
    "service": _subcommands({**_LISTING, "logs": _no_follow}),
    "stack": _subcommands({"ls": True, "list": True, "ps": True, "services": True, "config": True}),
    "node": _subcommands(_LISTING), "secret": _subcommands(_LISTING), "config": _subcommands(_LISTING),
    "context": _subcommands({**_LISTING, "show": True}),
    "system": _subcommands({"df": True, "info": True, "events": False}),
    "manifest": _subcommands({"inspect": True}),
    "compose": _subcommands(_COMPOSE, _COMPOSE_VALUES, dry_run=("--dry-run",)),
    "scout": True, "scan": True,
}


def _terraform(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    verb = pos[0] if pos else None
    if verb in ("plan", "validate", "show", "output", "version", "providers", "graph", "console"):
        return
    if verb == "fmt" and _flags(rest) & {"-check", "--check"}:
        return
    if verb == "state" and pos[1:2] in (["list"], ["show"], ["pull"]):
        return
    raise Refused(f"{program} {verb or ''}".strip())


_KUBE_VALUES = frozenset({"-n", "--namespace", "--context", "--kubeconfig", "-l", "--selector", "-o",
                          "--output", "-f", "--filename", "--cluster", "--user", "-c", "--container",
                          "--field-selector", "-s", "--server", "--sort-by", "--tail", "--since"})


def _kubectl(program: str, rest: list[Arg], nested: Inner) -> None:
    if any(a is not None and a.startswith("--dry-run") and a not in ("--dry-run=none", "--dry-run=false")
           for a in rest):
        return
    pos = _positionals(rest, _KUBE_VALUES)
    verb = pos[0] if pos else None
    if verb in ("get", "describe", "diff", "top", "version", "explain", "api-resources", "api-versions",
                "cluster-info", "events", "wait"):
        return
    if verb == "logs":
        return _no_follow(f"{program} logs", rest, nested)
    if verb == "config" and pos[1:2] in (["view"], ["get-contexts"], ["current-context"], ["get-clusters"]):
        return
    if verb == "auth" and pos[1:2] == ["can-i"]:
        return
    if verb == "rollout" and pos[1:2] in (["status"], ["history"]):
        return
    raise Refused(f"{program} {verb or ''}".strip())


def _helm(program: str, rest: list[Arg], nested: Inner) -> None:
    if "--dry-run" in _flags(rest):
        return
    pos = _positionals(rest, _KUBE_VALUES | {"--version", "-f", "--values", "--set"})
    verb = pos[0] if pos else None
    if verb in ("lint", "template", "list", "ls", "status", "history", "get", "show", "version",
                "diff", "search", "env", "verify"):
        return
    if verb in ("dependency", "dep") and pos[1:2] == ["list"]:
        return
    raise Refused(f"{program} {verb or ''}".strip())


def _gcloud_like(*read: str) -> Rule:
    """gcloud/az: a command group path ending in a read verb (``run services describe``)."""

    def rule(program: str, rest: list[Arg], nested: Inner) -> None:
        words: list[Arg] = []
        for arg in rest:
            if arg is None or arg.startswith("-"):
                break
            words.append(arg)
        if version_or_help(rest) or any(w in read for w in words):
            return
        raise Refused(" ".join([program, *[w or "…" for w in words[:3]]]))

    return rule


def _aws(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest, frozenset({"--region", "--profile", "--output", "--query", "--endpoint-url"}))
    op = pos[1] if len(pos) > 1 else None
    if pos[:2] == ["sts", "get-caller-identity"] or pos[:2] == ["s3", "ls"] or version_or_help(rest):
        return
    if op is not None and re.match(r"^(describe|list|get)-", op) and op != "get-secret-value":
        return
    raise Refused(" ".join(["aws", *[p or "…" for p in pos[:2]]]))


def _systemctl(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["status"], ["is-active"], ["is-enabled"], ["is-failed"], ["list-units"], ["show"],
                   ["list-timers"], ["cat"]):
        return
    raise Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _journalctl(program: str, rest: list[Arg], nested: Inner) -> None:
    _forbid_flags(program, rest, "-f", "--follow", "--rotate", "--vacuum-size", "--vacuum-time",
                  "--vacuum-files", "--flush", "--sync", "--relinquish-var")


def _redis(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest, frozenset({"-h", "-p", "-a", "-n", "-u", "--user", "--pass"}))
    if [p.lower() if p else p for p in pos[:1]] in (["ping"], ["info"], ["dbsize"]) or rest == ["--version"]:
        return
    raise Refused(f"redis-cli {pos[0] if pos and pos[0] else ''}".strip())


def _gh(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if len(pos) >= 2 and pos[1] in ("view", "list", "status", "checks", "diff") or pos[:2] == ["auth", "status"]:
        return
    raise Refused(" ".join(["gh", *[p or "…" for p in pos[:2]]]))


def _nginx(program: str, rest: list[Arg], nested: Inner) -> None:
    """``nginx -t``/``-T`` test the configuration; anything else starts or signals a server."""
    if not rest or not all(a in ("-t", "-T", "-q", "-v", "-V", "-c", "-p", "-g") or
                           (i > 0 and rest[i - 1] in ("-c", "-p", "-g")) for i, a in enumerate(rest)):
        raise Refused(program)
    if "-g" in rest:
        raise Refused(f"{program} -g")
