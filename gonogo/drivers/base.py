"""What every deploy driver is, and the Docker plumbing the Docker drivers share.

A driver changes one service and reports on it: ``current()`` (what runs now),
``deploy(version)``, ``health()`` (the platform's own view: container health status,
task state) and ``rollback(previous)``. Processes are argv lists run through
``gonogo.targets.local.run_process``; only the shell driver runs the user's own command
strings, with ``/bin/sh -c`` as written.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shlex
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from gonogo.config.model import ServiceModel
from gonogo.redact import Redactor
from gonogo.targets.docker import docker_binary
from gonogo.targets.local import ProcessResult, run_process

TAIL_LINES = 8
DOCKER_API_TIMEOUT_S = 30.0

#: ``starting``: not up yet, or its HEALTHCHECK has not passed yet (Docker's ``health:
#: starting``) — never healthy, whatever an HTTP probe says. ``running``: up, with a health
#: status Docker does not define (an HTTP probe may decide).
HealthState = Literal["healthy", "running", "starting", "unhealthy", "failed"]

#: What ``observe()`` saw: ``running`` (up, nothing wrong reported — its HEALTHCHECK passing
#: or not decided yet), ``starting`` (no task runs yet), ``unhealthy`` (crashed,
#: crash-looping, exited, HEALTHCHECK unhealthy, update paused), ``absent`` (nothing runs),
#: ``unknown`` (the driver cannot tell).
ObservedState = Literal["running", "starting", "unhealthy", "absent", "unknown"]


class DriverError(Exception):
    """A driver step failed; ``message`` is one line, ``output`` the redacted tail."""

    def __init__(self, message: str, output: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.output = output


@dataclass(frozen=True)
class Deployed:
    """What runs: a version, the exact image reference when there is one, and details."""

    version: str | None
    image: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        return self.image or self.version or "unknown"

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "image": self.image, "detail": dict(self.detail)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Deployed | None:
        if not data:
            return None
        return cls(data.get("version"), data.get("image"), dict(data.get("detail") or {}))


@dataclass(frozen=True)
class Health:
    """The platform's view: ``failed`` is definitive (crashed, crash-looping, update paused)."""

    state: HealthState
    reason: str


@dataclass(frozen=True)
class Observed:
    """What the engine runs for a service, read back from it (never from gonogo's journal):
    the image reference and the version it names, the state, and why in a few words."""

    image: str | None
    version: str | None
    state: ObservedState
    detail: str = ""

    def label(self) -> str:
        return self.image or self.version or "nothing"

    def to_json(self) -> dict[str, Any]:
        return {"image": self.image, "version": self.version, "state": self.state,
                "detail": self.detail}


def observed_from_health(image: str | None, health: Health) -> Observed:
    """The platform's health of a service that exists, as an observation."""
    state: ObservedState = "unhealthy"  # failed, unhealthy
    if health.state in ("healthy", "running"):
        state = "running"
    elif health.state == "starting":
        state = "starting"
    return Observed(image, version_of(image), state, health.reason)


@dataclass
class DriverContext:
    """What a driver may use: where it runs, the environment commands see, the run."""

    workdir: Path
    env: Mapping[str, str]
    redactor: Redactor
    environment: str | None = None
    run_id: str = ""
    run_dir: Path | None = None


class Driver(Protocol):
    spec: ServiceModel

    def target(self, version: str) -> str:
        """What ``deploy(version)`` will run, for plans (an image reference or the version)."""
        ...

    async def preflight(self) -> None:
        """Read-only: raise DriverError when the service cannot be deployed at all."""
        ...

    async def current(self) -> Deployed | None: ...

    async def deploy(self, version: str, previous: Deployed | None) -> Deployed: ...

    async def health(self) -> Health: ...

    async def rollback(self, previous: Deployed | None, failed_version: str) -> str:
        """Return to ``previous`` (None: the service did not exist); return a summary."""
        ...

    async def observe(self) -> Observed:
        """Read-only: what the engine runs now and in which state; ``unknown`` when the
        driver cannot tell. Raises DriverError when the engine cannot be asked."""
        ...


def version_of(image: str | None) -> str | None:
    """The tag of an image reference (``reg:5000/team/api:v1@sha256:…`` → ``v1``)."""
    if not image:
        return None
    ref = image.split("@", 1)[0]
    name, _, tag = ref.rpartition(":")
    if not name or "/" in tag:
        return None
    return tag


# ---- processes --------------------------------------------------------------------


async def run_checked(
    argv: Sequence[str],
    ctx: DriverContext,
    *,
    what: str,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ProcessResult:
    """Run ``argv``; raise DriverError with the command, exit code and output tail on failure."""
    full_env = {**ctx.env, **(env or {})}
    try:
        result = await run_process(argv, cwd=cwd or ctx.workdir, env=full_env, timeout=timeout)
    except FileNotFoundError:
        raise DriverError(f"{what}: command not found: {argv[0]}") from None
    except PermissionError:
        raise DriverError(f"{what}: not executable: {argv[0]}") from None
    if result.timed_out:
        raise DriverError(f"{what}: timed out after {timeout:g}s", tail(result, ctx.redactor))
    if result.exit_code != 0:
        output = tail(result, ctx.redactor)
        last = output.strip().splitlines()[-1].strip() if output.strip() else ""
        message = f"{what}: exit {result.exit_code}" + (f": {last[:200]}" if last else "")
        raise DriverError(message, output)
    return result


def tail(result: ProcessResult, redactor: Redactor, lines: int = TAIL_LINES) -> str:
    text = (result.stdout + ("\n" + result.stderr if result.stderr else "")).strip()
    return redactor.text("\n".join(text.splitlines()[-lines:]))


# ---- docker -------------------------------------------------------------------------


@functools.cache
def _compose_cached(docker: str, override: str | None) -> tuple[str, ...]:
    if override:
        return tuple(shlex.split(override))
    import subprocess

    try:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=20)
        if probe.returncode == 0:
            return (docker, "compose")
    except (OSError, subprocess.TimeoutExpired):
        pass
    return (shutil.which("docker-compose") or "docker-compose",)


def compose_command() -> list[str]:
    """``$GONOGO_COMPOSE``, else Compose v2 (``docker compose``) when present, else v1."""
    return list(_compose_cached(docker_binary(), os.environ.get("GONOGO_COMPOSE")))


def docker_client(env: Mapping[str, str] | None = None) -> Any:
    """A docker SDK client (imported lazily; ``pip install 'gonogo[docker]'``) for the engine
    ``env`` names (``DOCKER_HOST``: the environment's ``docker_host``). Over ``ssh://`` it
    runs the ``ssh`` binary, as Docker's CLI does, so both read the same ``~/.ssh/config``."""
    try:
        import docker
    except ImportError:
        raise DriverError(
            "the docker Python package is not installed (pip install 'gonogo[docker]')"
        ) from None
    try:
        chosen = env if env is not None else os.environ
        ssh = chosen.get("DOCKER_HOST", "").startswith("ssh://")
        return docker.from_env(timeout=int(DOCKER_API_TIMEOUT_S), environment=dict(chosen),
                               use_ssh_client=ssh)
    except docker.errors.DockerException as exc:
        raise DriverError(f"cannot reach the Docker engine: {exc}") from None


async def in_thread(func: Any, *args: Any, timeout: float = DOCKER_API_TIMEOUT_S) -> Any:
    """Run a blocking docker SDK call off the event loop, with a timeout."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(func, *args), timeout)
    except TimeoutError:
        raise DriverError(f"the Docker engine did not answer within {timeout:g}s") from None


def container_health(attrs: Mapping[str, Any], use_healthcheck: bool, logs: str = "") -> Health:
    """A container's state as a Health: crashed and crash-looping are definitive."""
    state = attrs.get("State") or {}
    name = str(attrs.get("Name", "")).lstrip("/") or str(attrs.get("Id", ""))[:12]
    last_log = logs.strip().splitlines()[-1].strip()[:160] if logs.strip() else ""
    suffix = f": {last_log}" if last_log else ""
    restarts = int(attrs.get("RestartCount") or 0)
    if state.get("Restarting") or (restarts > 0 and not state.get("Running")):
        return Health("failed", f"container {name} is crash-looping "
                                f"(exit {state.get('ExitCode')}, {restarts} restarts){suffix}")
    if not state.get("Running"):
        status = state.get("Status", "not running")
        return Health("failed", f"container {name} {status} "
                                f"(exit {state.get('ExitCode')}){suffix}")
    if restarts > 0:
        return Health("failed", f"container {name} crashed and restarted {restarts} times{suffix}")
    health = state.get("Health")
    if use_healthcheck and health:
        status = health.get("Status")
        log = health.get("Log") or []
        probe = str(log[-1].get("Output", "")).strip().splitlines() if log else []
        detail = f": {probe[-1][:160]}" if probe else ""
        if status == "healthy":
            return Health("healthy", f"container {name} healthy")
        if status == "unhealthy":
            return Health("unhealthy", f"container {name} unhealthy{detail}")
        if status == "starting":
            # its HEALTHCHECK has not passed yet: not healthy, whatever an HTTP probe says
            return Health("starting", f"container {name} health: starting{detail}")
        return Health("running", f"container {name} health: {status}{detail}")
    return Health("healthy", f"container {name} running")
