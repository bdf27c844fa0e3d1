"""The reference checklist releasing the stack it was written for (examples/v-edfinance):
`make stack-demo`'s scenario, asserted the way a user sees it.

v1 (GO, services created), v2 with a new migration (GO), v3 whose login fails under load
(rolled back to v2, which then serves). It drives the real thing — pnpm, tsc, ESLint, the
images packed from the machine's Node/nginx/PostgreSQL, an htpasswd registry, Docker Swarm
reached over a real OpenSSH server, Prometheus — so it needs root and a Docker engine; it
takes over the `vedfinance-*` names and removes them at the end (`stack.sh down`).

Part of `make test` (CI runs it from a fresh clone, cold); alone: `make stack-test`. Outside
CI it skips with the reason when root, Docker or npm is missing; in CI that fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.stack import Loop, summarize
from testing.services import IN_CI, docker

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "v-edfinance"
STACK = EXAMPLE / "scripts" / "stack.sh"
OUT = EXAMPLE / "out"
WORK = OUT / "work"
NGINX = "http://127.0.0.1:18480"

#: The whole release, cold (install, images, v1, v2, v3 and the rollback); bench/stack.py
#: measures it, this only stops a hung run.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]


def _need(ok: bool, why: str) -> None:
    if not ok:
        if IN_CI:
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="module")
def stack() -> Iterator[dict[str, str]]:
    docker()
    _need(os.geteuid() == 0, "the stack demo installs packages and runs sshd: needs root")
    _need(shutil.which("npm") is not None, "npm is not installed")
    started = time.monotonic()
    up = subprocess.run([str(STACK), "up"], capture_output=True, text=True, timeout=900)
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
    timed("up", started)
    env = dict(os.environ)
    env.pop("DOCKER_CONFIG", None)
    env.pop("DOCKER_HOST", None)
    for line in (OUT / "stack" / "ci.env").read_text().splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    production = dict(line.split("=", 1) for line in
                      (OUT / "stack" / "env.production").read_text().splitlines() if "=" in line)
    env["CI_DATABASE_URL"] = production["DATABASE_URL"] + "_ci"
    env["PATH"] = f"{OUT / 'stack' / 'tools' / 'node_modules' / '.bin'}:{env['PATH']}"
    # the pnpm store CI's build used (stack.sh): the checklist's `pnpm install` reuses the
    # tree it linked instead of purging node_modules for a store of its own
    env["npm_config_store_dir"] = str(OUT / "stack" / "pnpm-store")
    env["NO_COLOR"] = "1"
    env["GONOGO_DOCKER"] = "/usr/bin/docker"
    try:
        yield {**env, "_SMOKE_EMAIL": production["SMOKE_EMAIL"],
               "_SMOKE_PASSWORD": production["SMOKE_PASSWORD"],
               "_DATABASE_URL": production["DATABASE_URL"]}
    finally:
        subprocess.run([str(STACK), "down"], capture_output=True, text=True, timeout=300)


def timed(step: str, started: float) -> None:
    """The scenario's time per step on CI's log (`pytest -rP`; bench/stack.py has the targets)."""
    print(f"stack: {step} {time.monotonic() - started:.0f}s", flush=True)


def prepare(version: str) -> None:
    """The team's commit of `version`, built and pushed by CI."""
    started = time.monotonic()
    result = subprocess.run([str(STACK), "prepare", version], capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    timed(f"prepare {version}", started)


def deploy(env: dict[str, str], version: str) -> subprocess.CompletedProcess[str]:
    """`gonogo deploy` of the document (its output and errors as one text, timed per phase
    heading as it prints them), then its ticked copy and json report in out/."""
    started = time.monotonic()
    clean = {k: v for k, v in env.items() if not k.startswith("_")}
    gonogo_bin = str(REPO / ".venv" / "bin" / "gonogo")
    argv = [gonogo_bin, "deploy", "-c", "production-deployment-checklist.md", "--env",
            "production", "--version", version, "--yes"]
    lines: list[str] = []
    phases: list[tuple[str, float]] = []
    with subprocess.Popen(argv, cwd=WORK, env=clean, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as process:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("── "):
                phases.append((line[3:].strip(), time.monotonic()))
        code = process.wait(timeout=60)
    ended = time.monotonic()
    for i, (title, at) in enumerate(phases):
        print(f"  {(phases[i + 1][1] if i + 1 < len(phases) else ended) - at:6.1f}s  {title}")
    for line in lines:  # how long each service and rollback step took
        if "[services]" in line or "[rollback" in line or "[monitor]" in line:
            print("   ", line.rstrip()[:160])
    for fmt, name in (("checklist", f"ticked-{version}.md"), ("json", f"run-{version}.json")):
        subprocess.run([gonogo_bin, "report", "-c", "production-deployment-checklist.md", "last",
                        "--format", fmt, "-o", str(OUT / name)],
                       cwd=WORK, env=clean, capture_output=True, text=True, timeout=120, check=True)
    timed(f"deploy {version}", started)
    return subprocess.CompletedProcess(argv, code, "".join(lines), "")


@contextmanager
def requests_through_nginx(what: str, login: tuple[str, str] | None) -> Iterator[None]:
    """bench/stack.py's request loop (two browsing workers, two signing in when ``login``)
    around a deploy; its figures go to CI's log (failed requests, the longest gap)."""
    loop = Loop(NGINX, login)
    threads = loop.start(2, 2 if login else 0)
    started = time.monotonic()
    try:
        yield
    finally:
        loop.stop.set()
        for thread in threads:
            thread.join(timeout=10)
    figures = summarize(loop.samples, started, time.monotonic())
    print(f"stack: {what}: {figures['requests']} requests, {figures['failed']} failed "
          f"{figures['failed_by_kind']}, longest gap {figures['longest_gap_s']}s, "
          f"error window {figures['error_window_s']}s", flush=True)


def gonogo(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(REPO / ".venv" / "bin" / "gonogo"), *args], cwd=WORK,
                            env={k: v for k, v in env.items() if not k.startswith("_")},
                            capture_output=True, text=True, timeout=120)
    return result.stdout + result.stderr


def get(path: str) -> str:
    with urllib.request.urlopen(NGINX + path, timeout=5) as response:
        return str(response.read().decode())


def psql(env: dict[str, str], sql: str) -> str:
    return subprocess.run(["psql", env["_DATABASE_URL"], "-tAc", sql], capture_output=True,
                          text=True, timeout=30, check=True).stdout.strip()


def test_the_reference_checklist_releases_v1_v2_and_rolls_back_v3(stack: dict[str, str]) -> None:
    env = stack
    secrets = [env["DOCKERHUB_TOKEN"], env["_SMOKE_PASSWORD"]]

    # v1: the first release creates the swarm services, in order, and is GO
    prepare("v1")
    v1 = deploy(env, "v1")
    assert v1.returncode == 0, v1.stdout[-4000:] + v1.stderr[-2000:]
    ticked = (OUT / "ticked-v1.md").read_text()
    for line in ("- [x] `pnpm install` succeeds", "- [x] No `any` types in changed files",
                 "- [x] No pending migrations", "- [x] JSONB schemas validated",
                 "- [x] `JWT_SECRET` is strong (32+ characters)", "- [x] Images pushed to Docker Hub",
                 "- [x] Backup verified (can restore)", "- [x] Database migrations applied",
                 "- [x] Nginx routing correctly", "- [x] Authentication works",
                 "- [x] Review error logs for first 15 minutes",
                 "- [x] Update deployment status in `docs/devops/deployment-status.md`",
                 "- [x] Notify team of deployment"):
        assert f"\n{line} — ✅" in ticked, line
    assert "release v1" in get("/")
    assert json.loads(get("/api/health")) == {"status": "ok", "version": "v1", "database": "up"}

    # v2: a new migration, applied in order before the API, recorded as Prisma does
    prepare("v2")
    with requests_through_nginx("v2 deploy", None):
        v2 = deploy(env, "v2")
    assert v2.returncode == 0, v2.stdout[-4000:] + v2.stderr[-2000:]
    assert psql(env, "select string_agg(migration_name || ':' || applied_steps_count, ',' "
                     "order by migration_name) from _prisma_migrations where finished_at is not null") == (
        "20261101090000_init:1,20261201080000_lesson_progress:1")
    assert json.loads(get("/api/health"))["version"] == "v2"

    # v3: login answers 500 under load → its container's healthcheck fails on the preview
    # port, so it never takes :13000; the swarm update pauses with v2 serving and gonogo
    # says why (the healthcheck's last output) and rolls back (exit 5)
    prepare("v3")
    with requests_through_nginx("v3 rollback", (env["_SMOKE_EMAIL"], env["_SMOKE_PASSWORD"])):
        v3 = deploy(env, "v3")
    assert v3.returncode == 5, v3.stdout[-4000:] + v3.stderr[-2000:]
    failed = re.search(r"✗ Deploy api: \S+:v2\S* → \S+:v3 \[services\] .* — api: docker service update: "
                       r"exit 1: service update paused: update paused due to failure or early "
                       r"termination of task (\w+); task \w+ \w+ \(.*unhealthy.*\), last "
                       r"healthcheck: 4 simultaneous sign-ins answered: ((?:\d+ ){3}\d+) "
                       r"\(want 200 each\)\n", v3.stdout)
    assert failed and "500" in failed.group(2).split(), v3.stdout[-4000:]
    assert "Rolled back v3 in production: " in v3.stdout
    assert "Deploy web:" not in v3.stdout  # only the API was touched
    assert json.loads(get("/api/health"))["version"] == "v2"
    assert "release v2" in get("/")
    releases = gonogo(env, "releases", "-c", "production-deployment-checklist.md", "--env", "production")
    for service in ("web", "nginx"):
        assert any(line.split()[:2] == [service, "v2"] and "live" in line
                   for line in releases.splitlines()), releases
    # the API is back on v2's image; the document's own rollback command, run after gonogo's,
    # names that image by its `:previous` tag: the same digest, so `releases` says v2
    api = [line.split() for line in releases.splitlines() if line.split()[:1] == ["api"]]
    assert api and api[0][1] == "v2" and api[0][3] == "live", releases

    # the record: one row per verified release; the team heard of both
    status = (WORK / "docs" / "devops" / "deployment-status.md").read_text()
    assert "| v1 |" in status and "| v2 |" in status
    notes = (OUT / "stack" / "notifications.jsonl").read_text().splitlines()
    assert len(notes) >= 2
    # secrets never in clear text in what gonogo printed or wrote
    for text in (v1.stdout, v2.stdout, v3.stdout, v1.stderr, v2.stderr, v3.stderr, ticked,
                 (OUT / "run-v3.json").read_text()):
        for secret in secrets:
            assert secret not in text


class ApiDouble:
    """The API as the web app meets it, on a real socket on 127.0.0.1: connection N gets
    ``plan[N]`` (the last one repeats) — "close" (read the request, close without answering),
    "reset" (close with an RST), "hang" (never answer), or a status with /lessons' JSON."""

    LESSONS = b'[{"slug": "budgeting-101", "title": "Budgeting 101", "minutes": 5}]'

    def __init__(self, *plan: str | int) -> None:
        self.plan = plan
        self.connections = 0
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            action = self.plan[min(self.connections, len(self.plan) - 1)]
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn, action), daemon=True).start()

    def _answer(self, conn: socket.socket, action: str | int) -> None:
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(4096) or b"\r\n\r\n"
            if action == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif action == "hang":
                self.stop.wait(10)
            elif isinstance(action, int):
                conn.sendall(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: "
                             b"%d\r\nConnection: close\r\n\r\n%s" % (action, len(self.LESSONS), self.LESSONS))

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return int(sock.getsockname()[1])


def homepage_with_api(live: str, preview: str) -> tuple[int, str, str]:
    """The web app CI built (apps/web/dist) serving on its preview port with the API at
    ``live`` / ``preview``: the homepage's status and body, then everything the app logged."""
    if not (WORK / "apps" / "web" / "dist" / "server.js").is_file():  # this test alone
        prepare("v2")
    port = free_port()
    env = {"PATH": os.environ["PATH"], "PORT": str(free_port()), "PREVIEW_PORT": str(port),
           "HOST": "127.0.0.1", "API_URL": live, "API_PREVIEW_URL": preview, "APP_VERSION": "t"}
    with subprocess.Popen(["node", "dist/server.js"], cwd=WORK / "apps" / "web", env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as web:
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
                    status, body = response.status, response.read().decode()
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read().decode()
        finally:
            web.terminate()
        log, _ = web.communicate(timeout=10)
    return status, body, log


def test_the_web_asks_the_api_again_after_a_broken_connection_never_after_an_answer(
    stack: dict[str, str],
) -> None:
    # the live port's connections break (closed unanswered, then reset: an old task stopping
    # as the web calls it): once more on a fresh connection, then the preview port answers
    live, preview = ApiDouble("close", "reset"), ApiDouble(200)
    status, body, log = homepage_with_api(live.url, preview.url)
    assert (status, live.connections, preview.connections) == (200, 2, 1), log
    assert "<li><a href=\"/api/lessons/budgeting-101\">Budgeting 101</a> (5 min)</li>" in body
    assert "API GET /lessons: answered on attempt 3 (preview port) after ECONNRESET, ECONNRESET\n" in log
    # one broken connection: the fresh one to the live port answers, the preview port is left alone
    live, preview = ApiDouble("close", 200), ApiDouble(200)
    status, _, log = homepage_with_api(live.url, preview.url)
    assert (status, live.connections, preview.connections) == (200, 2, 0), log
    assert "API GET /lessons: answered on attempt 2 (live port) after ECONNRESET\n" in log
    # the live port refuses (the hand-over): twice, then the preview port
    status, _, log = homepage_with_api(f"http://127.0.0.1:{free_port()}", preview.url)
    assert (status, preview.connections) == (200, 1), log
    assert "answered on attempt 3 (preview port) after ECONNREFUSED, ECONNREFUSED\n" in log
    # an answer is never asked again, an error status nor a timeout: the homepage says so
    for plan, error in ((500, "API answered 500"), ("hang", "no answer within 3000 ms")):
        live, preview = ApiDouble(plan), ApiDouble(200)
        status, body, log = homepage_with_api(live.url, preview.url)
        live.close()
        assert (status, body, live.connections, preview.connections) == (
            502, "the API is unavailable\n", 1, 0), log
        assert f"ERROR homepage: {error}\n" in log
    # nothing answers: three attempts at the most
    live, preview = ApiDouble("close"), ApiDouble("reset")
    status, _, log = homepage_with_api(live.url, preview.url)
    assert (status, live.connections, preview.connections) == (502, 2, 1), log
    assert "ERROR homepage: no API answered /lessons in 3 attempts: ECONNRESET, ECONNRESET, ECONNRESET\n" in log
