"""A `docker stack` file's service becomes the same `docker service create` flags as the
sidecar's `swarm:` spec; what cannot be translated is refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.config.model import ServiceModel
from gonogo.drivers.base import DriverError
from gonogo.drivers.swarm_spec import create_args, policy_args, stack_spec
from testing.cli import write

STACK = """\
version: "3.8"
services:
  api:
    image: luahoa/v-edfinance-api:latest
    environment: {NODE_ENV: production, PORT: 3000}
    env_file: .env.production
    networks: [backend]
    secrets: [jwt_secret, {source: db_password, target: db_password}]
    command: node dist/main.js
    healthcheck:
      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:3000/health"]
      interval: 5s
      retries: 3
    stop_grace_period: 15s
    deploy:
      replicas: 2
      update_config: {parallelism: 1, order: start-first, monitor: 10s, failure_action: rollback}
      rollback_config: {order: start-first, monitor: 5s}
"""


def test_a_stack_service_becomes_create_flags(tmp_path: Path) -> None:
    write(tmp_path / "docker-stack.yml", STACK)
    spec = stack_spec(tmp_path / "docker-stack.yml", "api")
    assert create_args(spec, tmp_path) == [
        "--replicas", "2", "--stop-grace-period", "15s",
        "--network", "backend",
        "--env", "NODE_ENV=production", "--env", "PORT=3000",
        "--env-file", str(tmp_path / ".env.production"),
        "--secret", "jwt_secret", "--secret", "db_password",
        "--health-cmd", "wget -q -O- http://127.0.0.1:3000/health",
        "--health-interval", "5s", "--health-timeout", "2s", "--health-retries", "3",
    ]
    assert spec.args == ["node", "dist/main.js"]
    service = ServiceModel.model_validate({"name": "api", "driver": "swarm", "update_monitor": "5s"})
    assert policy_args(service, spec) == [
        "--update-order", "start-first", "--update-parallelism", "1", "--update-delay", "0s",
        "--update-monitor", "10s", "--update-failure-action", "rollback",
        "--rollback-order", "start-first", "--rollback-parallelism", "1",
        "--rollback-delay", "0s", "--rollback-monitor", "5s",
        "--rollback-failure-action", "pause",
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("services:\n  api: {image: x, privileged: true}\n",
     "services.api: gonogo cannot create a service with privileged (supported: "),
    ("services:\n  api: {image: x, deploy: {mode: global}}\n",
     "services.api.deploy.mode: only replicated services are supported"),
    ("services:\n  web: {image: x}\n", "no service 'api' (services: web)"),
])
def test_what_cannot_be_translated_is_refused(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "docker-stack.yml", text)
    with pytest.raises(DriverError) as info:
        stack_spec(tmp_path / "docker-stack.yml", "api")
    assert message in info.value.message
