"""What ``gonogo init`` looks for in a repository: one small function per kind of thing.

Every detector reads files only (no tools run, nothing written) and returns ``None`` or
an empty list when the thing is absent; a file it cannot parse is treated as absent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gonogo.workspaces import SKIP_DIRS, Workspace, WorkspaceError, discover

MAX_DEPTH = 4


@dataclass(frozen=True)
class PrismaSchema:
    schema: str  # repository-relative
    package_dir: str  # where `npx prisma …` runs
    migrations_dir: str | None
    migrations: int
    url_env: str | None  # `url = env("DATABASE_URL")`


@dataclass(frozen=True)
class ComposeService:
    name: str
    image: str | None
    builds: bool
    dockerfile: str | None
    ports: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComposeFile:
    path: str
    services: tuple[ComposeService, ...]


@dataclass(frozen=True)
class NginxConfig:
    path: str
    server_names: tuple[str, ...]


@dataclass(frozen=True)
class EnvVar:
    name: str
    example: str
    comment: str | None = None


@dataclass(frozen=True)
class EnvExample:
    path: str
    variables: tuple[EnvVar, ...]


@dataclass
class Findings:
    """Everything ``gonogo init`` found, repository-relative."""

    root: Path
    name: str
    workspace: Workspace | None = None
    lockfile: str | None = None
    prisma: list[PrismaSchema] = field(default_factory=list)
    compose: list[ComposeFile] = field(default_factory=list)
    dockerfiles: list[str] = field(default_factory=list)
    nginx: list[NginxConfig] = field(default_factory=list)
    env_example: EnvExample | None = None
    checklist: str | None = None

    @property
    def domain(self) -> str | None:
        """The production domain, guessed from nginx ``server_name`` (``api.x.com`` → ``x.com``)."""
        names = [n for c in self.nginx for n in c.server_names if _is_domain(n)]
        bare = [n.removeprefix("www.") for n in names if n.count(".") == 1 or n.startswith("www.")]
        if bare:
            return bare[0]
        if names:
            return names[0].split(".", 1)[1] if names[0].count(".") > 1 else names[0]
        return None

    def summary(self) -> list[str]:
        lines = []
        if self.workspace is not None:
            pkgs = ", ".join(f"{p.name} ({p.rel})" for p in self.workspace.packages)
            lines.append(f"{self.workspace.manager} workspace: {pkgs}")
        for p in self.prisma:
            lines.append(f"Prisma schema {p.schema} ({_count(p.migrations, 'migration')})")
        for c in self.compose:
            lines.append(f"compose file {c.path}: services " + ", ".join(s.name for s in c.services))
        if self.dockerfiles:
            lines.append("Dockerfiles: " + ", ".join(self.dockerfiles))
        for n in self.nginx:
            lines.append(f"nginx config {n.path}" + (
                f": server_name {' '.join(n.server_names)}" if n.server_names else ""))
        if self.env_example is not None:
            lines.append(f"{self.env_example.path}: {len(self.env_example.variables)} variables")
        if self.checklist:
            lines.append(f"Markdown checklist {self.checklist}")
        return lines


def scan(root: Path) -> Findings:
    root = root.resolve()
    files = sorted(walk(root))
    return Findings(
        root=root,
        name=detect_name(root),
        workspace=detect_workspace(root),
        lockfile=detect_lockfile(root),
        prisma=detect_prisma(root, files),
        compose=detect_compose(root, files),
        dockerfiles=detect_dockerfiles(files),
        nginx=detect_nginx(root, files),
        env_example=detect_env_example(root),
        checklist=detect_checklist(root, files),
    )


def walk(root: Path, depth: int = MAX_DEPTH) -> Iterator[str]:
    """Repository-relative paths of files, skipping dependency and build folders."""
    try:
        entries = sorted(root.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.is_symlink():
            continue
        if entry.is_dir():
            if depth > 0 and entry.name not in SKIP_DIRS and not entry.name.startswith("."):
                for rel in walk(entry, depth - 1):
                    yield f"{entry.name}/{rel}"
        elif entry.is_file():
            yield entry.name


def detect_name(root: Path) -> str:
    try:
        data = json.loads((root / "package.json").read_text(encoding="utf-8"))
        name = data.get("name") if isinstance(data, dict) else None
        if isinstance(name, str) and name:
            return name.rsplit("/", 1)[-1]
    except (OSError, ValueError):
        pass
    return root.name


def detect_workspace(root: Path) -> Workspace | None:
    if not (root / "package.json").is_file() and not (root / "pnpm-workspace.yaml").is_file():
        return None
    try:
        return discover(root)
    except WorkspaceError:
        return None


def detect_lockfile(root: Path) -> str | None:
    for name in ("pnpm-lock.yaml", "package-lock.json", "yarn.lock"):
        if (root / name).is_file():
            return name
    return None


_PRISMA_URL = re.compile(r'url\s*=\s*env\(\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\)')


def detect_prisma(root: Path, files: list[str]) -> list[PrismaSchema]:
    found = []
    for rel in files:
        if not rel.endswith("schema.prisma"):
            continue
        schema_dir = (root / rel).parent
        migrations = schema_dir / "migrations"
        count = sum(1 for d in migrations.iterdir() if d.is_dir()) if migrations.is_dir() else 0
        package_dir = schema_dir.parent if schema_dir.name == "prisma" else schema_dir
        try:
            url = _PRISMA_URL.search((root / rel).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            url = None
        found.append(PrismaSchema(
            schema=rel,
            package_dir=package_dir.relative_to(root).as_posix() or ".",
            migrations_dir=migrations.relative_to(root).as_posix() if migrations.is_dir() else None,
            migrations=count,
            url_env=url.group(1) if url else None,
        ))
    return found


_COMPOSE = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$")


def detect_compose(root: Path, files: list[str]) -> list[ComposeFile]:
    found = []
    for rel in files:
        if "/" in rel or not _COMPOSE.match(rel):
            continue
        try:
            data = yaml.safe_load((root / rel).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        services = data.get("services") if isinstance(data, dict) else None
        if not isinstance(services, dict):
            continue
        found.append(ComposeFile(rel, tuple(
            _compose_service(str(name), spec) for name, spec in services.items()
            if isinstance(spec, dict)
        )))
    # the production file first: it is the one a deploy checklist is about
    found.sort(key=lambda c: ("prod" not in c.path, c.path))
    return found


def _compose_service(name: str, spec: dict[str, Any]) -> ComposeService:
    build = spec.get("build")
    dockerfile = None
    if isinstance(build, dict):
        context = str(build.get("context", "."))
        dockerfile = f"{context.rstrip('/')}/{build.get('dockerfile', 'Dockerfile')}"
    elif isinstance(build, str):
        dockerfile = f"{build.rstrip('/')}/Dockerfile"
    image = spec.get("image")
    ports = spec.get("ports") or []
    return ComposeService(
        name=name,
        image=str(image) if isinstance(image, str) else None,
        builds=build is not None,
        dockerfile=dockerfile.removeprefix("./") if dockerfile else None,
        ports=tuple(str(p) for p in ports) if isinstance(ports, list) else (),
    )


def detect_dockerfiles(files: list[str]) -> list[str]:
    return [
        rel for rel in files
        if re.match(r"^Dockerfile([.-][\w.-]+)?$|^[\w.-]+\.Dockerfile$", rel.rsplit("/", 1)[-1])
    ]


_SERVER_NAME = re.compile(r"(?:^|[;{\s])server_name\s+([^;]+);")


def detect_nginx(root: Path, files: list[str]) -> list[NginxConfig]:
    found = []
    for rel in files:
        base = rel.rsplit("/", 1)[-1]
        if not base.endswith(".conf") or not ("nginx" in rel.lower() or "/conf.d/" in f"/{rel}"):
            continue
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "server" not in text and "http" not in text:
            continue
        names: list[str] = []
        for match in _SERVER_NAME.finditer(text):
            names.extend(n for n in match.group(1).split() if n not in names)
        found.append(NginxConfig(rel, tuple(names)))
    return found


_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def detect_env_example(root: Path) -> EnvExample | None:
    for name in (".env.example", ".env.sample", ".env.template", ".env.production.example"):
        path = root / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        variables: list[EnvVar] = []
        comment: str | None = None
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith("#"):
                comment = stripped.lstrip("#").strip() or comment
                continue
            match = _ENV_LINE.match(line)
            if match and match.group(1) not in {v.name for v in variables}:
                value = match.group(2).strip().strip("'\"")
                variables.append(EnvVar(match.group(1), value, comment))
            comment = None
        return EnvExample(name, tuple(variables))
    return None


_CHECKLIST_NAME = re.compile(r"(deploy|release|launch|production|go-?live).*\.md$|checklist.*\.md$",
                             re.I)


def detect_checklist(root: Path, files: list[str]) -> str | None:
    """A Markdown file named like a deploy checklist that has ``- [ ]`` items."""
    for rel in files:
        if not _CHECKLIST_NAME.search(rel.rsplit("/", 1)[-1]):
            continue
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if re.search(r"^\s*[-*] \[[ xX]\] ", text, re.M):
            return rel
    return None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _is_domain(name: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", name)) and not name.endswith(
        (".local", ".localhost", ".internal", ".test")) and not re.fullmatch(r"[\d.]+", name)
