"""What ``docker service create`` / ``update`` is given for a swarm service: its create spec
(the sidecar's ``swarm:``, or one service of a ``docker stack`` file — compose v3 with its
``deploy:`` section, a swarm user's usual form) and its update and rollback policy.

A stack file is translated key by key into the same spec, so both forms create the same
service; a key gonogo cannot translate is an error naming it (fail closed: a setting the
user wrote must never be silently dropped). ``docker stack deploy`` itself is not used: it
creates every service of the stack at once, under a ``STACK_`` prefix, with no order and no
health gate between them.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from gonogo.config.docker_model import SwarmPolicy, SwarmSpec, seconds
from gonogo.config.model import ServiceModel
from gonogo.drivers.base import DriverError

#: Stack-file keys of a service that gonogo translates (``image`` is gonogo's own).
STACK_KEYS = frozenset({
    "image", "environment", "env_file", "ports", "networks", "network_mode", "secrets",
    "command", "entrypoint", "healthcheck", "deploy", "stop_grace_period", "user",
    "working_dir", "labels", "volumes", "init",
})
DEPLOY_KEYS = frozenset({"replicas", "update_config", "rollback_config", "labels", "mode",
                         "restart_policy", "resources", "placement"})
POLICY_KEYS = frozenset({"parallelism", "delay", "failure_action", "monitor", "order",
                         "max_failure_ratio"})


def create_spec(spec: ServiceModel, root: Path) -> SwarmSpec | None:
    """The service's create spec: ``swarm:``, else its service in ``stack_file``, else None."""
    if spec.swarm is not None:
        return spec.swarm
    if spec.stack_file:
        return stack_spec(root / spec.stack_file, spec.stack_service or spec.name)
    return None


def stack_spec(path: Path, service: str) -> SwarmSpec:
    """One service of a compose v3 / ``docker stack`` file as a SwarmSpec; DriverError when
    the file cannot be read or holds what gonogo cannot translate."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DriverError(f"cannot read stack file {path}: {exc}") from None
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict) or not isinstance(services.get(service), dict):
        known = ", ".join(services) if isinstance(services, dict) else "none"
        raise DriverError(f"{path}: no service {service!r} (services: {known})")
    raw: dict[str, Any] = services[service]
    where = f"{path}: services.{service}"
    unknown = sorted(set(raw) - STACK_KEYS)
    if unknown:
        raise DriverError(f"{where}: gonogo cannot create a service with "
                          f"{', '.join(unknown)} (supported: {', '.join(sorted(STACK_KEYS))})")
    out: dict[str, Any] = {}
    env = raw.get("environment") or {}
    if isinstance(env, list):
        env = dict(str(e).partition("=")[::2] for e in env)
    out["env"] = {str(k): "" if v is None else v for k, v in env.items()}
    env_file = raw.get("env_file") or []
    out["env_files"] = [env_file] if isinstance(env_file, str) else list(env_file)
    out["ports"] = [_port(p, where) for p in raw.get("ports") or []]
    networks = raw.get("networks") or []
    out["networks"] = list(networks) if not isinstance(networks, dict) else list(networks)
    if raw.get("network_mode") == "host":
        out["networks"] = ["host"]
    elif raw.get("network_mode"):
        raise DriverError(f"{where}: network_mode {raw['network_mode']!r}: swarm services take "
                          "`networks:` (or network_mode: host)")
    out["secrets"] = [s if isinstance(s, str) else s.get("source") for s in
                      raw.get("secrets") or []]
    command = raw.get("command")
    if command is not None:
        out["args"] = shlex.split(command) if isinstance(command, str) else list(command)
    entrypoint = raw.get("entrypoint")
    if entrypoint is not None:
        out["command"] = shlex.split(entrypoint) if isinstance(entrypoint, str) else list(
            entrypoint)
    out["mounts"] = [_mount(v, where) for v in raw.get("volumes") or []]
    for key, ours in (("user", "user"), ("working_dir", "workdir"),
                      ("stop_grace_period", "stop_grace_period"), ("init", "init")):
        if raw.get(key) is not None:
            out[ours] = raw[key]
    labels = raw.get("labels") or {}
    deploy = raw.get("deploy") or {}
    unknown = sorted(set(deploy) - DEPLOY_KEYS)
    if unknown:
        raise DriverError(f"{where}.deploy: gonogo cannot create a service with "
                          f"{', '.join(unknown)}")
    if deploy.get("mode", "replicated") != "replicated":
        raise DriverError(f"{where}.deploy.mode: only replicated services are supported")
    if deploy.get("replicas") is not None:
        out["replicas"] = deploy["replicas"]
    labels = {**_labels(labels), **_labels(deploy.get("labels") or {})}
    if labels:
        out["labels"] = labels
    for key in ("update_config", "rollback_config"):
        policy = deploy.get(key)
        if policy:
            extra = sorted(set(policy) - POLICY_KEYS)
            if extra:
                raise DriverError(f"{where}.deploy.{key}: unknown {', '.join(extra)}")
            out[key] = {k: v for k, v in policy.items() if k != "max_failure_ratio"}
    health = raw.get("healthcheck")
    if health:
        if health.get("disable"):
            raise DriverError(f"{where}.healthcheck.disable: not supported")
        out["healthcheck"] = health
    try:
        return SwarmSpec.model_validate(out)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise DriverError(f"{where}: {loc}: {first['msg']}") from None


def _labels(value: Any) -> dict[str, str]:
    if isinstance(value, list):
        return dict(str(v).partition("=")[::2] for v in value)
    return {str(k): str(v) for k, v in dict(value).items()}


def _port(value: Any, where: str) -> str:
    if isinstance(value, dict):
        parts = [f"{k}={v}" for k, v in value.items()]
        return ",".join(parts)
    return str(value)


def _mount(value: Any, where: str) -> str:
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items() if not isinstance(v, dict))
    source, _, rest = str(value).partition(":")
    target, _, mode = rest.partition(":")
    if not target:
        raise DriverError(f"{where}.volumes: {value!r}: expected SOURCE:TARGET[:ro]")
    kind = "bind" if source.startswith(("/", ".")) else "volume"
    mount = f"type={kind},source={source},target={target}"
    return mount + (",readonly" if mode == "ro" else "")


# ---- argv -------------------------------------------------------------------------


def policy_args(spec: ServiceModel, create: SwarmSpec | None) -> list[str]:
    """``--update-*`` / ``--rollback-*`` flags: the create spec's policies when it has one,
    else the service's ``update_monitor`` and ``failure_action`` (rollback pauses)."""
    monitor = seconds(spec.update_monitor)
    if create is None:
        return ["--update-monitor", monitor, "--update-failure-action", spec.failure_action,
                "--rollback-monitor", monitor, "--rollback-failure-action", "pause"]
    order = "stop-first" if "host" in create.networks else "start-first"
    return (_policy("update", create.update_config, monitor, spec.failure_action, order)
            + _policy("rollback", create.rollback_config, monitor, "pause", order))


def _policy(prefix: str, policy: SwarmPolicy, monitor: str, action: str,
            order: str) -> list[str]:
    return [f"--{prefix}-order", policy.order or order,
            f"--{prefix}-parallelism", str(policy.parallelism),
            f"--{prefix}-delay", seconds(policy.delay),
            f"--{prefix}-monitor", seconds(policy.monitor) if policy.monitor else monitor,
            f"--{prefix}-failure-action", policy.failure_action or action]


def create_args(create: SwarmSpec, root: Path) -> list[str]:
    """The ``docker service create`` flags of a create spec (image and name excepted).
    Env files are read by Docker's client: their values never appear on a command line."""
    argv = ["--replicas", str(create.replicas),
            "--stop-grace-period", seconds(create.stop_grace_period)]
    for network in create.networks:
        argv += ["--network", network]
    for port in create.ports:
        argv += ["--publish", port]
    for key, value in create.env.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        argv += ["--env", f"{key}={text}"]
    for env_file in create.env_files:
        path = Path(env_file) if Path(env_file).is_absolute() else root / env_file
        argv += ["--env-file", str(path)]
    for secret in create.secrets:
        argv += ["--secret", secret]
    for mount in create.mounts:
        argv += ["--mount", mount]
    for key, value in create.labels.items():
        argv += ["--label", f"{key}={value}"]
    if create.user:
        argv += ["--user", create.user]
    if create.workdir:
        argv += ["--workdir", create.workdir]
    if create.init:
        argv += ["--init"]
    if create.command:
        # Docker's --entrypoint takes one string, split by the engine like a shell would
        argv += ["--entrypoint", shlex.join(create.command)]
    health = create.healthcheck
    if health is not None:
        if health.test:
            argv += ["--health-cmd", _health_cmd(health.test)]
        argv += ["--health-interval", seconds(health.interval),
                 "--health-timeout", seconds(health.timeout),
                 "--health-retries", str(health.retries)]
        if health.start_period:
            argv += ["--health-start-period", seconds(health.start_period)]
    return argv


def _health_cmd(test: list[str] | str) -> str:
    """Docker's ``--health-cmd`` is shell form (``CMD-SHELL``): a ``CMD`` list is quoted
    into one, so the image needs a ``/bin/sh``; with none, leave ``test`` out and the
    image's own HEALTHCHECK runs, with the intervals given here."""
    if isinstance(test, str):
        return test
    if test and test[0] == "CMD-SHELL":
        return " ".join(test[1:])
    return shlex.join(test[1:] if test and test[0] == "CMD" else test)
