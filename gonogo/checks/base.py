"""What every check type is: a small typed class whose fields are its config parameters.

A check's ``run(ctx)`` returns ``Evidence`` when its claim holds and raises
``CheckFailed`` / ``CheckWarning`` / ``CheckError`` otherwise. The runner — not the
check — times it, enforces the timeout, retries, and records unexpected exceptions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from gonogo.redact import Redactor

if TYPE_CHECKING:
    from gonogo.envfiles import EnvValue


@dataclass
class Evidence:
    """What a check saw: a one-line summary, structured data, and optional captured output."""

    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    output: str | None = None


@dataclass
class CheckContext:
    """What a running check may use. Built by the runner, one per run."""

    workdir: Path
    env: Mapping[str, str]
    redactor: Redactor
    run_id: str = ""
    run_dir: Path | None = None
    environment: str | None = None
    results: Mapping[str, Any] = field(default_factory=dict)
    #: The selected environment's settings, each with where it came from (file:line).
    settings: Mapping[str, EnvValue] = field(default_factory=dict)
    #: Settings of another declared environment (for drift checks); raises ConfigError if unknown.
    other_environment: Callable[[str], Mapping[str, EnvValue]] | None = None
    progress: Callable[[str], None] = lambda message: None

    def resolve(self, path: str | Path) -> Path:
        """A config-relative path made absolute."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.workdir / candidate


class Check(BaseModel):
    """Base of all check types. Subclasses set ``type_name`` and implement ``run``."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    type_name: ClassVar[str] = ""
    #: A documented, valid example of this type's parameters (used by docs, tests and `schema`).
    example: ClassVar[dict[str, Any]] = {}
    #: True when a human, not gonogo, produces the evidence.
    manual: ClassVar[bool] = False
    #: True when running it changes something (sends, publishes, writes a file or a
    #: database): `gonogo check` then reports it skipped instead of running it — whatever
    #: phase it sits in — and only `gonogo deploy` (and `backup`) run it.
    changes_state: ClassVar[bool] = False
    #: Parameter names whose values are secret and must never be shown.
    secret_fields: ClassVar[tuple[str, ...]] = ()

    async def run(self, ctx: CheckContext) -> Evidence:
        raise NotImplementedError

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """Secret fields stay out of the repr too (tracebacks and crash logs show reprs)."""
        for name, value in super().__repr_args__():
            yield name, ("***" if name in self.secret_fields else value)

    def describe(self) -> str:
        """One line saying what is checked, for plans and `explain` (no secrets)."""
        params = self.model_dump(exclude_defaults=True, exclude=set(self.secret_fields))
        inner = ", ".join(f"{k}={v!r}" for k, v in params.items())
        return f"{self.type_name}({inner})"
