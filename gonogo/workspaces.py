"""JS/TS workspaces: which packages a pnpm / npm / yarn monorepo has, and where they live.

Read from ``pnpm-workspace.yaml`` (``packages:``) or the root ``package.json``
(``workspaces:``, a list or yarn's ``{packages: [...]}``), so a check can say
``packages: [api, web]`` and ``pnpm --filter api build`` maps to ``apps/api``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from gonogo.core.errors import CheckError, GonogoError

Manager = Literal["pnpm", "npm", "yarn"]
SKIP_DIRS = frozenset({"node_modules", ".git", "dist", "build", ".next", ".turbo"})
ESLINT_CONFIGS = tuple(
    f"eslint.config.{ext}" for ext in ("js", "mjs", "cjs", "ts", "mts", "cts")
) + (".eslintrc.js", ".eslintrc.cjs", ".eslintrc.json", ".eslintrc.yml", ".eslintrc.yaml", ".eslintrc")


class WorkspaceError(GonogoError):
    """The workspace's manifest is missing or unreadable, or a package name is unknown."""


@dataclass(frozen=True)
class Package:
    """One workspace package: its ``package.json`` name and directory."""

    name: str
    path: Path
    rel: str
    scripts: dict[str, str] = field(default_factory=dict)

    @property
    def has_tsconfig(self) -> bool:
        return (self.path / "tsconfig.json").is_file()

    @property
    def has_eslint_config(self) -> bool:
        return any((self.path / name).is_file() for name in ESLINT_CONFIGS)


@dataclass(frozen=True)
class Workspace:
    root: Path
    manager: Manager
    packages: tuple[Package, ...]
    patterns: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.packages]

    @property
    def has_eslint_config(self) -> bool:
        return any((self.root / name).is_file() for name in ESLINT_CONFIGS)

    def find(self, selector: str) -> Package | None:
        """A package by name, scopeless name (``api`` for ``@team/api``) or directory."""
        for pkg in self.packages:
            if pkg.name == selector:
                return pkg
        path = selector.strip("{}").removeprefix("./").rstrip("/")
        for pkg in self.packages:
            if pkg.rel == path:
                return pkg
        for hits in (
            [p for p in self.packages if p.name.rsplit("/", 1)[-1] == selector],
            [p for p in self.packages if p.path.name == selector],
        ):
            if len(hits) == 1:
                return hits[0]
        return None

    def select(self, selectors: list[str]) -> list[Package]:
        """The named packages, in the order given; an unknown name is a WorkspaceError."""
        chosen: list[Package] = []
        for selector in selectors:
            pkg = self.find(selector)
            if pkg is None:
                known = ", ".join(self.names) or "none"
                raise WorkspaceError(
                    f"unknown package {selector!r} in the workspace at {self.root} "
                    f"(packages: {known})"
                )
            if pkg not in chosen:
                chosen.append(pkg)
        return chosen


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise WorkspaceError(f"{path}: not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise WorkspaceError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise WorkspaceError(f"{path}: expected a JSON object")
    return data


def workspace_patterns(root: Path) -> tuple[Manager, list[str]]:
    """The package manager and the package globs the root declares (none: a single package)."""
    pnpm_file = root / "pnpm-workspace.yaml"
    if pnpm_file.is_file():
        try:
            data = yaml.safe_load(pnpm_file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise WorkspaceError(f"{pnpm_file}: invalid YAML: {exc}".splitlines()[0]) from None
        patterns = data.get("packages", []) if isinstance(data, dict) else []
        return "pnpm", [str(p) for p in patterns or []]
    manifest = read_json(root / "package.json")
    declared = manifest.get("workspaces", [])
    if isinstance(declared, dict):  # yarn: {packages: [...], nohoist: [...]}
        declared = declared.get("packages", [])
    manager: Manager = "yarn" if (root / "yarn.lock").is_file() else "npm"
    if (root / "pnpm-lock.yaml").is_file():
        manager = "pnpm"
    return manager, [str(p) for p in declared or [] if isinstance(p, str)]


def discover(root: Path) -> Workspace:
    """Read the workspace at ``root``; a root without workspaces is one package."""
    root = root.resolve()
    if not (root / "package.json").is_file() and not (root / "pnpm-workspace.yaml").is_file():
        raise WorkspaceError(f"no package.json or pnpm-workspace.yaml in {root}")
    manager, patterns = workspace_patterns(root)
    include = [p for p in patterns if not p.startswith("!")]
    exclude = [_glob_regex(p[1:].removeprefix("./")) for p in patterns if p.startswith("!")]
    dirs: dict[str, Path] = {}
    for pattern in include:
        for found in sorted(root.glob(pattern.removeprefix("./").rstrip("/"))):
            rel = found.relative_to(root).as_posix()
            if (
                found.is_dir()
                and (found / "package.json").is_file()
                and not SKIP_DIRS.intersection(found.relative_to(root).parts)
                and not any(rx.match(rel) for rx in exclude)
            ):
                dirs.setdefault(rel, found)
    if not patterns:
        dirs = {".": root}
    packages = []
    for rel, path in sorted(dirs.items()):
        manifest = read_json(path / "package.json")
        name = manifest.get("name")
        scripts = manifest.get("scripts") or {}
        packages.append(
            Package(
                name=str(name) if isinstance(name, str) and name else path.name,
                path=path,
                rel=rel,
                scripts={str(k): str(v) for k, v in scripts.items()} if isinstance(scripts, dict) else {},
            )
        )
    return Workspace(root=root, manager=manager, packages=tuple(packages), patterns=tuple(patterns))


_FILTER_FLAGS = {"--filter", "-F"}
_NPM_FLAGS = {"--workspace", "-w"}


def command_package(command: str) -> tuple[str, str] | None:
    """``(package, script)`` for ``pnpm --filter api build``, ``npm -w api run build`` or
    ``yarn workspace api build``; None for anything else."""
    try:
        argv = shlex.split(command)
    except ValueError:
        return None
    if not argv:
        return None
    tool, rest = Path(argv[0]).name, argv[1:]
    package: str | None = None
    words: list[str] = []
    if tool == "yarn" and len(rest) >= 2 and rest[0] == "workspace":
        package, words = rest[1], rest[2:]
    elif tool in ("pnpm", "npm"):
        flags = _FILTER_FLAGS if tool == "pnpm" else _NPM_FLAGS
        i = 0
        while i < len(rest):
            arg = rest[i]
            if arg in flags and i + 1 < len(rest):
                package = rest[i + 1]
                i += 2
                continue
            for flag in flags:
                if arg.startswith(flag + "="):
                    package = arg.split("=", 1)[1]
            if not arg.startswith("-"):
                words.append(arg)
            i += 1
    if package is None:
        return None
    if words and words[0] == "run":
        words = words[1:]
    return package, (words[0] if words else "")


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A path glob (``*`` within a segment, ``**`` across segments) as a regex."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


def glob_match(path: str, pattern: str) -> bool:
    """True when a ``/``-separated relative path matches a glob like ``apps/**/*.d.ts``;
    a pattern without ``/`` matches the file name at any depth (like .gitignore)."""
    if "/" not in pattern.rstrip("/"):
        pattern = "**/" + pattern
    return _glob_regex(pattern.removeprefix("./")).match(path) is not None


def node_tool(name: str, start: Path, root: Path, path_env: str | None) -> list[str] | None:
    """How to run a Node CLI (``eslint``, ``tsc``): the nearest ``node_modules/.bin/NAME``
    from ``start`` up to ``root``, else NAME on PATH, else ``npx --no-install NAME``."""
    here = start.resolve()
    top = root.resolve()
    while True:
        candidate = here / "node_modules" / ".bin" / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return [str(candidate)]
        if here == top or here.parent == here or top not in here.parents:
            break
        here = here.parent
    found = shutil.which(name, path=path_env)
    if found:
        return [found]
    npx = shutil.which("npx", path=path_env)
    if npx:
        return [npx, "--no-install", name]
    return None


# ---- running a Node tool in each package (lint, typecheck) ----------------------------


@dataclass
class ToolRun:
    """One tool run in one package."""

    package: Package
    argv: list[str]
    exit_code: int | None
    stdout: str
    stderr: str
    via_npx: bool


def workspace_at(ctx_root: Path) -> Workspace:
    """The workspace at a directory, with problems as CheckError (the check can't be evaluated)."""
    try:
        return discover(ctx_root)
    except WorkspaceError as exc:
        raise CheckError(str(exc)) from None


def pick_packages(
    ws: Workspace, selectors: list[str], default: Callable[[Package], bool], what: str
) -> list[Package]:
    if selectors:
        try:
            return ws.select(selectors)
        except WorkspaceError as exc:
            raise CheckError(str(exc)) from None
    chosen = [p for p in ws.packages if default(p)]
    if not chosen:
        raise CheckError(f"no package in the workspace at {ws.root} has {what}")
    return chosen


async def run_tool_per_package(
    tool: str,
    args: list[str],
    packages: list[Package],
    ws: Workspace,
    env: Mapping[str, str],
    jobs: int,
) -> list[ToolRun]:
    """Run ``tool ARGS`` in every package, at most ``jobs`` at once, in the given order."""
    from gonogo.targets.local import run_process

    semaphore = asyncio.Semaphore(jobs)
    path_env = env.get("PATH", os.environ.get("PATH", os.defpath))

    async def one(pkg: Package) -> ToolRun:
        prefix = node_tool(tool, pkg.path, ws.root, path_env)
        if prefix is None:
            raise CheckError(
                f"{tool} not found: run {ws.manager} install "
                f"(looked in node_modules/.bin of {pkg.rel} and {ws.root}, then PATH and npx)"
            )
        argv = [*prefix, *args]
        async with semaphore:
            try:
                result = await run_process(argv, cwd=pkg.path, env={**env, "PATH": path_env})
            except (FileNotFoundError, PermissionError) as exc:
                raise CheckError(f"{tool} could not be started: {exc}") from None
        return ToolRun(pkg, argv, result.exit_code, result.stdout, result.stderr,
                       via_npx=prefix[-2:] == ["--no-install", tool])

    return list(await asyncio.gather(*(one(p) for p in packages)))


def last_line(run: ToolRun) -> str:
    for text in (run.stderr, run.stdout):
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        if lines:
            return lines[-1][:200]
    return "(no output)"


def rel_to_root(file: str, pkg: Package, ws: Workspace) -> str:
    """A tool's file path (absolute, or relative to the package) relative to the workspace root."""
    path = Path(file)
    if not path.is_absolute():
        path = pkg.path / path
    try:
        return path.resolve().relative_to(ws.root).as_posix()
    except ValueError:
        return path.as_posix()
