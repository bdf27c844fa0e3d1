"""Fuzz gonogo to zero tracebacks (issue 11, item 7).

Feeds generated inputs of four kinds to gonogo's own entry point and checks how each one
ends:

  config    gonogo.yml files: structure-aware mutations of valid configs (wrong types,
            unknown keys, huge numbers, unicode, deep nesting, anchors/aliases, duplicate
            keys, bad durations/URLs/ids, cycles in ``needs``, damaged text)
  markdown  checklists: mutated headings, items, tables, code fences, ``<!-- gonogo: … -->``
            annotations with broken YAML, sidecars, CRLF/BOM/front matter; plus the test
            corpus and the reference checklist, damaged
  envfile   dotenv edge cases behind ``environments.*.env_files``
  argv      every subcommand (found by walking gonogo's own argparse parser) with random
            and edge arguments, in a workspace holding recorded runs

Every input must end with exit 0/1/2/4 (5/6/7 too for deploy/rollback/resume, which the
product defines) and, on exit 2, a one-line message — never exit 3 ("unexpected error"),
a traceback, or a hang. The bulk runs in-process (``gonogo.cli.main(argv)`` with stdout,
stderr and stdin replaced, SystemExit caught); ``--subprocess N`` more run as real
``python -m gonogo`` processes to confirm.

Safety — generated checklists are never trusted:
  * everything happens in a throwaway temp dir with HOME, TMPDIR, XDG_* and the crash-log
    folder inside it; an audit hook refuses (and reports) any write, delete, SQLite file
    or Unix socket outside it;
  * PATH holds only a folder of recording shims (``pnpm``, ``docker``, ``rm``, …: print
    their argv to a log and exit 0), so a command can start no real program but ``/bin/sh``;
    the audit hook refuses any other executable;
  * ``check``/``deploy`` run only inputs whose text has no path outside the workspace
    (no ``/`` except in the fuzzer's own fixed URLs, no ``..``, no ``\\``, no ``$(``);
  * no network: the script re-executes itself in a new network namespace
    (``unshare --net``) when it can, and in any case the audit hook refuses every
    Internet socket and name lookup; generated URLs use 127.0.0.1 ports 1 and 9 only.

    .venv/bin/python bench/fuzz.py [--count 100000] [--seed 1] [--jobs 2] [--subprocess 300]
    .venv/bin/python bench/fuzz.py --replay INDEX [--seed S]   # show one input and its result

Prints the count per kind, the failures, and the first examples of each distinct failure;
exits 1 when there is any failure. It is a script, not a test.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import functools
import io
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
KINDS = ("config", "markdown", "envfile", "argv")
WEIGHTS = (35, 25, 15, 25)
CASE_TIMEOUT_S = 60.0
#: Commands with documented exit codes beyond 0/1/2/4 (5 rolled back, 6 rollback failed, 7 post failed).
DEPLOY_COMMANDS = {"deploy", "rollback", "resume"}
OK_CODES = {0, 1, 2, 4}
ERROR_LINE = re.compile(r"^gonogo(?: [\w-]+)?: error: \S")

# ---- vocabulary ------------------------------------------------------------------------

URLS = [
    "http://127.0.0.1:9/health", "http://127.0.0.1:1/", "https://127.0.0.1:9/api/health",
    "http://[::1]:9/x", "http://localhost:1/healthz", "postgresql://u:p@127.0.0.1:1/db",
    "postgresql://127.0.0.1:9/app", "slack://127.0.0.1:1/x", "json://127.0.0.1:9",
    "ssh://deploy@127.0.0.1:1", "unix:///no/such/docker.sock", "http://127.0.0.1:9/${path}",
]
BAD_URLS = [
    "http://", "https://:80/", "http://[::1/", "ftp://127.0.0.1:9/", "127.0.0.1:9", "http://a b",
    "http://127.0.0.1:99999/", "http://127.0.0.1:-1/", "://x", "http://\u00e9\u00e9:1/", "h\x00ttp",
    "${DATABASE_URL}", "${UNSET}", "postgresql://", "postgresql://u:@:/", "http://%zz:1/",
]
#: Literal text with a slash that the check-safety test accepts (not paths a shell can use).
SAFE_SLASHES = sorted(URLS + ["`/health`", "/health", "/healthz", "/api/health"], key=len, reverse=True)
SAFE_COMMANDS = [
    "true", "false", "echo ok", "echo $HOME", "exit 3", "printf 'a b'", "pnpm install --frozen-lockfile",
    "pnpm --filter api build", "npm test", "npm run lint", "yarn typecheck", "make test", "make lint",
    "docker compose config", "docker build .", "git status", "cargo test", "go vet", "pytest -q",
    "terraform plan", "kubectl diff -f k8s", "npx prisma migrate status", "echo done > out.txt",
    "rm -rf build", "docker compose down -v", "git clean -fdx", "cat <<EOF\nhi\nEOF", "true && false",
    "echo a | grep a", "(true; false)", "sh -c 'echo x'", "npx tsc --noEmit", "node scripts",
]
SHIMS = sorted({
    "pnpm", "npm", "npx", "yarn", "make", "docker", "docker-compose", "git", "cargo", "go", "pytest",
    "terraform", "kubectl", "node", "rm", "grep", "cat", "sh", "bash", "curl", "wget", "psql", "pg_dump",
    "pg_restore", "pg_isready", "helm", "gcloud", "vercel", "alembic", "python", "python3", "find", "sed",
    "tsc", "eslint", "prisma", "mvn", "gradle", "composer", "php", "bundle", "rails", "flyway", "ssh",
    "scp", "rsync", "systemctl", "nginx", "certbot", "openssl", "sleep", "tail", "head", "ls", "cp",
    "mv", "chmod", "tee", "xargs", "env", "awk", "jq", "sudo", "apt-get", "pip", "poetry", "uv",
})
WORDS = [
    "version", "name", "phases", "id", "title", "kind", "checks", "run", "type", "url", "timeout",
    "needs", "retry", "interval", "within", "attempts", "advisory", "expect", "status", "json",
    "environments", "env_files", "vars", "defaults", "jobs", "host", "port", "path", "exists", "mode",
    "contains", "secrets", "contacts", "role", "contact", "services", "driver", "health", "exit_codes",
    "cwd", "env", "method", "headers", "body", "state", "checklist", "bind", "notify", "protected",
    "public", "docker_host", "allow_self_approval", "duration", "image", "service", "deploy",
    "rollback", "compose_file", "names", "min_length", "hosts", "location", "purpose", "rules",
]
KINDS_OF_PHASE = ["preflight", "backup", "deploy", "verify", "watch", "post", "rollback"]
DURATIONS = ["500ms", "30s", "10m", "1h", "2s", "1d", "7d"]
BAD_DURATIONS = [
    "0", "0s", "-5s", "soon", "5 minutes please", "1e400s", "99999999999999999999h", "inf", "nan",
    "1.5.5s", "", "s", "30", 30, -1, 0, 1.5, 10**30, True, None, "8d", "\u0663s", "30S", "P1D",
]
IDS = ["a", "b", "c", "api-build", "lint", "install", "x_y", "api.health"]
BAD_IDS = ["", "bad id", "-x", "A" * 300, "\u00e9t\u00e9", "a/b", "1", "${id}", "a:b", ".", "\n"]
STRANGE = [
    "", " ", "\t", "\u200b", "\u202e", "\ufeff", "\U0001f680", "\u00e9\u00e8", "\u4e2d\u6587",
    "\x7f", "\u0000", "\ud800", "${", "${X}", "${UNSET}", "$${X}", "%s", "{}", "[", "]", "&a",
    "*a", "!!str", "- ", ": ", "#", "'", '"', "\\", "\r", "\x85", "\u2028", "null", "~", "yes",
    "NO", "0x1F", "0o17", "1_000", ".inf", "-.nan", "<!--", "-->", "```", "|", "<script>",
    "a" * 5000, "\u0301" * 50,
]
NUMBERS = [0, -1, 1, 2, 7, 255, 65535, 65536, 2**31, 2**63, 2**64, 10**20, -(10**20), 1e308,
           -1e308, float("inf"), float("-inf"), float("nan"), 0.5, 1e-300]


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def strange_scalar(rng: random.Random) -> Any:
    pick = rng.randrange(8)
    if pick == 0:
        return rng.choice(NUMBERS)
    if pick == 1:
        return rng.choice(STRANGE)
    if pick == 2:
        return rng.choice(BAD_DURATIONS)
    if pick == 3:
        return rng.choice(BAD_URLS + URLS)
    if pick == 4:
        return rng.choice([None, True, False, [], {}, [None], {"": None}])
    if pick == 5:
        return "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x80, 0x3000)]))
                       for _ in range(rng.randrange(12)))
    if pick == 6:
        return rng.choice(BAD_IDS + IDS)
    return rng.choice(WORDS)


# ---- valid building blocks -------------------------------------------------------------


def valid_check(rng: random.Random, cid: str, earlier: list[str]) -> dict[str, Any]:
    kind = rng.randrange(12)
    check: dict[str, Any]
    if kind < 4:
        check = {"id": cid, "run": rng.choice(SAFE_COMMANDS)}
    elif kind == 4:
        check = {"id": cid, "type": "http", "url": rng.choice(URLS[:5]), "expect": {"status": 200}}
    elif kind == 5:
        check = {"id": cid, "type": "tcp", "host": "127.0.0.1", "port": rng.choice([1, 9])}
    elif kind == 6:
        check = {"id": cid, "type": "file", "path": rng.choice(["out.txt", "gonogo.yml", "missing"]),
                 "exists": rng.choice([True, False])}
    elif kind == 7:
        check = {"id": cid, "type": "manual"}
    elif kind == 8:
        check = {"id": cid, "type": "env.required", "names": rng.sample(["API_KEY", "JWT_SECRET", "DATABASE_URL", "HOME"], 2)}
    elif kind == 9:
        check = {"id": cid, "type": "secret.strength", "name": "JWT_SECRET", "min_length": rng.choice([8, 32])}
    elif kind == 10:
        check = {"id": cid, "type": "command", "run": ["echo", "argv", "list"], "exit_codes": [0, 1]}
    else:
        check = {"id": cid, "type": "env.url", "name": "DATABASE_URL", "hosts": ["127.0.0.1"]}
    if chance(rng, 0.3):
        check["title"] = rng.choice(["API build passes", "`pnpm install` succeeds", "Lint", "\U0001f680 go"])
    if chance(rng, 0.2):
        check["timeout"] = rng.choice(DURATIONS[:3])
    if chance(rng, 0.2):
        check["advisory"] = True
    if earlier and chance(rng, 0.3):
        check["needs"] = rng.sample(earlier, min(len(earlier), rng.randrange(1, 3)))
    if chance(rng, 0.1):
        check["retry"] = {"interval": "500ms", "within": "1s"}
    return check


def valid_config(rng: random.Random) -> dict[str, Any]:
    ids: list[str] = []
    phases = []
    for p in range(rng.randrange(1, 4)):
        checks = []
        for _ in range(rng.randrange(1, 5)):
            cid = f"{rng.choice(IDS)}{len(ids)}"
            checks.append(valid_check(rng, cid, list(ids)))
            ids.append(cid)
        phases.append({"id": f"p{p}", "kind": rng.choice(["preflight", "verify"] * 3 + KINDS_OF_PHASE),
                       "checks": checks})
    config: dict[str, Any] = {"version": 1, "name": rng.choice(["demo", "v-edfinance", "\u00e9"]), "phases": phases}
    if chance(rng, 0.5):
        config["environments"] = {
            "production": {"vars": {"domain": "127.0.0.1", "path": "x"}, "protected": chance(rng, 0.5)},
            "staging": {"vars": {"domain": "localhost"}},
        }
    if chance(rng, 0.3):
        config["defaults"] = {"timeout": rng.choice(DURATIONS[:3]), "jobs": rng.choice([1, 4, 16])}
    if chance(rng, 0.2):
        config["secrets"] = [{"name": "JWT_SECRET", "location": "env", "purpose": "auth"}]
    if chance(rng, 0.2):
        config["contacts"] = [{"role": "on-call", "contact": "ops@127.0.0.1"}]
    if chance(rng, 0.2):
        config["services"] = [{"name": "api", "driver": "shell", "deploy": "true", "rollback": "true"}]
    if chance(rng, 0.1):
        config["state"] = rng.choice([".gonogo", "state-here", ""])
    return config


# ---- structure-aware mutation ----------------------------------------------------------


def _containers(node: Any, out: list[Any]) -> list[Any]:
    if isinstance(node, dict | list):
        out.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            _containers(child, out)
    return out


def mutate_tree(rng: random.Random, data: Any, rounds: int) -> Any:
    for _ in range(rounds):
        nodes = _containers(data, [])
        if not nodes:
            return strange_scalar(rng)
        node = rng.choice(nodes)
        op = rng.randrange(10)
        if isinstance(node, dict):
            keys = list(node)
            if op == 0 or not keys:
                node[rng.choice([rng.choice(WORDS), str(rng.choice(STRANGE)), rng.choice(NUMBERS)])] = strange_scalar(rng)
            elif op == 1:
                del node[rng.choice(keys)]
            elif op == 2:  # deep nesting
                deep: Any = strange_scalar(rng)
                for _ in range(rng.choice([5, 50, 200])):
                    deep = [deep] if chance(rng, 0.5) else {"a": deep}
                node[rng.choice(keys)] = deep
            elif op == 3:  # wrong container type
                key = rng.choice(keys)
                node[key] = [node[key]] if not isinstance(node[key], list) else {"x": node[key]}
            elif op == 4:  # a cycle in needs
                node["needs"] = [node.get("id", "a"), *rng.sample(IDS, 2)]
            elif op == 5:
                node[rng.choice(keys)] = rng.choice(BAD_DURATIONS)
            elif op == 6:
                node[rng.choice(keys)] = rng.choice(BAD_URLS)
            elif op == 7:
                node["id"] = rng.choice(BAD_IDS)
            elif op == 8:
                node["type"] = rng.choice(["smtp", "", "http", "manual", "record", "notify", "postgres.backup",
                                           "docker.build", "registry.tag", "prometheus", "alerts", "logs",
                                           "http.flow", "http.latency", "env.drift", "env.list",
                                           "env.no_dev_values", "postgres.query", "migrations",
                                           "typescript.no_any", "lint", "typecheck", None, 3])
            else:
                node[rng.choice(keys)] = strange_scalar(rng)
        else:
            if op < 3 or not node:
                node.insert(rng.randrange(len(node) + 1), strange_scalar(rng))
            elif op < 5:
                node.pop(rng.randrange(len(node)))
            elif op < 7:
                node.append(rng.choice(node))  # duplicate ids
            else:
                node[rng.randrange(len(node))] = strange_scalar(rng)
    return data


def render_yaml(rng: random.Random, data: Any) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=chance(rng, 0.7), sort_keys=False,
                              default_flow_style=rng.choice([False, None, True]), width=rng.choice([80, 10**6]))
    except (yaml.YAMLError, ValueError, RecursionError):
        return "phases: []\n"


TEXT_DAMAGE = [
    "", ":", "- ", "{", "[", "\t", "&a ", "*a", "*nope", "!!python/object:os.system ", "!!binary x",
    "? ", "%YAML 1.1\n---\n", "\x00", "'", "\ufeff", "<<: *a\n", "---\n", "...\n", "\r", "\x1b[31m",
    "version: 1\nversion: 2\n", "phases:\n", "!!int x", "!!float '", "key: !!timestamp 2020-13-45\n",
]


def damage_text(rng: random.Random, text: str) -> str:
    for _ in range(rng.randrange(1, 4)):
        op = rng.randrange(7)
        at = rng.randrange(len(text) + 1)
        if op == 0:
            text = text[:at]
        elif op == 1:
            text = text[:at] + rng.choice(TEXT_DAMAGE) + text[at:]
        elif op == 2:
            lines = text.splitlines(keepends=True)
            if lines:
                i = rng.randrange(len(lines))
                lines.insert(i, lines[i])  # duplicate key / item
            text = "".join(lines)
        elif op == 3:
            text = text.replace("\n", "\r\n") if chance(rng, 0.5) else text.replace("  ", "\t", 1)
        elif op == 4:
            text = text[:at] + str(rng.choice(STRANGE))[:50] + text[at:]
        elif op == 5:
            lines = text.splitlines(keepends=True)
            rng.shuffle(lines)
            text = "".join(lines)
        else:
            text = "\ufeff" + text if chance(rng, 0.5) else text + rng.choice(["\n\n\n", "", "\x00"])
    return text


def special_yaml(rng: random.Random) -> str:
    """Hand-written YAML shapes a dict dumper never emits: anchors, merges, duplicates, tags."""
    kind = rng.randrange(9)
    if kind == 0:  # aliases fanning out (bounded: 10^3 leaves)
        lines = ["a0: &a0 [x, y, z, w, v, u, t, s, r, q]"]
        for i in range(1, 4):
            lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
        return "\n".join(lines) + "\nversion: 1\nphases: *a4\n"
    if kind == 1:  # merge keys and anchors over checks
        return ("base: &base {run: 'true', timeout: 5s}\nversion: 1\nphases:\n  - id: p\n    kind: preflight\n"
                "    checks:\n      - <<: *base\n        id: a\n      - <<: [*base, *base]\n        id: b\n"
                "      - <<: *missing\n")
    if kind == 2:  # duplicate keys
        return ("version: 1\nversion: 1\nphases:\n  - id: p\n    id: q\n    kind: preflight\n    checks:\n"
                "      - {id: a, run: 'true', run: 'false'}\n")
    if kind == 3:  # a self-referencing structure
        return "version: 1\nphases: &p\n  - id: p\n    kind: preflight\n    checks: *p\n"
    if kind == 4:  # recursive alias
        return "version: 1\nx: &x [*x]\n"
    if kind == 5:
        return "version: 1\nphases:\n" + "  " * 1 + "- " * rng.choice([50, 150, 600]) + "x\n"
    if kind == 6:  # (past ~300 levels PyYAML's parser recurses too deep: ~2 s of CPU each)
        return "{" * rng.choice([10, 150, 600]) + "\n"
    if kind == 7:
        return f"version: 1\nphases:\n  - id: p\n    kind: preflight\n    checks:\n      - id: a\n        run: true\n        {rng.choice(WORDS)}: !!{rng.choice(['set', 'omap', 'pairs', 'binary', 'timestamp', 'python/name:os.system', 'str'])} {rng.choice(['x', '[1]', '{a: 1}', ''])}\n"
    return "? [a, b]\n: c\n? {x: 1}\n: d\nversion: 1\n"


# ---- configs ---------------------------------------------------------------------------


def config_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        return special_yaml(rng)
    data = mutate_tree(rng, valid_config(rng), rng.choice([0, 1, 1, 2, 3, 6]))
    text = render_yaml(rng, data)
    if roll < 0.45:
        text = damage_text(rng, text)
    return text


def gen_config(rng: random.Random) -> Case:
    text = config_text(rng)
    name = rng.choice(["gonogo.yml"] * 6 + ["gonogo.yaml", "other.yml", "conf.json", "x.YML"])
    files = {name: text.encode("utf-8", "surrogatepass")}
    cfg = [] if name == "gonogo.yml" and chance(rng, 0.3) else ["-c", name]
    env = rng.choice([[], [], ["-e", "production"], ["-e", "staging"], ["-e", "nope"], ["--env", ""]])
    command = rng.choice(["validate"] * 12 + ["check", "check", "secrets", "secrets", "deploy"])
    argv = [command, *cfg, *env]
    if command == "check" and chance(rng, 0.3):
        argv += rng.choice([["--phase", "p0"], ["--only", "a0"], ["-j", "1"], ["--report", "json:r.json"],
                            ["-r", "junit:r.xml"], ["-r", "html:r.html"], ["-r", "checklist"],
                            ["-r", "markdown"]])
    if command == "deploy":
        argv += ["--version", rng.choice(["1.0", "", "${x}", "\u00e9"])] + (["--dry-run"] if chance(rng, 0.5) else [])
    return Case("config", argv, files)


# ---- Markdown --------------------------------------------------------------------------

HEADINGS = [
    "Pre-Deployment Checks", "Code Quality Gates", "Verification", "Readiness", "Post-Deployment",
    "Monitoring", "Backup", "Smoke tests", "Deploy", "Rollback Plan", "Release", "Observe",
    "Follow-up", "Random notes", "\U0001f680 Launch", "\u30c7\u30d7\u30ed\u30a4", "\u90e8\u7f72\u524d\u68c0\u67e5",
    "`pnpm` stuff", "", "Deploy <!-- gonogo-phase: {kind: verify} -->", "Required Secrets",
    "Emergency Contacts", "A" * 400, "Verify & Deploy & Rollback", "Проверка",
]
ITEMS = [
    "`pnpm install` succeeds", "API build passes", "Lint passes", "Tests pass", "Typecheck passes",
    "All required secrets are set", "`JWT_SECRET` is strong (32+ characters)",
    "`DATABASE_URL` points to production DB", "`ALLOWED_ORIGINS` includes production domain",
    "API `/health` returns 200", "Homepage loads", "Database backup created", "Backup restores",
    "Migrations applied", "Images built", "Images pushed", "No dev values in production env",
    "Critical user flows tested", "Update `docs`", "Notify the team", "Record the deploy",
    "Docker images build", "`make test` passes", "", "[ ]", "\u2705 done", "x" * 300,
]
ANNOTATION_BODIES = [
    "{type: http, url: 'http://127.0.0.1:9/health', expect: {status: 200}}", "{type: manual}",
    "{run: 'true'}", "{run: 'false', advisory: true}", "{type: smtp}", "{", "}", "{type: http",
    "[1, 2]", "just text", "", "{needs: [nope]}", "{needs: [self]}", "{timeout: soon, run: 'true'}",
    "{id: 'bad id', run: 'true'}", "{type: record, path: deploy-status.md}", "{type: notify, urls: ['json://127.0.0.1:9']}",
    "{type: env.required, names: [A]}", "*a", "&a {run: 'true'}", "{run: 'true', run: 'false'}",
    "{type: file, path: missing}", "{retry: {within: 0s}, run: 'true'}", "{kind: verify}", "{phase: deploy}",
    "!!python/object:os.system {}", "{type: secret.strength, name: X, min_length: -1}", "\n- a\n- b\n",
    "{type: tcp, host: 127.0.0.1, port: 99999999999999999999}", "{timeout: 99999999999999999999s, run: 'true'}",
]


def _annotation(rng: random.Random) -> str:
    body = rng.choice(ANNOTATION_BODIES)
    if chance(rng, 0.2):
        body = damage_text(rng, body)
    opener = rng.choice(["<!-- gonogo: ", "<!--gonogo:", "<!-- gonogo:", "<!-- gonogo-phase: ", "<!-- GONOGO: "])
    closer = rng.choice([" -->", "-->", "", " --!>"]) if chance(rng, 0.2) else " -->"
    return opener + body + closer


def _fence(rng: random.Random) -> list[str]:
    marker = rng.choice(["```", "```", "~~~", "````"])
    lang = rng.choice(["bash", "sh", "shell", "console", "zsh", "", "yaml", "bash {.x}", "BASH"])
    lines = [marker + lang]
    prompt = chance(rng, 0.3)
    for _ in range(rng.randrange(0, 6)):
        cmd = rng.choice(SAFE_COMMANDS + ["cd sub", "export X=1", "# comment", "", "echo a \\", "  && true",
                                          "cat <<'EOF'", "EOF", "$", "$ "])
        lines.append(("$ " if prompt else "") + cmd)
        if prompt and chance(rng, 0.3):
            lines.append("output line")
    if chance(rng, 0.9):
        lines.append(marker)
    return lines


def _table(rng: random.Random) -> list[str]:
    head = rng.choice([["Secret", "Location", "Purpose"], ["Role", "Contact"], ["A", "B"], ["Secret"],
                       ["Role", "Contact", "Notes"]])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _ in range(rng.randrange(0, 5)):
        cells = [rng.choice(["`JWT_SECRET`", "DATABASE_URL", ".env.production", "GitHub Secrets", "on-call",
                             "ops@127.0.0.1", "- [ ] x", "", "\\|", "a|b", "`A`, `B`", "\U0001f680"])
                 for _ in range(rng.randrange(0, len(head) + 2))]
        lines.append("| " + " | ".join(cells) + (" |" if chance(rng, 0.8) else ""))
    return lines


def markdown_doc(rng: random.Random) -> str:
    out: list[str] = []
    if chance(rng, 0.15):
        out += ["---", rng.choice(["title: x", "gonogo: {x: 1}", "a: [", "name: demo\nversion: 1", ""]),
                rng.choice(["---", "..."])]
    if chance(rng, 0.8):
        out.append("# " + rng.choice(HEADINGS))
    for _ in range(rng.randrange(0, 7)):
        out.append("")
        out.append("#" * rng.choice([1, 2, 2, 3, 3, 4, 6, 7]) + " " + rng.choice(HEADINGS))
        if chance(rng, 0.15):
            out.append(f"<!-- gonogo-phase: {rng.choice(['{kind: verify}', '{kind: deploy}', 'verify', '{kind: nope}', '{', ''])} -->")
        for _ in range(rng.randrange(0, 6)):
            part = rng.randrange(10)
            if part < 5:
                box = rng.choice(["- [ ] ", "- [x] ", "* [ ] ", "1. [ ] ", "  - [ ] ", "    - [X] ", "- [] ", "+ [ ] "])
                line = box + rng.choice(ITEMS)
                if chance(rng, 0.3):
                    line += " " + _annotation(rng)
                out.append(line)
            elif part < 7:
                out += _fence(rng)
            elif part == 7:
                out += _table(rng)
            elif part == 8:
                out += [f"{i}. **{rng.choice(['API', 'Web', 'Database', 'Worker', ''])}**" for i in range(1, rng.randrange(2, 5))]
            else:
                out.append(rng.choice(["Some text.", "<!-- a comment -->", "<!--", "> quote", "***", "<div>", "\t- [ ] tab"]))
    text = "\n".join(out) + rng.choice(["\n", "", "\n\n"])
    if chance(rng, 0.2):
        text = text.replace("\n", "\r\n")
    if chance(rng, 0.25):
        text = damage_text(rng, text)
    return text


def corpus_doc(rng: random.Random) -> str:
    paths = sorted((REPO / "tests" / "data" / "checklists").glob("*.md"))
    ref = Path("/work/shared/reference/production-deployment-checklist.md")
    if ref.is_file():
        paths.append(ref)
    text = rng.choice(paths).read_text(encoding="utf-8", errors="surrogateescape") if paths else ""
    lines = text.splitlines(keepends=True)
    for _ in range(rng.randrange(0, 8)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        op = rng.randrange(6)
        if op == 0:
            lines[i] = "#" * rng.randrange(1, 8) + " " + rng.choice(HEADINGS) + "\n"
        elif op == 1:
            lines.insert(i, "- [ ] " + rng.choice(ITEMS) + " " + _annotation(rng) + "\n")
        elif op == 2:
            del lines[i]
        elif op == 3:
            lines.insert(i, rng.choice(["```bash\n", "```\n", "| a | b |\n", "<!--\n", "-->\n"]))
        elif op == 4:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        else:
            lines.insert(i, lines[rng.randrange(len(lines))])
    return "".join(lines)


def sidecar_text(rng: random.Random, checklist: str) -> str:
    data: dict[str, Any] = {"checklist": checklist}
    if chance(rng, 0.7):
        data["environments"] = {"production": {"vars": {"domain": "127.0.0.1", "db_host": "127.0.0.1"}}}
    if chance(rng, 0.5):
        data["bind"] = {rng.choice(ITEMS) or "x": rng.choice([{"run": "true"}, {"type": "manual"}, {"type": "http", "url": URLS[0]}, "x", None, {"phase": "verify"}])}
    if chance(rng, 0.2):
        data["phases"] = []
    if chance(rng, 0.4):
        data = mutate_tree(rng, data, rng.randrange(1, 3))
    return render_yaml(rng, data)


def gen_markdown(rng: random.Random) -> Case:
    from_corpus = chance(rng, 0.3)
    text = corpus_doc(rng) if from_corpus else markdown_doc(rng)
    name = rng.choice(["CHECKLIST.md"] * 5 + ["x.markdown", "DEPLOY.MD"])
    files = {name: text.encode("utf-8", "surrogatepass")}
    sidecar: list[str] = []
    if chance(rng, 0.3):
        files["gonogo.yml"] = sidecar_text(rng, name).encode("utf-8", "surrogatepass")
        if chance(rng, 0.5):
            sidecar = ["-c", "gonogo.yml"]
    command = rng.choice(["explain"] * 4 + ["import", "import", "validate", "validate", "check"])
    env = rng.choice([[], [], ["-e", "production"], ["-e", "nope"]])
    if command == "explain":
        argv = ["explain", name, *sidecar, *env] + (["--format", "json"] if chance(rng, 0.5) else [])
    elif command == "import":
        argv = ["import", name, *sidecar] + rng.choice([[], ["-o", "out.yml"], ["-o", "-"], ["-o", "sub/out.yml"]])
    elif command == "validate":
        argv = ["validate", "-c", name, *env]
    else:
        argv = ["check", "-c", name, *env] + (["-r", "checklist:ticked.md"] if chance(rng, 0.3) else [])
    return Case("markdown", argv, files, from_corpus=from_corpus)


# ---- env files -------------------------------------------------------------------------

ENV_LINES = [
    "API_KEY=abc", "export JWT_SECRET=0123456789abcdef0123456789abcdef", "DATABASE_URL=postgresql://u:p@127.0.0.1:1/db",
    'QUOTED="a \\"b\\" \\n c"', "SINGLE='it''s'", 'MULTI="line1\nline2\nline3"', "EMPTY=", "NOEQUALS",
    "=value", "1BAD=x", "WITH.DOTS=x", "WITH-DASH=x", " SPACED = x ", "# comment", "X=1 # inline",
    "\u00e9T\u00c9=\u00e9", "KEY=\U0001f680", "UNTERMINATED=\"abc", "UNTERMINATED2='abc", "REF=${API_KEY}",
    "SELF=${SELF}", "LOOP_A=${LOOP_B}", "LOOP_B=${LOOP_A}", "NESTED=${A:-${B:-c}}", "DOLLAR=$", "BRACE=${",
    "TAB=\tx", "export", "export =", "KEY=a=b=c", "ALLOWED_ORIGINS=https://127.0.0.1,http://localhost",
    "NODE_ENV=development", "DEBUG=true", "LONG=" + "x" * 10000, "K\x00=v", "BACKSLASH=\\", "Q=\"\\\"",
    "CRLF=x\r", "JWT_SECRET=short", "JWT_SECRET=", "DATABASE_URL=not a url", "DATABASE_URL=postgresql://",
    "STRIPE_SK=sk_live_0123456789abcdefghij", "   ", "\ufeffBOM=1", "export export=1", "A=\"${}\"",
]


def gen_envfile(rng: random.Random) -> Case:
    lines = [rng.choice(ENV_LINES) for _ in range(rng.randrange(0, 12))]
    text = rng.choice(["\n", "\r\n", "\r"]).join(lines) + rng.choice(["\n", ""])
    raw = text.encode("utf-8", "surrogatepass")
    if chance(rng, 0.1):
        raw = raw[: rng.randrange(len(raw) + 1)] + rng.choice([b"\xff\xfe", b"\x00", b"\xc3", b"\x80abc"])
    env_file = rng.choice([".env.production", ".env.production", "missing.env", "envdir"])
    checks = [
        {"id": "req", "type": "env.required", "names": ["API_KEY", "JWT_SECRET", "DATABASE_URL"]},
        {"id": "strong", "type": "secret.strength", "name": "JWT_SECRET", "min_length": 32},
        {"id": "db", "type": "env.url", "name": "DATABASE_URL", "hosts": ["127.0.0.1"]},
        {"id": "origins", "type": "env.list", "name": "ALLOWED_ORIGINS", "contains": ["http://localhost"]},
        {"id": "dev", "type": "env.no_dev_values"},
    ]
    config: dict[str, Any] = {
        "version": 1,
        "environments": {"production": {"env_files": [env_file], "vars": {"domain": "${API_KEY}"} if chance(rng, 0.3) else {}}},
        "secrets": [{"name": n, "location": ".env.production", "purpose": "x"} for n in ("JWT_SECRET", "API_KEY")],
        "phases": [{"id": "env", "kind": "preflight", "checks": rng.sample(checks, rng.randrange(1, len(checks) + 1))}],
    }
    if chance(rng, 0.2):
        config["phases"][0]["checks"].append({"id": "interp", "run": "echo ${API_KEY} ${REF}"})
    if chance(rng, 0.2):
        config = mutate_tree(rng, config, 1)
    files = {"gonogo.yml": render_yaml(rng, config).encode("utf-8", "surrogatepass"), ".env.production": raw}
    if env_file == "envdir":
        files["envdir/"] = b""
    command = rng.choice([["validate", "-e", "production"], ["secrets", "-e", "production"],
                          ["secrets", "-e", "production", "--format", "json"], ["check", "-e", "production"],
                          ["check", "-e", "production", "-r", "json:r.json"]])
    return Case("envfile", command, files)


# ---- argument vectors ------------------------------------------------------------------

INTS = ["0", "-1", "1", "20", "99999999999999999999", "-99999999999999999999", "1e3", "0x10", " 5", "5 ",
        "\u0663", "NaN", "", "9" * 5000, "2147483648", "18446744073709551616", "+7", "1_000"]
RUN_IDS = ["last", "LAST", "", "0", "r", "nope", "-", "%", "_", "'; drop table runs; --", "\u00e9", "a" * 500,
           "20", "*", "..", "last~1", "\x7f"]
#: (Nothing outside the workspace that exists: history commands create state beside the config.)
PATHS_IN = ["gonogo.yml", "missing.yml", "dir", "binary.bin", "empty.yml", "CHECKLIST.md", "", "-",
            "/no/such/dir/x.yml", "dir/", "gonogo.yml/x", "\udcff.yml", "utf16.yml", "huge.yml",
            "link-loop.yml", "...", "dir/inner.txt", "sub/../gonogo.yml"]
PATHS_OUT = ["out.json", "no/such/dir/x.json", "dir", "binary.bin", "-", "",
             "sub/deeper/out.yml", "gonogo.yml/x", "\udcff.out", "link-loop.yml", "a" * 300 + ".json",
             "dir/" + "b" * 300]
VALUES = ["1.0", "", "-", "--", "production", "staging", "nope", "\u00e9", "x" * 1000, "${version}",
          "2020-01-01", "2999-12-31", "yesterday", "2020-13-45", "99999999999999999999", "-1", "a b",
          "\udcff", "🚀", "\t"]


def _walk_parser() -> dict[str, list[tuple[list[str], dict[str, Any]]]]:
    """Subcommand → its arguments (option strings, and what values they take), from gonogo's parser."""
    from gonogo.cli import build_parser

    parser = build_parser()
    table: dict[str, list[tuple[list[str], dict[str, Any]]]] = {}
    for action in parser._actions:  # noqa: SLF001 - argparse has no public walk
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for name, sub in action.choices.items():
                table[name] = [
                    (list(a.option_strings), {"dest": a.dest, "nargs": a.nargs, "choices": a.choices,
                                              "type": a.type, "required": a.required,
                                              "flag": a.nargs == 0})
                    for a in sub._actions if not isinstance(a, argparse._HelpAction)  # noqa: SLF001
                ]
    return table


_PARSER_TABLE: dict[str, list[tuple[list[str], dict[str, Any]]]] | None = None


def _value_for(rng: random.Random, dest: str, spec: dict[str, Any]) -> str:
    if spec["choices"] and chance(rng, 0.8):
        return str(rng.choice(list(spec["choices"])))
    if spec["type"] is int or dest in ("limit", "jobs"):
        return rng.choice(INTS)
    pools = {"config": PATHS_IN, "checklist": PATHS_IN + ["CHECKLIST.md"] * 4, "source": PATHS_IN,
             "output": PATHS_OUT, "report": ["json", "json:r.json", "junit:no/such/dir/r.xml", "html:dir", "json:binary.bin/r.json",
                                             "nope", "json:", ":x", "checklist:t.md", "console", "markdown:-",
                                             "github", "json:dir"],
             "run": RUN_IDS, "item": ["ok", "manual", "a", "", "Critical", "5", "line:3", "\u00e9", "x" * 200],
             "target": URLS + BAD_URLS, "env": ["production", "staging", "nope", "", "\u00e9"],
             "dir": ["dir", "newdir", "binary.bin", "/no/such/dir", "", "sub/deeper"],
             "phase": ["p0", "verify", "preflight", "nope", ""], "only": ["ok", "manual", "nope", "", "p0"]}
    return rng.choice(pools.get(dest, VALUES))


def gen_argv(rng: random.Random) -> Case:
    global _PARSER_TABLE
    if _PARSER_TABLE is None:
        _PARSER_TABLE = _walk_parser()
    table = _PARSER_TABLE
    names = sorted(table)
    # `schema` builds the JSON Schema of every check type (0.5 s): fewer of those
    command = rng.choice([n for n in names if n != "schema"] * 3 + ["schema", "", "nope", "--version", "-h"])
    argv: list[str] = [command] if command else []
    if command in table:
        for options, spec in table[command]:
            if spec["dest"] in ("help", "command"):
                continue
            if not (spec["required"] or not options or chance(rng, 0.35)):
                continue
            if options and spec["required"] and chance(rng, 0.05):
                continue  # a required option left out
            if not options:  # positional
                if spec["nargs"] == "?" and chance(rng, 0.3):
                    continue
                argv.append(_value_for(rng, spec["dest"], spec))
                continue
            argv.append(rng.choice(options))
            if not spec["flag"]:
                if chance(rng, 0.97):
                    argv.append(_value_for(rng, spec["dest"], spec))
        if chance(rng, 0.1):
            argv.insert(rng.randrange(1, len(argv) + 1), rng.choice(["--nope", "-x", "--", "-h", "--help", "extra", "-"]))
        if chance(rng, 0.1) and len(argv) > 1:
            argv.append(argv[rng.randrange(1, len(argv))])
    if command == "demo":  # starts local servers and a whole deploy: only its usage errors here
        argv = ["demo", rng.choice(["--nope", "--dir", "-x", "extra"])]
    return Case("argv", argv, {}, template=True)


GENERATORS: dict[str, Callable[[random.Random], Case]] = {
    "config": gen_config, "markdown": gen_markdown, "envfile": gen_envfile, "argv": gen_argv,
}


@dataclass
class Case:
    kind: str
    argv: list[str]
    files: dict[str, bytes]
    template: bool = False
    from_corpus: bool = False


def generate(seed: int, index: int) -> Case:
    rng = random.Random(f"{seed}:{index}")
    kind = rng.choices(KINDS, WEIGHTS)[0]
    return GENERATORS[kind](rng)


def safe_to_execute(case: Case) -> bool:
    """May this input run commands (``check``/``deploy``)? Only when no text names a path
    outside the workspace, so the shims-only PATH leaves a shell nothing real to reach."""
    if case.from_corpus:
        return False
    for raw in case.files.values():
        text = raw.decode("utf-8", "replace")
        for allowed in SAFE_SLASHES:
            text = text.replace(allowed, "")
        if any(bad in text for bad in ("/", "..", "\\", "$(", "`$", "~")):
            return False
    return True


# ---- the sandbox -----------------------------------------------------------------------


class GuardViolation(PermissionError):
    """The fuzzer's audit hook refused something outside the sandbox."""


@dataclass
class Guard:
    root: str
    shims: str
    violations: list[str] = field(default_factory=list)
    on: bool = False

    def _inside(self, path: Any) -> bool:
        if isinstance(path, int):
            return True
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str | os.PathLike):
            return True
        real = os.path.realpath(os.fspath(path))
        return real == self.root or real.startswith(self.root + os.sep)

    def refuse(self, what: str) -> None:
        # Paths under /no/such/ are generated on purpose (a folder that does not exist):
        # refused as a read-only file system would, not counted as the sandbox's failure.
        if "'/no/such/" not in what:
            self.violations.append(what)
        raise GuardViolation(f"fuzz sandbox refused: {what}")

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.on or threading.current_thread().name.startswith("fuzz-cleaner"):
            return
        if event == "open":
            path, mode, flags = args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)))
            if writing and path != os.devnull and not self._inside(path):
                self.refuse(f"write {path!r}")
        elif event in ("os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate",
                       "os.utime", "shutil.rmtree", "os.symlink", "os.link"):
            if event in ("os.remove", "os.rmdir", "os.mkdir") and args[-1] not in (None, -1):
                return  # relative to a dir_fd (rmtree's own walk): its top was checked
            if args and not self._inside(args[0]):
                self.refuse(f"{event} {args[0]!r}")
        elif event in ("os.rename", "shutil.move", "shutil.copyfile", "shutil.copytree"):
            if len(args) > 1 and not self._inside(args[1]):
                self.refuse(f"{event} -> {args[1]!r}")
        elif event == "sqlite3.connect":
            db = args[0]
            if db not in (":memory:", b":memory:", "") and not str(db).startswith("file:") and not self._inside(db):
                self.refuse(f"sqlite {db!r}")
        elif event == "socket.connect":
            sock, address = args
            if sock.family == socket.AF_UNIX:
                if isinstance(address, str | bytes) and address and not self._inside(address):
                    self.refuse(f"connect {address!r}")
            else:  # nothing listens in the sandbox: act as a machine without network
                raise ConnectionRefusedError(111, "Connection refused (fuzz sandbox)")
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
            host = args[0]
            if isinstance(host, bytes):
                host = host.decode("ascii", "replace")
            if host not in (None, "localhost", "127.0.0.1", "::1") and not _is_ip(str(host)):
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (fuzz sandbox)")
        elif event in ("subprocess.Popen", "os.posix_spawn", "os.exec", "os.spawn"):
            exe = args[0]
            if isinstance(exe, bytes):
                exe = os.fsdecode(exe)
            if exe is None and len(args) > 1 and args[1]:
                first = args[1][0] if isinstance(args[1], list | tuple) else args[1]
                exe = os.fsdecode(first) if isinstance(first, bytes) else str(first)
            exe = str(exe)
            if os.sep not in exe and not shutil.which(exe, path=self.shims):
                return  # PATH holds only the shims: not found there, it cannot start
            resolved = exe if os.sep in exe else (shutil.which(exe, path=self.shims) or exe)
            if exe == "uname":  # platform.platform() in a crash log asks `uname -p`
                return
            if resolved not in ("/bin/sh", sys.executable) and not resolved.startswith(self.shims + os.sep):
                self.refuse(f"exec {exe!r}")


def _is_ip(host: str) -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host.strip("[]"))
            return True
        except OSError:
            pass
    return False


def make_shims(folder: Path, log: Path) -> None:
    """Every program a generated command may name: record the call, change nothing."""
    folder.mkdir(parents=True, exist_ok=True)
    behaviour = {"true": "exit 0", "false": "exit 1", "echo": 'echo "$@"', "printf": 'printf "$@"'}
    for name in [*SHIMS, *behaviour]:
        shim = folder / name
        shim.write_text(f'#!/bin/sh\nprintf "%s\\n" "$0 $*" >> "{log}"\n{behaviour.get(name, "exit 0")}\n',
                        encoding="utf-8")
        shim.chmod(0o755)


def sandbox_env(root: Path, shims: Path) -> dict[str, str]:
    """The only environment gonogo and its children see: every path inside ``root``."""
    return {
        "PATH": str(shims), "HOME": str(root / "home"), "TMPDIR": str(root / "tmp"),
        "XDG_CACHE_HOME": str(root / "home" / ".cache"), "XDG_STATE_HOME": str(root / "home" / ".state"),
        "XDG_CONFIG_HOME": str(root / "home" / ".config"), "GONOGO_CRASH_DIR": str(root / "crashes"),
        "DOCKER_HOST": f"unix://{root}/no-docker.sock", "GONOGO_DOCKER": str(shims / "docker"),
        "NO_COLOR": "1", "COLUMNS": "120", "TERM": "dumb", "PYTHONHASHSEED": "0",
        "PGCONNECT_TIMEOUT": "1", "PYTHONDONTWRITEBYTECODE": "1", "JWT_SECRET": "proc-env-secret-value-0123456789",
    }


# ---- running one input -----------------------------------------------------------------


@dataclass
class Result:
    code: int | None
    stdout: str
    stderr: str
    error: str = ""  # an exception that escaped gonogo's entry point, or a hang


class CaseTimeout(BaseException):  # noqa: N818 - not an error of gonogo's: the fuzzer's alarm
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise CaseTimeout()


def place_files(where: Path, files: dict[str, bytes | None]) -> None:
    for name, content in files.items():
        target = where / name
        if content is None:  # a symbolic link to itself
            target.symlink_to(target.name)
        elif name.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)


def fixture_files() -> dict[str, bytes | None]:
    """Odd files every argv case can point at."""
    return {
        "dir/": b"", "dir/inner.txt": b"x", "binary.bin": bytes(range(256)) * 4, "empty.yml": b"",
        "utf16.yml": "version: 1\n".encode("utf-16"), "link-loop.yml": None, "huge.yml": b"version: 1\n" + b"# pad\n" * 20000,
        "CHECKLIST.md": b"# Deploy\n\n## Pre-Deployment\n\n- [ ] `true` succeeds\n\n```bash\ntrue\n```\n",
    }


def run_inprocess(argv: list[str], timeout: float) -> Result:
    from gonogo.cli import main

    out_buf, err_buf = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_buf, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(err_buf, encoding="utf-8", errors="backslashreplace", write_through=True)
    saved = (sys.stdin, sys.stdout, sys.stderr, sys.argv)
    sys.stdin, sys.stdout, sys.stderr = io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"), out, err
    sys.argv = ["gonogo", *argv]
    code: int | None = None
    error = ""
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except CaseTimeout:
        error = f"hang: no end within {timeout:.0f} s"
    except BaseException as exc:  # noqa: BLE001 - anything escaping the entry point is a finding
        error = "escaped: " + "".join(traceback.format_exception(exc))[-3000:]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.stdin, sys.stdout, sys.stderr, sys.argv = saved
    for stream in (out, err):
        with contextlib.suppress(Exception):
            stream.flush()
    return Result(code, out_buf.getvalue().decode("utf-8", "replace"),
                  err_buf.getvalue().decode("utf-8", "replace"), error)


CHILD = (
    "import sys, runpy; sys.path.insert(0, {bench!r}); import fuzz; fuzz.child_guard({root!r}, {shims!r}); "
    "sys.argv[0] = 'gonogo'; runpy.run_module('gonogo', run_name='__main__', alter_sys=True)"
)


def child_guard(root: str, shims: str) -> None:
    guard = Guard(root, shims)
    sys.addaudithook(guard)
    guard.on = True


def run_subprocess(argv: list[str], cwd: Path, root: Path, shims: Path, timeout: float) -> Result:
    code = CHILD.format(bench=str(Path(__file__).resolve().parent), root=str(root), shims=str(shims))
    try:
        proc = subprocess.run([sys.executable, "-c", code, *[os.fsencode(a) for a in argv]], cwd=cwd,
                              env=sandbox_env(root, shims), capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return Result(None, "", "", f"hang: no end within {timeout:.0f} s")
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


def verdict(case: Case, result: Result, guard_hits: list[str]) -> tuple[str, str] | None:
    """None when the input ended as it should; else (signature, detail) of the failure."""
    command = case.argv[0] if case.argv else ""
    if guard_hits:
        return f"sandbox refused: {_mask(guard_hits[0])}", "; ".join(guard_hits[:3])
    if result.error:
        first = result.error.splitlines()[0]
        where = _last_gonogo_frame(result.error)
        return f"{first[:60]} at {where}", result.error
    allowed = OK_CODES | ({5, 6, 7} if command in DEPLOY_COMMANDS else set())
    both = result.stdout + result.stderr
    if result.code == 3 or "unexpected error" in result.stderr:
        line = next((ln for ln in result.stderr.splitlines() if "unexpected error" in ln), "exit 3")
        crash = _crash_frame(result.stderr)
        return f"exit 3 {command}: {_mask(line.split(':', 3)[-2] if line.count(':') >= 3 else line)} at {crash}", result.stderr
    if "Traceback (most recent call last)" in both:
        return f"traceback {command} at {_last_gonogo_frame(both)}", both[-3000:]
    if result.code not in allowed:
        return f"exit {result.code} {command}", result.stderr[-2000:]
    if result.code == 2:
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        if lines and lines[0].startswith("usage:"):  # argparse: usage block, then one error line
            if not ERROR_LINE.match(lines[-1]):
                return f"argparse error not one line {command}", result.stderr
        elif not result.stderr and result.stdout.startswith("usage:"):
            pass  # `gonogo` alone prints help and exits 2
        elif len(lines) != 1 or not ERROR_LINE.match(lines[0]):
            return f"exit 2 without a one-line error ({command}): {_mask(lines[0][:50]) if lines else 'silent'}", result.stderr[-2000:]
    return None


def _mask(text: str) -> str:
    return re.sub(r"\d+", "N", re.sub(r"'[^']*'", "'…'", text))


def _last_gonogo_frame(text: str) -> str:
    frames = re.findall(r'File "([^"]*gonogo/[^"]*)", line (\d+), in (\S+)', text)
    if not frames:
        return "?"
    path, line, func = frames[-1]
    return f"{path.split('gonogo/', 1)[-1]}:{func}"


_CRASH_DIR: list[Path] = []


def _crash_frame(stderr: str) -> str:
    found = re.search(r"crash log with details is at (\S+)", stderr)
    if found and Path(found.group(1)).is_file():
        text = Path(found.group(1)).read_text(encoding="utf-8", errors="replace")
        return _last_gonogo_frame(text)
    return "?"


# ---- the workers -----------------------------------------------------------------------


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    seconds: Counter[str] = field(default_factory=Counter)
    slowest: list[tuple[float, int, str]] = field(default_factory=list)
    exits: Counter[str] = field(default_factory=Counter)

    def add(self, index: int, case: Case, failure: tuple[str, str] | None, result: Result) -> None:
        self.counts[case.kind] += 1
        self.exits[f"{case.kind} {result.code}"] += 1
        if failure is None:
            return
        signature, detail = failure
        self.failures[signature] += 1
        shown = self.examples.setdefault(signature, [])
        if len(shown) < 3:
            shown.append({"index": index, "kind": case.kind, "argv": case.argv, "exit": result.code,
                          "detail": detail[-1500:],
                          "files": {k: v[:600].decode("utf-8", "replace") for k, v in case.files.items()}})

    def merge(self, other: Tally) -> None:
        self.counts.update(other.counts)
        self.failures.update(other.failures)
        self.seconds.update(other.seconds)
        self.exits.update(other.exits)
        self.slowest = sorted([*self.slowest, *other.slowest], reverse=True)[:5]
        for key, shown in other.examples.items():
            mine = self.examples.setdefault(key, [])
            mine.extend(shown[: max(0, 3 - len(mine))])


_STATE: dict[str, Any] = {}


def worker_init(root: str) -> None:
    base = Path(tempfile.mkdtemp(prefix="w-", dir=root))
    shims = base / "shims"
    make_shims(shims, base / "shims.log")
    env = sandbox_env(base, shims)
    for name in ("home", "tmp", "crashes", "cases", "trash"):
        (base / name).mkdir()
    os.environ.clear()
    os.environ.update(env)
    tempfile.tempdir = env["TMPDIR"]
    guard = Guard(str(base.resolve()), str(shims.resolve()))
    sys.addaudithook(guard)
    signal.signal(signal.SIGALRM, _alarm)
    sys.dont_write_bytecode = True
    _import_everything()  # lazy imports later must not write bytecode under the guard
    import gonogo.cli

    # A real process builds the parser once; building it for every one of 100,000 inputs
    # would be most of the time spent (20 ms each). Parsing itself is unchanged.
    gonogo.cli.build_parser = functools.lru_cache(maxsize=1)(gonogo.cli.build_parser)
    template = base / "template"
    template.mkdir()
    place_files(template, {"gonogo.yml": TEMPLATE_CONFIG.encode(), **fixture_files()})
    _STATE.update(base=base, guard=guard, template=template, shims=shims, env=env,
                  cleaner=concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="fuzz-cleaner"))
    with _chdir(template):
        guard.on = True
        for argv in (["check", "-e", "staging"], ["check", "-e", "staging", "--only", "ok"],
                     ["check", "-e", "staging", "--only", "bad"]):
            run_inprocess(argv, CASE_TIMEOUT_S)
        guard.on = False
        guard.violations.clear()


def _import_everything() -> None:
    import importlib
    import pkgutil

    import gonogo

    for info in pkgutil.walk_packages(gonogo.__path__, "gonogo."):
        if info.name.endswith("__main__"):
            continue
        with contextlib.suppress(Exception):
            importlib.import_module(info.name)


TEMPLATE_CONFIG = """\
version: 1
name: fuzz
environments:
  production: {protected: true, vars: {domain: 127.0.0.1}}
  staging: {vars: {domain: localhost}}
phases:
  - id: p0
    kind: preflight
    checks:
      - {id: ok, run: "true"}
      - {id: bad, run: "false"}
      - {id: manual, title: Critical user flows tested, type: manual}
  - id: verify
    kind: verify
    checks:
      - {id: echo, run: echo verified, needs: [ok]}
services:
  - {name: api, driver: shell, deploy: "true", rollback: "true"}
"""


@contextlib.contextmanager
def _chdir(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run_case(index: int, case: Case, *, subprocess_mode: bool = False) -> tuple[Result, tuple[str, str] | None]:
    base: Path = _STATE["base"]
    guard: Guard = _STATE["guard"]
    where = base / "cases" / str(index)
    if case.template:
        shutil.copytree(_STATE["template"], where, symlinks=True)
    else:
        where.mkdir()
    place_files(where, case.files)
    argv = list(case.argv)
    if argv and argv[0] in ("check", "deploy", "backup") and not safe_to_execute(case):
        argv[0] = "validate" if argv[0] != "backup" else "validate"
        argv = [a for a in argv if a not in ("--dry-run",)]
        if "--version" in argv:  # validate has no --version V
            i = argv.index("--version")
            del argv[i : i + 2]
        case = Case(case.kind, argv, case.files, case.template, case.from_corpus)
    environ = dict(os.environ)
    umask = os.umask(0o022)
    os.umask(umask)
    try:
        with _chdir(where):
            if subprocess_mode:
                result = run_subprocess(argv, where, base, _STATE["shims"], CASE_TIMEOUT_S)
            else:
                guard.on = True
                try:
                    result = run_inprocess(argv, CASE_TIMEOUT_S)
                finally:
                    guard.on = False
    finally:
        os.environ.clear()
        os.environ.update(environ)
        os.umask(umask)
        hits = list(guard.violations)
        guard.violations.clear()
    failure = verdict(case, result, hits)
    trash = base / "trash" / str(index)
    where.rename(trash)
    _STATE["cleaner"].submit(shutil.rmtree, trash, True)  # rmdir is slow here: off the main thread
    return result, failure


def work(task: tuple[int, int, int, bool]) -> Tally:
    seed, start, stop, subprocess_mode = task
    tally = Tally()
    for index in range(start, stop):
        case = generate(seed, index)
        began = time.perf_counter()
        result, failure = run_case(index, case, subprocess_mode=subprocess_mode)
        label = f"{case.kind} {case.argv[0] if case.argv else '-'}"
        spent = time.perf_counter() - began
        tally.seconds[label] += spent
        tally.slowest = sorted([*tally.slowest, (spent, index, label)], reverse=True)[:5]
        tally.seconds["n " + label] += 1
        tally.add(index, case, failure, result)
    return tally


# ---- main ------------------------------------------------------------------------------


def _in_netns() -> bool:
    return os.environ.get("GONOGO_FUZZ_NETNS") == "1"


def reexec_without_network(argv: list[str]) -> int | None:
    """Run this script again in a new network namespace; None when that is not possible."""
    unshare = shutil.which("unshare")
    if not unshare or _in_netns():
        return None
    flags = ["--net"] if os.geteuid() == 0 else ["--net", "--map-root-user"]
    probe = subprocess.run([unshare, *flags, "true"], capture_output=True)
    if probe.returncode != 0:
        return None
    env = {**os.environ, "GONOGO_FUZZ_NETNS": "1"}
    return subprocess.run([unshare, *flags, sys.executable, __file__, *argv], env=env).returncode


def print_report(tally: Tally, elapsed: float, sub_tally: Tally | None, sub_elapsed: float, show: int) -> None:
    total = sum(tally.counts.values())
    print(f"in-process: {total:,} inputs in {elapsed:.1f} s ({total / max(elapsed, 1e-9):,.0f}/s)")
    for kind in KINDS:
        codes = sorted((k.split()[1], v) for k, v in tally.exits.items() if k.split()[0] == kind)
        print(f"  {kind:<9} {tally.counts[kind]:>8,}   exit " + ", ".join(f"{c}: {v:,}" for c, v in codes))
    slow = sorted(((v, k) for k, v in tally.seconds.items() if not k.startswith("n ")), reverse=True)[:8]
    print("  time by input: " + ", ".join(
        f"{k} {v:.0f} s/{tally.seconds['n ' + k]:.0f}" for v, k in slow))
    print("  slowest: " + ", ".join(f"#{i} {label} {t:.1f} s" for t, i, label in tally.slowest))
    if sub_tally is not None:
        sub_total = sum(sub_tally.counts.values())
        print(f"subprocess: {sub_total:,} inputs in {sub_elapsed:.1f} s "
              f"({', '.join(f'{k} {sub_tally.counts[k]}' for k in KINDS)})")
        tally = Tally(tally.counts.copy(), tally.failures.copy(), dict(tally.examples))
        tally.merge(Tally(Counter(), sub_tally.failures, sub_tally.examples))
    failed = sum(tally.failures.values())
    print(f"failures: {failed:,} ({len(tally.failures)} distinct)")
    for signature, count in tally.failures.most_common():
        print(f"\n== {count:,} × {signature}")
        for example in tally.examples.get(signature, [])[:show]:
            print(f"   input #{example['index']} ({example['kind']}): gonogo {' '.join(map(repr, example['argv']))}"
                  f" -> exit {example['exit']}")
            for name, text in example["files"].items():
                print(f"   --- {name}: {text[:300]!r}")
            print("   " + example["detail"].strip().replace("\n", "\n   ")[-1200:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=100_000, help="inputs run in-process (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    parser.add_argument("--subprocess", type=int, default=300, help="inputs confirmed as real processes")
    parser.add_argument("--show", type=int, default=2, help="examples shown per distinct failure")
    parser.add_argument("--time-limit", type=float, metavar="S",
                        help="stop taking new inputs after S seconds and report those done")
    parser.add_argument("--replay", type=int, metavar="INDEX", help="run input INDEX alone and show it")
    parser.add_argument("--json", metavar="PATH", help="also write the tallies as JSON here")
    parser.add_argument("--allow-network", action="store_true",
                        help="run even when no network namespace can be made (the audit hook still refuses sockets)")
    raw = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(raw)
    code = reexec_without_network(raw)
    if code is not None:
        return code
    if not _in_netns() and not args.allow_network:
        print("fuzz: cannot make a network namespace (unshare --net); pass --allow-network to rely on "
              "the audit hook alone", file=sys.stderr)
        return 2
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory(prefix="gonogo-fuzz-") as root:
        root = os.path.realpath(root)
        if args.replay is not None:
            return replay(root, args.seed, args.replay)
        chunk = 250
        tasks = [(args.seed, s, min(s + chunk, args.count), False) for s in range(0, args.count, chunk)]
        tally = Tally()
        start = time.perf_counter()
        ctx = multiprocessing.get_context("spawn")
        done = 0
        with ctx.Pool(args.jobs, initializer=worker_init, initargs=(root,)) as pool:
            for part in pool.imap_unordered(work, tasks):
                for signature in part.failures.keys() - tally.failures.keys():
                    print(f"  new failure: {signature} (input #{part.examples[signature][0]['index']})",
                          file=sys.stderr, flush=True)
                tally.merge(part)
                done += sum(part.counts.values())
                if done % 10_000 < chunk:
                    print(f"  … {done:,} inputs, {sum(tally.failures.values())} failures, "
                          f"{time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
                if args.time_limit and time.perf_counter() - start > args.time_limit:
                    print(f"  time limit: stopping after {done:,} inputs", file=sys.stderr, flush=True)
                    pool.terminate()
                    break
        elapsed = time.perf_counter() - start
        sub_tally, sub_elapsed = None, 0.0
        if args.subprocess:
            sub_start = time.perf_counter()
            offset = args.count  # fresh inputs, not the in-process ones again
            sub_tasks = [(args.seed, s, min(s + 50, offset + args.subprocess), True)
                         for s in range(offset, offset + args.subprocess, 50)]
            sub_tally = Tally()
            with ctx.Pool(args.jobs, initializer=worker_init, initargs=(root,)) as pool:
                for part in pool.imap_unordered(work, sub_tasks):
                    sub_tally.merge(part)
            sub_elapsed = time.perf_counter() - sub_start
        print_report(tally, elapsed, sub_tally, sub_elapsed, args.show)
        if args.json:
            Path(args.json).write_text(json.dumps({
                "counts": tally.counts, "failures": tally.failures, "elapsed_s": elapsed,
                "subprocess": sub_tally.counts if sub_tally else {}, "examples": tally.examples,
            }, indent=2, default=str), encoding="utf-8")
        failed = sum(tally.failures.values()) + (sum(sub_tally.failures.values()) if sub_tally else 0)
        return 1 if failed else 0


def replay(root: str, seed: int, index: int) -> int:
    worker_init(root)
    case = generate(seed, index)
    print(f"input #{index} ({case.kind}): gonogo {' '.join(map(repr, case.argv))}")
    for name, content in case.files.items():
        print(f"--- {name} ---\n{content.decode('utf-8', 'replace')}")
    result, failure = run_case(index, case)
    print(f"--- exit {result.code} ---\nstdout: {result.stdout[-3000:]}\nstderr: {result.stderr[-3000:]}\n{result.error}")
    print("ok" if failure is None else f"FAILURE: {failure[0]}")
    return 0 if failure is None else 1


if __name__ == "__main__":
    sys.exit(main())
