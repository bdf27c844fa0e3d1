"""Rollback time on a real Docker engine, for Compose and Swarm, next to Docker's own.

For each driver, N rounds of: deploy v1 (healthy), then `gonogo deploy --version v2` (no
/health: unhealthy) which rolls back automatically. From the run's journal:

* detect   first failed health probe → failure declared (Docker's healthcheck retries, or
           `docker service update` pausing)
* rollback failure declared → the old release answering healthy again (gonogo's part)
* total    first failed probe → healthy again

The bare figure is Docker alone doing the same return: `docker service rollback
--detach=false` of a paused update (Swarm), `docker-compose up -d --no-deps` back to v1
(Compose), each until the old release answers /health. Target: gonogo's rollback adds at
most 1 s to the bare figure.

    .venv/bin/python bench/rollback.py [--rounds 3] [--docker /usr/bin/docker]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "docker"
TARGET_OVERHEAD_S = 1.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def wait_healthy(port: int, limit: float = 60) -> float:
    deadline = time.time() + limit
    while time.time() < deadline:
        if healthy(port):
            return time.time()
        time.sleep(0.05)
    raise SystemExit(f"port {port} never became healthy")


def gonogo(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gonogo", *args], cwd=root, env=env,
                          capture_output=True, text=True)


def journal_times(root: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """(first failed probe, failure declared, healthy again) of the last run."""
    report = root / "report.json"
    run = gonogo(root, env, "report", "last", "--format", "json", "-o", str(report))
    if run.returncode != 0:
        raise SystemExit(run.stderr)
    checks = {c["id"]: c for c in json.loads(report.read_text())["checks"]}
    failing = checks.get("health.api") or {}
    if failing.get("outcome") != "failed":
        failing = checks["deploy.api"]
    evidence = failing["evidence"]
    declared = float(evidence["failed_at"])
    first = float(evidence.get("first_failed_probe_at") or declared)
    back = float(checks["rollback-health.api"]["evidence"]["healthy_at"])
    return first, declared, back


CONFIG = """\
version: 1
name: bench
environments:
  production: {{}}
services:
  - name: api
    driver: {driver}
    service: {service}
    image: {image}
    {extra}
    health: {{url: "http://127.0.0.1:{port}/health", within: 60s, interval: 100ms}}
"""

COMPOSE = """\
version: "2.4"
services:
  api:
    image: {image}:v1
    network_mode: host
    environment: {{PORT: "{port}"}}
    restart: unless-stopped
    init: true
"""


def bench_compose(docker: str, image: str, rounds: int, env: dict[str, str]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"detect": [], "rollback": [], "total": [], "bare": []}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        port, project = free_port(), "bench" + secrets.token_hex(3)
        (root / "docker-compose.yml").write_text(COMPOSE.format(image=image, port=port))
        (root / "gonogo.yml").write_text(CONFIG.format(
            driver="compose", service="api", image=image, port=port,
            extra=f"compose_file: docker-compose.yml\n    project: {project}"))
        compose = ["docker-compose", "-p", project, "-f", str(root / "docker-compose.yml")]
        try:
            for _ in range(rounds):
                if gonogo(root, env, "deploy", "--version", "v1").returncode != 0:
                    raise SystemExit("compose: v1 did not deploy")
                run = gonogo(root, env, "deploy", "--version", "v2")
                if run.returncode != 5:
                    raise SystemExit(f"compose: expected exit 5, got {run.returncode}\n{run.stdout}")
                first, declared, back = journal_times(root, env)
                out["detect"].append(declared - first)
                out["rollback"].append(back - declared)
                out["total"].append(back - first)
                # bare: Compose alone, from the broken v2 back to v1 answering
                override = root / "v2.yml"
                override.write_text(f'version: "2.4"\nservices:\n  api:\n    image: {image}:v2\n')
                subprocess.run([*compose, "-f", str(override), "up", "-d", "--no-deps", "api"],
                               check=True, capture_output=True, env=env)
                started = time.time()
                subprocess.run([*compose, "up", "-d", "--no-deps", "api"], check=True,
                               capture_output=True, env=env)
                out["bare"].append(wait_healthy(port) - started)
        finally:
            subprocess.run([*compose, "down", "-t", "1"], capture_output=True, env=env)
    return out


def bench_swarm(docker: str, image: str, rounds: int, env: dict[str, str]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"detect": [], "rollback": [], "total": [], "bare": []}
    state = subprocess.run([docker, "info", "--format", "{{.Swarm.LocalNodeState}}"],
                           capture_output=True, text=True).stdout.strip()
    created = state != "active"
    if created:
        subprocess.run([docker, "swarm", "init", "--advertise-addr", "127.0.0.1"], check=True,
                       capture_output=True)
    service, port = "bench" + secrets.token_hex(3), free_port()
    monitor = "2s"
    try:
        subprocess.run([docker, "service", "create", "--detach=false", "--quiet", "--name",
                        service, "--network", "host", "--init", "--env", f"PORT={port}",
                        "--no-resolve-image", f"{image}:v1"], check=True, capture_output=True)
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "gonogo.yml").write_text(CONFIG.format(
                driver="swarm", service=service, image=image, port=port,
                extra=f"update_monitor: {monitor}"))
            for _ in range(rounds):
                run = gonogo(root, env, "deploy", "--version", "v2")
                if run.returncode != 5:
                    raise SystemExit(f"swarm: expected exit 5, got {run.returncode}\n{run.stdout}")
                first, declared, back = journal_times(root, env)
                out["detect"].append(declared - first)
                out["rollback"].append(back - declared)
                out["total"].append(back - first)
                # bare: the same failed update, then Docker's own rollback
                subprocess.run([docker, "service", "update", "--detach=false", "--image",
                                f"{image}:v2", "--update-monitor", monitor,
                                "--update-failure-action", "pause", "--rollback-monitor", monitor,
                                "--no-resolve-image", service], capture_output=True)
                started = time.time()
                subprocess.run([docker, "service", "rollback", "--detach=false", service],
                               check=True, capture_output=True)
                out["bare"].append(wait_healthy(port) - started)
    finally:
        subprocess.run([docker, "service", "rm", service], capture_output=True)
        if created:
            subprocess.run([docker, "swarm", "leave", "--force"], capture_output=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--docker", default=os.environ.get("GONOGO_DOCKER", "/usr/bin/docker"))
    parser.add_argument("--only", choices=["compose", "swarm"])
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
    env.update(GONOGO_DOCKER=args.docker, DOCKER=args.docker, NO_COLOR="1")
    image = f"gonogo-bench-{os.getpid()}/web"
    subprocess.run([str(EXAMPLE / "build-images.sh"), image, "v1", "v2"], check=True,
                   capture_output=True, env=env)
    results = {}
    try:
        for name, func in (("compose", bench_compose), ("swarm", bench_swarm)):
            if args.only and args.only != name:
                continue
            results[name] = func(args.docker, image, args.rounds, env)
    finally:
        subprocess.run([args.docker, "image", "rm", "-f", f"{image}:v1", f"{image}:v2"],
                       capture_output=True)
    print(f"rollback on a real Docker engine, median of {args.rounds} rounds (seconds)")
    print(f"{'driver':<8} {'detect':>7} {'rollback':>9} {'total':>7} {'bare docker':>12} "
          f"{'gonogo adds':>12}")
    ok = True
    for name, figures in results.items():
        med = {k: statistics.median(v) for k, v in figures.items()}
        adds = med["rollback"] - med["bare"]
        ok = ok and adds <= TARGET_OVERHEAD_S
        print(f"{name:<8} {med['detect']:>7.2f} {med['rollback']:>9.2f} {med['total']:>7.2f} "
              f"{med['bare']:>12.2f} {adds:>+12.2f}")
    print(f"target: gonogo adds <= {TARGET_OVERHEAD_S:g}s to Docker's own rollback: "
          + ("met" if ok else "NOT met"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
