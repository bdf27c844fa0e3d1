"""Every config schema in one place: the YAML vocabulary as pydantic models, and the
fully-defaulted, typed objects that loading returns (the engine only sees these)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
)

from gonogo.checks.base import Check
from gonogo.config.docker_model import DockerHost, RegistryModel, SwarmSpec
from gonogo.core.fields import (
    Age,
    Duration,
    HttpUrl,
    NotifyUrl,
    Strict,
)
from gonogo.envfiles import EnvValue
from gonogo.redact import Redactor
from gonogo.yamlsource import Located

PhaseKind = Literal["preflight", "backup", "deploy", "verify", "watch", "post", "rollback"]
PHASE_KINDS: tuple[str, ...] = PhaseKind.__args__  # type: ignore[attr-defined]
#: Phase kinds `gonogo check` runs: read-only by contract.
READ_ONLY_KINDS = frozenset({"preflight", "verify"})

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
#: An environment variable's name, as env files and Docker secret files spell them.
ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.-]*$"



class Retry(Strict):
    """Re-run a check until it passes: every ``interval``, for at most ``within`` (or ``attempts`` tries)."""

    interval: Duration = 2.0
    within: Duration | None = None
    attempts: int | None = Field(default=None, ge=1)


class CheckCommon(Strict):
    """Keys every check accepts, whatever its type."""

    id: Annotated[str, Field(pattern=ID_PATTERN)] | None = None
    title: str | None = None
    type: str | None = None
    timeout: Duration | None = None
    needs: list[str] = []
    advisory: bool = False
    retry: Retry | None = None
    #: Labels for selecting checks: `gonogo check --tag T` / `--skip-tag T`.
    tags: list[Annotated[str, Field(pattern=ID_PATTERN)]] = []


COMMON_KEYS = frozenset(CheckCommon.model_fields)


class PhaseModel(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: str | None = None
    kind: PhaseKind
    duration: Duration | None = None
    interval: Duration | None = None
    checks: list[dict[str, Any]] = []


class ComposeSource(Strict):
    """Settings from a compose file's ``environment:`` / ``env_file:`` for one service."""

    file: str
    service: str


class EnvironmentModel(Strict):
    env_files: list[str] = []
    #: Values may be secret (a URL with its password): never in a repr.
    vars: dict[str, str | int | float | bool] = Field(default={}, repr=False)
    protected: bool = False
    #: Docker secret files, one per setting (``/run/secrets`` in a container); off by default.
    secrets_dir: str | None = None
    compose: ComposeSource | None = None
    #: Settings that are not secret although their name or value looks it (a publishable
    #: key, a commit SHA): shown in clear. A URL's password stays hidden.
    public: list[Annotated[str, Field(pattern=ENV_NAME_PATTERN)]] = []
    #: The Docker engine this environment deploys to (``ssh://deploy@vps:22``): every docker
    #: call of the drivers and checks, and the commands' ``DOCKER_HOST``.
    docker_host: DockerHost | None = None
    #: This environment's registry login (else the top-level ``registry:``).
    registry: RegistryModel | None = None
    #: Sign-off rules for this environment's runs (default: the top-level ones).
    approvals: int | None = Field(default=None, ge=1)
    signoff_within: Duration | None = None


class SecretRules(Strict):
    min_length: int | None = Field(default=None, ge=1)
    min_distinct: int | None = Field(default=None, ge=1)
    min_entropy: float | None = Field(default=None, ge=0)
    #: A framework signing key: Django's rule (50+ characters, 5+ distinct) applies.
    framework: bool = False


class SecretModel(Strict):
    name: str
    location: str | None = None
    purpose: str | None = None
    rules: SecretRules = SecretRules()
    #: When the value last changed; `gonogo secrets` shows its age.
    rotated: date | None = None
    max_age: Age | None = None
    #: Environments that hold this secret (default: all).
    environments: list[str] = []
    #: False for secrets this machine cannot see (CI-only); default: guessed from `location`.
    checkable: bool | None = None


class ContactModel(Strict):
    role: str
    contact: str


class DefaultsModel(Strict):
    timeout: Duration = 600.0
    retries: int = Field(default=0, ge=0)
    jobs: int = Field(default=16, ge=1)


class HealthModel(Strict):
    """When a deployed service counts as healthy: an HTTP answer, a command, the container's
    own health status — polled every ``interval`` until ``within``."""

    url: HttpUrl | None = None
    within: Duration = 60.0
    status: int = 200
    interval: Duration = 0.5
    command: str | None = None
    container: bool = True  # use the container's HEALTHCHECK status when it has one
    #: Fail at once after this many probes in a row fail while the platform reports the
    #: service up (a release answering 503 under load): a failed release is then rolled back
    #: in seconds instead of serving errors until ``within`` runs out. None: wait ``within``.
    failures: int | None = Field(default=None, ge=1)


class ServiceModel(Strict):
    name: Annotated[str, Field(pattern=ID_PATTERN)]
    #: A registered driver: compose, swarm, shell, or a plugin's (checked when loading,
    #: against the registry: the model knows no plugin).
    driver: str
    image: str | None = None
    service: str | None = None
    compose_file: str | None = None
    health: HealthModel | None = None
    needs: list[str] = []
    deploy: str | None = None
    rollback: str | None = None
    project: str | None = None  # compose project name (-p)
    current: str | None = None  # shell: a command printing the live version
    timeout: Duration = 600.0  # one deploy or rollback step
    update_monitor: Duration = 5.0  # swarm: --update-monitor / --rollback-monitor
    failure_action: Literal["pause", "rollback", "continue"] = "pause"  # swarm
    resolve_image: bool | None = None  # swarm: None = only for images with a registry host
    #: swarm: how to create the service when it does not exist yet
    swarm: SwarmSpec | None = None
    #: swarm: create it from this service of a `docker stack` (compose v3) file instead
    stack_file: str | None = None
    stack_service: str | None = None  # its name in the stack file; default: `name`
    #: swarm: tag what ran before a deploy as IMAGE:<this> (e.g. `previous`), pushed when the
    #: image names a registry, for a checklist's `docker service update --image …:previous`
    previous_tag: str | None = None


class ConfigModel(Strict):
    """The top level of ``gonogo.yml``."""

    version: Literal[1] = 1
    name: str | None = None
    #: The folder relative paths, commands and checks start from, relative to this file
    #: (default: this file's folder); `gonogo import -o` writes it for a file moved away.
    root: str | None = None
    checklist: str | None = None
    state: str | None = None
    environments: dict[str, EnvironmentModel] = {}
    secrets: list[SecretModel] = []
    contacts: list[ContactModel] = []
    notify: list[NotifyUrl] = []
    defaults: DefaultsModel = DefaultsModel()
    phases: list[PhaseModel] = []
    services: list[ServiceModel] = []
    #: The registry images are pushed to and pulled from (Kamal's `registry:`).
    registry: RegistryModel | None = None
    #: Sidecar only: bind checklist items (by text or id) to checks.
    bind: list[dict[str, Any]] = []
    #: Four-eyes by default: whoever started a run cannot approve its items.
    allow_self_approval: bool = False
    #: Distinct approvers each manual or pending item needs.
    approvals: int = Field(default=1, ge=1)
    #: A pending item not signed off within this time fails the run.
    signoff_within: Duration | None = None
    #: Where `gonogo serve` is reached: PENDING notifications link to the sign-off page.
    public_url: HttpUrl | None = None


# ---- what loading returns -------------------------------------------------------------


@dataclass(frozen=True)
class CheckSpec:
    """One checklist item bound to its evidence."""

    id: str
    title: str
    type: str
    params: Check
    phase: str
    kind: str
    timeout: float
    needs: tuple[str, ...] = ()
    advisory: bool = False
    retry: Retry | None = None
    line: int | None = None
    tags: tuple[str, ...] = ()

    @property
    def manual(self) -> bool:
        return self.params.manual


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    kind: str
    checks: tuple[CheckSpec, ...]
    duration: float | None = None
    interval: float | None = None
    line: int | None = None


@dataclass
class Environment:
    """The selected environment, resolved: settings with their sources, and the redactor."""

    name: str | None
    values: dict[str, EnvValue] = field(default_factory=dict)
    protected: bool = False
    redactor: Redactor = field(default_factory=Redactor)
    docker_host: str | None = None
    #: (server, username, password) resolved from the environment's settings
    registry_login: tuple[str, str, str] | None = field(default=None, repr=False)
    #: Why the configured registry login could not be resolved (a variable not set).
    registry_problem: str | None = None

    def variables(self) -> dict[str, str]:
        return {k: v.value for k, v in self.values.items()}


@dataclass
class Config:
    path: Path
    root: Path
    name: str
    phases: tuple[Phase, ...]
    model: ConfigModel
    environment: Environment
    #: The raw data with its lines, as loaded (for resolving another environment).
    located: Located = field(repr=False)
    defaults: DefaultsModel = field(default_factory=DefaultsModel)

    @property
    def checks(self) -> dict[str, CheckSpec]:
        return {c.id: c for p in self.phases for c in p.checks}

    @property
    def state_location(self) -> str:
        """A ``postgresql://`` URL or a directory (default ``.gonogo/`` beside the config)."""
        state = self.model.state
        if state and "://" in state:
            return state
        return str(self.root / (state or ".gonogo"))
