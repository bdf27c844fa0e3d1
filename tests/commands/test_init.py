"""`gonogo init` on a repository shaped like the reference project: pnpm workspace (api,
web), Prisma with a migration, a production compose file, Dockerfiles, an nginx config,
`.env.example` and an existing Markdown checklist."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from testing.cli import gonogo, write
from testing.node_workspace import FIXTURE

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "checklists"

FILLED = {
    "contact": "'Ops lead, +1 555 0100'",
    "hosts": "db.internal",
    "image": "registry.example.com/team/web",
    "url": "http://127.0.0.1:3001/",
    "domain": "example.com",
}


@pytest.fixture
def reference_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "v-edfinance"
    shutil.copytree(FIXTURE, repo)
    write(repo / "pnpm-lock.yaml", "lockfileVersion: '9.0'\n")
    write(repo / "apps/api/prisma/schema.prisma",
          'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n')
    write(repo / "apps/api/prisma/migrations/20240101000000_init/migration.sql", "select 1;\n")
    write(repo / "apps/api/Dockerfile", "FROM node:20-alpine\n")
    write(repo / "apps/web/Dockerfile", "FROM node:20-alpine\n")
    write(repo / "docker-compose.production.yml", """\
services:
  postgres:
    image: postgres:16
  api:
    build: {context: ., dockerfile: apps/api/Dockerfile}
    image: registry.example.com/team/api:latest
    ports: ["3000:3000"]
  web:
    build: {context: ., dockerfile: apps/web/Dockerfile}
  nginx:
    image: nginx:alpine
""")
    write(repo / "nginx/nginx.conf", """\
events {}
http {
  server { listen 80; server_name v-edfinance.com www.v-edfinance.com;
           location / { proxy_pass http://web:3000; } }
  server { listen 80; server_name api.v-edfinance.com;
           location / { proxy_pass http://api:3000; } }
}
""")
    write(repo / ".env.example", "# PostgreSQL connection\n"
          "DATABASE_URL=postgresql://postgres:postgres@localhost:5432/v_edfinance\n"
          "# signs access tokens\nJWT_SECRET=change-me\n"
          "ALLOWED_ORIGINS=http://localhost:3000\nNODE_ENV=production\n")
    write(repo / "docs/deployment-checklist.md", "# Deploy\n\n- [ ] API build passes\n")
    return repo


def fill_todos(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        return match.group(1) + FILLED[match.group(2)] + match.group(3)

    return re.sub(r"^(.*?\b(\w+): \[?)'TODO: [^']*'(.*)$", repl, text, flags=re.M)


def test_init_writes_a_config_tailored_to_the_repository(reference_repo: Path) -> None:
    result = gonogo("init", cwd=reference_repo)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "found: pnpm workspace: api (apps/api), web (apps/web)",
        "found: Prisma schema apps/api/prisma/schema.prisma (1 migration)",
        "found: compose file docker-compose.production.yml: services postgres, api, web, nginx",
        "found: Dockerfiles: apps/api/Dockerfile, apps/web/Dockerfile",
        "found: nginx config nginx/nginx.conf: server_name v-edfinance.com "
        "www.v-edfinance.com api.v-edfinance.com",
        "found: .env.example: 4 variables",
        "found: Markdown checklist docs/deployment-checklist.md",
        "wrote gonogo.yml: 7 phases, 20 checks",
        "4 values are marked TODO; `gonogo validate` points at each, starting with "
        "gonogo.yml:30 (contacts[0].contact)",
    ]
    config = (reference_repo / "gonogo.yml").read_text()
    for expected in (
        "vars: {domain: v-edfinance.com}",
        "run: pnpm install --frozen-lockfile",
        "run: pnpm --filter api build",
        "type: lint\n        packages: [api, web]",
        "type: typecheck\n        packages: [api, web]",
        "type: typescript.no_any\n        base: origin/main",
        "cwd: apps/api",
        "url: https://api.${domain}/health",
        "health: {url: 'http://127.0.0.1:3000/health', within: 60s}",
        "`gonogo explain docs/deployment-checklist.md`",
    ):
        assert expected in config


def test_validate_points_at_each_todo_until_filled(reference_repo: Path) -> None:
    gonogo("init", cwd=reference_repo)
    result = gonogo("validate", cwd=reference_repo)
    assert result.returncode == 2
    assert result.stderr == (
        "gonogo: error: gonogo.yml:30: contacts[0].contact: still TODO: name, phone or chat "
        "handle (hint: replace it with the real value; `gonogo validate` then shows the next)\n")
    path = reference_repo / "gonogo.yml"
    path.write_text(path.read_text().replace("'TODO: name, phone or chat handle'", "Ops lead"))
    result = gonogo("validate", cwd=reference_repo)
    assert result.stderr.startswith("gonogo: error: gonogo.yml:102: phases[2].checks[2].hosts[0]: "
                                    "still TODO: the production database host")
    path.write_text(fill_todos(path.read_text()))
    assert "TODO:" not in path.read_text().split("version: 1", 1)[1]
    result = gonogo("validate", cwd=reference_repo)  # as strict as `check`: settings must exist
    assert (result.returncode, result.stderr) == (2, (
        "gonogo: error: gonogo.yml:82: phases[1].checks[1].database_url: undefined variable "
        "${DATABASE_URL} (hint: set it in environments.<env>.vars, an env file or the process "
        "environment)\n"))
    result = gonogo("validate", cwd=reference_repo,
                    env={"DATABASE_URL": "postgresql://app@127.0.0.1:5432/app"})
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == ("gonogo.yml: ok — 7 phases, 20 checks (18 automated, 2 manual), "
                             "environment production\n")


def test_an_existing_file_is_never_overwritten_without_force(reference_repo: Path) -> None:
    write(reference_repo / "gonogo.yml", "version: 1\n")
    result = gonogo("init", "--checklist", cwd=reference_repo)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("gonogo: error: gonogo.yml already exists; "
                             "pass --force to overwrite it\n")
    assert (reference_repo / "gonogo.yml").read_text() == "version: 1\n"
    assert not (reference_repo / "DEPLOYMENT_CHECKLIST.md").exists()
    result = gonogo("init", "--force", cwd=reference_repo)
    assert result.returncode == 0
    assert (reference_repo / "gonogo.yml").read_text().startswith("# gonogo.yml for fixture-monorepo")


def test_the_checklist_has_the_reference_shape_and_explains(reference_repo: Path) -> None:
    result = gonogo("init", "--dir", str(reference_repo), "--checklist", cwd=reference_repo.parent)
    assert result.returncode == 0
    assert f"wrote {reference_repo / 'DEPLOYMENT_CHECKLIST.md'}: the same gates" in result.stdout
    text = (reference_repo / "DEPLOYMENT_CHECKLIST.md").read_text()
    assert text.startswith("# Production Deployment Checklist\n")
    assert ("## Pre-Deployment Verification\n\n### 1. Code Quality Gates\n\n```bash\n"
            "pnpm install --frozen-lockfile\npnpm --filter api build\npnpm --filter web build\n```\n\n"
            "- [ ] `pnpm install` succeeds\n- [ ] API build passes\n- [ ] Web build passes\n"
            "- [ ] Lint passes (no errors) <!-- gonogo: {type: lint, packages: [api, web]} -->\n"
            "- [ ] No TypeScript errors <!-- gonogo: {type: typecheck, packages: [api, web]} -->\n"
            "- [ ] No `any` types in changed files "
            "<!-- gonogo: {type: typescript.no_any, base: origin/main} -->\n") in text
    assert "## Deployment Steps\n\n### 1. Create Backup\n" in text
    assert "### 2. Deploy Services\n\n- [ ] api deployed\n- [ ] web deployed\n" in text
    assert "## Emergency Contacts\n\n| Role | Contact |\n" in text
    result = gonogo("explain", "DEPLOYMENT_CHECKLIST.md", cwd=reference_repo)
    assert (result.returncode, result.stderr) == (0, "")
    for line in (
        # the section's install comes first: the builds, lint and typecheck need it
        "       → would run: command {run: pnpm --filter api build} {needs: [pnpm-install-succeeds]}"
        "  [recognized: command of the section; line 11]",
        "       → would run: lint {packages: [api, web]} {needs: [pnpm-install-succeeds]}  [annotation]",
        "       → would run: typecheck {packages: [api, web]} {needs: [pnpm-install-succeeds]}"
        "  [annotation]",
        "       → would run: typescript.no_any {base: origin/main}  [annotation]",
    ):
        assert line in result.stdout.splitlines()


def test_an_empty_directory_gets_a_generic_starter_that_validates_once_filled(
        tmp_path: Path) -> None:
    result = gonogo("init", cwd=tmp_path)
    assert result.stdout.splitlines()[0] == "found: nothing recognisable: a generic starter"
    path = tmp_path / "gonogo.yml"
    assert gonogo("validate", cwd=tmp_path).stderr.startswith(
        "gonogo: error: gonogo.yml:11: environments.production.vars.domain: still TODO: "
        "the production domain, e.g. example.com")
    path.write_text(fill_todos(path.read_text()))
    result = gonogo("validate", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


def test_a_missing_dir_is_a_usage_error(tmp_path: Path) -> None:
    result = gonogo("init", "--dir", "nope", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, "gonogo: error: --dir nope: not a directory\n")


def test_todo_in_a_hand_written_config_is_caught_too(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", "version: 1\nphases:\n  - id: verify\n    kind: verify\n"
          "    checks:\n      - type: http\n        url: 'TODO: api URL'\n"
          "      - title: TODO list page loads\n        type: manual\n")
    result = gonogo("validate", cwd=tmp_path)
    assert result.stderr == ("gonogo: error: gonogo.yml:7: phases[0].checks[0].url: still TODO: "
                             "api URL (hint: replace it with the real value; `gonogo validate` "
                             "then shows the next)\n")


def shim(path: Path, script: str) -> None:
    write(path, "#!/bin/sh\n" + script)
    path.chmod(0o755)


@pytest.mark.parametrize(("tools", "expected"), [
    ("docker-compose", "docker-compose -f docker-compose.production.yml build"),
    ("docker", "docker compose -f docker-compose.production.yml build"),
])
def test_init_writes_the_compose_command_this_machine_has(
        reference_repo: Path, tmp_path: Path, tools: str, expected: str) -> None:
    """The compose driver's own detection decides: v2 (`docker compose`) when `docker`
    answers `compose version`, else v1 (`docker-compose`). PATH holds only the shim."""
    bin_dir = tmp_path / "bin"
    if tools == "docker":
        shim(bin_dir / "docker", 'if [ "$1 $2" = "compose version" ]; then\n'
             '  echo "Docker Compose version v2.29.0"; exit 0\nfi\nexit 1\n')
    else:
        shim(bin_dir / "docker-compose", 'echo "docker-compose version 1.29.2"\n')
    # GONOGO_DOCKER pins the docker client to the shim folder (or to nothing there), as the
    # driver would otherwise prefer this machine's /usr/bin/docker
    env = {"PATH": str(bin_dir), "GONOGO_DOCKER": str(bin_dir / "docker")}
    result = gonogo("init", "--checklist", cwd=reference_repo, env=env)
    assert (result.returncode, result.stderr) == (0, "")
    assert f"        run: {expected}\n" in (reference_repo / "gonogo.yml").read_text()
    assert f"```bash\n{expected}\n```\n" in (reference_repo / "DEPLOYMENT_CHECKLIST.md").read_text()


def test_the_migrations_check_does_not_wait_for_the_install(reference_repo: Path) -> None:
    """The migrations type reads the database and the folder natively: a failed or slow
    `pnpm install` must not hold it back. The Prisma CLI step still needs node_modules."""
    assert gonogo("init", cwd=reference_repo).returncode == 0
    config = yaml.safe_load((reference_repo / "gonogo.yml").read_text())
    database = next(p for p in config["phases"] if p["id"] == "database")
    checks = {c["id"]: c for c in database["checks"]}
    assert checks["migrations"] == {
        "id": "migrations", "title": "No pending migrations", "type": "migrations",
        "tool": "prisma", "database_url": "${DATABASE_URL}", "dir": "apps/api/prisma/migrations"}
    assert checks["prisma-generate"]["needs"] == ["install"]
