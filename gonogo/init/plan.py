"""From what ``gonogo init`` found to a starter model: phases, checks, services, contacts.

Both writers (``gonogo.yml`` and the Markdown checklist) render this one plan. A check
type that is not installed, or that rejects the parameters, falls back to a command or
a manual sign-off, so the written config always validates once its TODOs are filled.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from gonogo.core.ids import slug
from gonogo.drivers.base import compose_command
from gonogo.init.detect import Findings
from gonogo.plugins import check_types
from gonogo.workspaces import Package

SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|PRIVATE|API_KEY|_KEY$")


@dataclass
class PlannedCheck:
    data: dict[str, Any]
    comment: str | None = None
    #: The shell line a human would run for this item (for the checklist's code block).
    shell: str | None = None

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def title(self) -> str:
        return str(self.data.get("title", self.data["id"]))


@dataclass
class PlannedPhase:
    id: str
    title: str
    kind: str
    checks: list[PlannedCheck]
    comment: str | None = None


@dataclass
class StarterPlan:
    name: str
    found: list[str]
    environments: dict[str, Any]
    phases: list[PlannedPhase]
    services: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, str]] = field(default_factory=list)
    checklist: str | None = None


def typed(check_id: str, title: str, type_name: str, params: dict[str, Any],
          fallback: dict[str, Any], **common: Any) -> dict[str, Any]:
    """``type_name`` with ``params`` when that type is installed and accepts them, else ``fallback``."""
    cls = check_types().get(type_name)
    if cls is not None:
        try:
            cls.model_validate(params)
        except ValidationError:
            pass
        else:
            return {"id": check_id, "title": title, "type": type_name, **params, **common}
    return {"id": check_id, "title": title, **fallback, **common}


def build_plan(found: Findings) -> StarterPlan:
    phases = [p for p in (
        quality_phase(found),
        database_phase(found),
        environment_phase(found),
        images_phase(found),
        backup_phase(found),
        verify_phase(found),
        post_phase(),
    ) if p is not None and p.checks]
    return StarterPlan(
        name=found.name,
        found=found.summary(),
        environments=environments(found),
        phases=phases,
        services=services(found),
        secrets=secrets(found),
        contacts=[{"role": "On-call engineer", "contact": "TODO: name, phone or chat handle"}],
        checklist=found.checklist,
    )


def environments(found: Findings) -> dict[str, Any]:
    domain = found.domain
    return {"production": {"vars": {
        "domain": domain or "TODO: the production domain, e.g. example.com",
    }}}


def label(pkg: str) -> str:
    """``api`` → ``API``, ``web`` → ``Web`` (as the reference writes them)."""
    return pkg.upper() if len(pkg) <= 3 and pkg.lower() in {"api", "cms", "cli", "bff"} else \
        pkg[:1].upper() + pkg[1:]


def run_script(manager: str, pkg: Package, script: str) -> str:
    if manager == "pnpm":
        return f"pnpm --filter {shlex.quote(pkg.name)} {script}"
    if manager == "yarn":
        return f"yarn workspace {shlex.quote(pkg.name)} {script}"
    return f"npm run {script} -w {shlex.quote(pkg.name)}"


def install_command(manager: str, lockfile: str | None) -> str:
    if manager == "pnpm":
        return "pnpm install --frozen-lockfile" if lockfile == "pnpm-lock.yaml" else "pnpm install"
    if manager == "yarn":
        return "yarn install --frozen-lockfile" if lockfile == "yarn.lock" else "yarn install"
    return "npm ci" if lockfile == "package-lock.json" else "npm install"


def quality_phase(found: Findings) -> PlannedPhase | None:
    ws = found.workspace
    if ws is None:
        return None
    install = install_command(ws.manager, found.lockfile)
    checks = [PlannedCheck(
        {"id": "install", "title": f"`{ws.manager} install` succeeds", "run": install,
         "timeout": "10m"}, shell=install)]
    pkgs = [p for p in ws.packages if p.rel != "."] or list(ws.packages)
    for pkg in pkgs:
        if "build" in pkg.scripts:
            command = run_script(ws.manager, pkg, "build")
            checks.append(PlannedCheck(
                {"id": f"{_id_of(pkg.name)}-build", "title": f"{label(pkg.path.name)} build passes",
                 "run": command, "needs": ["install"], "timeout": "10m"}, shell=command))
    linted = [p.name for p in pkgs if ws.has_eslint_config or p.has_eslint_config]
    if linted:
        shell = " && ".join(run_script(ws.manager, p, "lint") for p in pkgs
                            if p.name in linted and "lint" in p.scripts) or None
        checks.append(PlannedCheck(typed(
            "lint", "Lint passes (no errors)", "lint", {"packages": linted},
            {"run": shell or "npx eslint ."}, needs=["install"]),
            comment="ESLint --format json per package: errors fail, warnings are counted",
            shell=shell))
    typed_pkgs = [p.name for p in pkgs if p.has_tsconfig]
    if typed_pkgs:
        checks.append(PlannedCheck(typed(
            "typecheck", "No TypeScript errors", "typecheck", {"packages": typed_pkgs},
            {"run": "npx tsc --noEmit"}, needs=["install"]),
            comment="tsc --noEmit -p tsconfig.json in each package"))
        checks.append(PlannedCheck(typed(
            "no-any", "No `any` types in changed files", "typescript.no_any",
            {"base": "origin/main"}, {"type": "manual"}),
            comment="changed since the merge-base with origin/main; "
                    "`// gonogo-allow-any: reason` accepts one"))
    return PlannedPhase("quality", "Code Quality Gates", "preflight", checks)


def database_phase(found: Findings) -> PlannedPhase | None:
    if not found.prisma:
        return None
    prisma = found.prisma[0]
    needs = ["install"] if found.workspace is not None else []
    url_var = prisma.url_env or "DATABASE_URL"
    checks = [PlannedCheck(
        {"id": "prisma-generate", "title": "Prisma client generates without errors",
         "run": "npx prisma generate", "cwd": prisma.package_dir, "needs": needs},
        shell=f"cd {prisma.package_dir}\nnpx prisma generate")]
    params: dict[str, Any] = {"tool": "prisma", "database_url": f"${{{url_var}}}"}
    if prisma.migrations_dir:
        params["dir"] = prisma.migrations_dir
    # the migrations type reads the database and the folder itself: it needs no
    # node_modules, so no `install`; only the fallback runs the Prisma CLI from them
    migrations = typed("migrations", "No pending migrations", "migrations", params,
                       {"run": "npx prisma migrate status", "cwd": prisma.package_dir})
    if migrations.get("type") != "migrations" and needs:
        migrations["needs"] = needs
    checks.append(PlannedCheck(
        migrations,
        comment=f"migrations: {prisma.migrations_dir or prisma.schema} "
                f"({prisma.migrations} found when gonogo init ran)",
        shell="npx prisma migrate status"))
    return PlannedPhase("database", "Database Verification", "preflight", checks)


def environment_phase(found: Findings) -> PlannedPhase | None:
    example = found.env_example
    if example is None or not example.variables:
        return None
    names = [v.name for v in example.variables]
    checks = [PlannedCheck(typed(
        "env-required", "All required secrets are set in production", "env.required",
        {"names": names}, {"type": "manual"}),
        comment=f"every variable in {example.path}")]
    for var in example.variables:
        if re.search(r"SECRET|SIGNING_KEY", var.name):
            checks.append(PlannedCheck(typed(
                f"{_id_of(var.name)}-strength", f"`{var.name}` is strong (32+ characters)",
                "secret.strength", {"name": var.name, "min_length": 32}, {"type": "manual"})))
    if "DATABASE_URL" in names:
        checks.append(PlannedCheck(typed(
            "database-url", "`DATABASE_URL` points to production DB", "env.url",
            {"name": "DATABASE_URL", "hosts": ["TODO: the production database host"]},
            {"type": "manual"})))
    for name in ("ALLOWED_ORIGINS", "CORS_ORIGINS", "CORS_ORIGIN"):
        if name in names:
            checks.append(PlannedCheck(typed(
                _id_of(name), f"`{name}` includes production domain", "env.list",
                {"name": name, "contains": ["https://${domain}"]}, {"type": "manual"})))
            break
    checks.append(PlannedCheck(typed(
        "no-dev-values", "No development values in production config", "env.no_dev_values", {},
        {"type": "manual"})))
    return PlannedPhase("environment", "Environment Variables", "preflight", checks)


def images_phase(found: Findings) -> PlannedPhase | None:
    checks: list[PlannedCheck] = []
    compose = found.compose[0] if found.compose else None
    if compose is not None and any(s.builds for s in compose.services):
        command = f"{compose_cli()} -f {shlex.quote(compose.path)} build"
        checks.append(PlannedCheck(
            {"id": "images-build", "title": "All images build successfully", "run": command,
             "timeout": "30m"}, shell=command))
    elif found.dockerfiles:
        for dockerfile in found.dockerfiles:
            image = _id_of(dockerfile.rsplit("/", 2)[0] if "/" in dockerfile else found.name)
            command = f"docker build -f {dockerfile} -t {image}:check ."
            checks.append(PlannedCheck(
                {"id": f"{image}-image-build", "title": f"`{dockerfile}` builds", "run": command,
                 "timeout": "30m"}, shell=command))
    if not checks:
        return None
    return PlannedPhase("images", "Docker Images", "preflight", checks)


def backup_phase(found: Findings) -> PlannedPhase | None:
    if not found.prisma:
        return None
    url_var = found.prisma[0].url_env or "DATABASE_URL"
    checks = [PlannedCheck(typed(
        "backup", "Database backup created", "postgres.backup",
        {"database_url": f"${{{url_var}}}", "path": "backups/backup_{timestamp}.dump"},
        {"type": "manual"}))]
    if checks[0].data.get("type") == "postgres.backup":
        checks.append(PlannedCheck(typed(
            "backup-verified", "Backup verified (can restore)", "postgres.restore_verify",
            {"backup": "backup"}, {"type": "manual"})))
    return PlannedPhase("backup", "Create Backup", "backup", checks)


def verify_phase(found: Findings) -> PlannedPhase | None:
    names = {n for c in found.nginx for n in c.server_names}
    domain = found.domain
    api_url = ("https://api.${domain}/health" if domain and f"api.{domain}" in names
               else "TODO: the API health URL, e.g. https://api.${domain}/health")
    checks: list[PlannedCheck] = []
    if found.workspace is None or any(p.path.name == "api" for p in found.workspace.packages):
        checks.append(PlannedCheck(
            {"id": "api-health", "title": "API `/health` returns 200", "type": "http",
             "url": api_url, "expect": {"status": 200}, "retry": {"interval": "2s", "within": "60s"}}))
    checks.append(PlannedCheck(
        {"id": "homepage", "title": "Homepage loads", "type": "http", "url": "https://${domain}/",
         "expect": {"status": 200}, "retry": {"interval": "2s", "within": "60s"}}))
    checks.append(PlannedCheck({"id": "flows", "title": "Critical user flows tested",
                                "type": "manual"}))
    return PlannedPhase("verify", "Verify Deployment", "verify", checks)


def post_phase() -> PlannedPhase:
    return PlannedPhase("post", "Document", "post", [PlannedCheck(
        {"id": "documented", "title": "Deployment recorded (version, time, who)",
         "type": "manual"})])


def services(found: Findings) -> list[dict[str, Any]]:
    if not found.compose:
        return []
    compose = found.compose[0]
    out: list[dict[str, Any]] = []
    for svc in compose.services:
        if not svc.builds:
            continue  # databases and proxies from public images are not released by the team
        image = svc.image.rsplit(":", 1)[0] if svc.image and "$" not in svc.image else None
        out.append({
            "name": _id_of(svc.name),
            "driver": "compose",
            "compose_file": compose.path,
            "service": svc.name,
            "image": image or f"TODO: the registry image of {svc.name}, e.g. registry.example.com/team/{svc.name}",
            "health": {"url": _health_url(svc.ports) or f"TODO: the health URL of {svc.name}",
                       "within": "60s"},
        })
    return out


def compose_cli() -> str:
    """Compose as a person types it on this machine: the compose driver's own choice
    (``docker compose`` v2 when present, else ``docker-compose`` v1), by name not path."""
    argv = compose_command()
    return shlex.join([argv[0].rsplit("/", 1)[-1], *argv[1:]])


def _health_url(ports: tuple[str, ...]) -> str | None:
    """``http://127.0.0.1:3000/health`` for a service published as ``3000:3000``."""
    for port in ports:
        match = re.fullmatch(r"(?:[\d.]+:)?(\d+):\d+(?:/tcp)?", port)
        if match:
            return f"http://127.0.0.1:{match.group(1)}/health"
    return None


def secrets(found: Findings) -> list[dict[str, Any]]:
    if found.env_example is None:
        return []
    out: list[dict[str, Any]] = []
    for var in found.env_example.variables:
        if SECRET_NAME.search(var.name) or var.name == "DATABASE_URL":
            entry: dict[str, Any] = {"name": var.name}
            if var.comment:
                entry["purpose"] = var.comment
            if re.search(r"SECRET|SIGNING_KEY", var.name):
                entry["rules"] = {"min_length": 32}
            out.append(entry)
    return out


def _id_of(text: str) -> str:
    return slug(text, "item", limit=None)
