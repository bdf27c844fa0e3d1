"""Config schemas of the Docker side: the registry to log in to, the engine to talk to
(``docker_host``), and the spec a swarm service is created from when it does not exist yet.

Kept beside ``model.py`` (same package: every schema in one place) so that file stays small.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from gonogo.core.durations import parse_duration
from gonogo.core.fields import Strict
from gonogo.envfiles import EnvValue
from gonogo.redact import Redactor

ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


def _docker_host(text: str) -> str:
    scheme, sep, rest = text.partition("://")
    if not sep or scheme not in ("ssh", "tcp", "unix") or not rest:
        raise ValueError(f"expected ssh://user@host[:port], tcp://host:port or "
                         f"unix:///path, got {text!r}")
    if scheme == "ssh":
        userhost, _, port = rest.rstrip("/").partition(":")
        if "/" in userhost or not userhost.split("@")[-1] or (port and not port.isdigit()):
            raise ValueError(f"expected ssh://user@host[:port], got {text!r}")
    return text


#: Where the Docker engine is: ``ssh://deploy@vps:22`` (a VPS reached over SSH), ``tcp://…``.
DockerHost = Annotated[str, AfterValidator(_docker_host)]
def _env_ref(value: object) -> object:
    if not isinstance(value, list):
        # never quote the value: it may be the password itself
        raise ValueError("expected the name of the variable that holds it, like "
                         "[REGISTRY_PASSWORD] (a password is never written in the config)")
    return value


#: A secret given as the environment variable that holds it (Kamal: ``password: [VAR]``).
EnvRef = Annotated[list[Annotated[str, Field(pattern=ENV_NAME)]],
                   Field(min_length=1, max_length=1)]
SecretRef = Annotated[EnvRef, BeforeValidator(_env_ref)]


class RegistryModel(Strict):
    """A registry to log in to, Kamal's way: ``username`` is a name or ``[ENV_VAR]``;
    ``password`` is always ``[ENV_VAR]`` (never a literal in a config file)."""

    server: str = Field(min_length=1)
    username: str | EnvRef
    password: SecretRef


def seconds(value: float) -> str:
    """A duration as Docker's CLI takes it."""
    return f"{value:g}s"


def _zero_or_duration(value: object) -> float:
    return 0.0 if value in ("0", "0s", 0) else parse_duration(value)


#: A duration (``2s``, ``500ms``); given to Docker as seconds (``2.5s``).
_SCHEMA = WithJsonSchema({"type": "string", "pattern": r"^(\d+(\.\d+)?(ms|s|m|h))+$",
                          "description": "a duration like 500ms, 2s, 1m"})
DockerDuration = Annotated[float, BeforeValidator(parse_duration),
                           PlainSerializer(seconds, return_type=str), _SCHEMA]
#: Zero allowed (Docker's ``0s``: no delay).
_MaybeZero = Annotated[float, BeforeValidator(_zero_or_duration),
                       PlainSerializer(seconds, return_type=str), _SCHEMA]


class SwarmHealthcheck(Strict):
    """Docker's HEALTHCHECK for the service (``--health-*``)."""

    #: ``["CMD", …]``, ``["CMD-SHELL", "…"]`` or a string; none: the image's HEALTHCHECK
    test: list[str] | str | None = None
    interval: DockerDuration = 2.0
    timeout: DockerDuration = 2.0
    retries: int = Field(default=3, ge=1)
    start_period: _MaybeZero = 0.0


class SwarmPolicy(Strict):
    """``update_config`` / ``rollback_config``: start the new task before stopping the old
    one, and watch it ``monitor`` long, so a failing release is noticed and replaced fast.
    ``order`` defaults to ``start-first``, except on host networking (``stop-first``): two
    tasks cannot bind one host port unless the program sets SO_REUSEPORT."""

    order: Literal["start-first", "stop-first"] | None = None
    parallelism: int = Field(default=1, ge=0)
    delay: _MaybeZero = 0.0
    monitor: DockerDuration | None = None  # default: the service's `update_monitor`
    failure_action: Literal["pause", "rollback", "continue"] | None = None


class SwarmSpec(Strict):
    """How to create the swarm service when it does not exist (``docker service create``)."""

    replicas: int = Field(default=1, ge=0)
    #: ``host`` for host networking, or names of existing overlay networks (gonogo never
    #: creates networks).
    networks: list[str] = []
    ports: list[str] = []
    env: dict[str, str | int | float | bool] = {}
    #: Env files (config-relative) passed as ``--env-file``: values never on a command line.
    env_files: list[str] = []
    #: Existing Docker secrets (``docker secret create``), mounted at /run/secrets/NAME.
    secrets: list[str] = []
    #: The entrypoint (``--entrypoint``) and its arguments (after the image), as lists.
    command: list[str] | None = None
    args: list[str] = []
    mounts: list[str] = []
    labels: dict[str, str] = {}
    user: str | None = None
    workdir: str | None = None
    init: bool = False
    healthcheck: SwarmHealthcheck | None = None
    update_config: SwarmPolicy = SwarmPolicy()
    rollback_config: SwarmPolicy = SwarmPolicy()
    stop_grace_period: DockerDuration = 10.0


def resolve_registry(registry: RegistryModel | None, values: Mapping[str, EnvValue],
                     redactor: Redactor) -> tuple[tuple[str, str, str] | None, str | None]:
    """``((server, username, password), None)`` from the environment's settings, the password
    registered with the redactor; ``(None, why)`` when a variable is not set — recorded, not
    raised, because only image steps need it; ``(None, None)`` without a registry."""
    if registry is None:
        return None, None

    def lookup(ref: str | list[str]) -> str | None:
        if isinstance(ref, str):
            return ref
        found = values.get(ref[0])
        return found.value if found is not None and found.value else None

    username, password = lookup(registry.username), lookup(registry.password)
    missing = [ref[0] for ref, got in ((registry.username, username),
                                        (registry.password, password))
               if isinstance(ref, list) and got is None]
    if username is None or password is None:
        return None, (f"registry {registry.server}: {' and '.join(missing)} not set (the "
                      "variables of the `registry:` login)")
    redactor.add(registry.password[0], password)
    if isinstance(registry.username, list):
        redactor.add(registry.username[0], username)
    return (registry.server, username, password), None
