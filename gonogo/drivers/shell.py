"""``shell``: the team's own ``deploy`` / ``rollback`` / ``current`` commands (like the
checklist's ``node scripts/vps-toolkit/docker-deploy.js``), run with ``/bin/sh -c`` exactly
as written, given ``GONOGO_VERSION``, ``GONOGO_PREVIOUS_VERSION``, ``GONOGO_ENV``,
``GONOGO_RUN_ID`` and ``GONOGO_SERVICE``.

Rollback runs ``rollback`` (or, without one, ``deploy`` again) with ``GONOGO_VERSION`` set
to the version to return to and ``GONOGO_FAILED_VERSION`` to the one being undone.
Health is the service's ``health.url`` / ``health.command``, checked by the deploy gate.
"""

from __future__ import annotations

from gonogo.config.model import ServiceModel
from gonogo.drivers.base import (
    Deployed,
    Driver,
    DriverContext,
    DriverError,
    Health,
    Observed,
    run_checked,
)
from gonogo.hookimpl import hookimpl

SHELL = "/bin/sh"


class ShellDriver:
    driver_name = "shell"
    pulls_images = False

    def __init__(self, spec: ServiceModel, ctx: DriverContext) -> None:
        self.spec = spec
        self.ctx = ctx

    def target(self, version: str) -> str:
        return version

    def _env(self, version: str, previous: str | None) -> dict[str, str]:
        env = {"GONOGO_VERSION": version, "GONOGO_PREVIOUS_VERSION": previous or "",
               "GONOGO_SERVICE": self.spec.name, "GONOGO_RUN_ID": self.ctx.run_id}
        if self.ctx.environment:
            env["GONOGO_ENV"] = self.ctx.environment
        return env

    async def preflight(self) -> None:
        if not self.spec.deploy:
            raise DriverError(f"{self.spec.name}: the shell driver needs a `deploy:` command")

    async def current(self) -> Deployed | None:
        if not self.spec.current:
            return None
        result = await run_checked([SHELL, "-c", self.spec.current], self.ctx,
                                   what=f"{self.spec.name}: current", timeout=60,
                                   env=self._env("", None))
        version = result.stdout.strip().splitlines()[-1].strip() if result.stdout.strip() else ""
        return Deployed(version) if version else None

    async def deploy(self, version: str, previous: Deployed | None) -> Deployed:
        if not self.spec.deploy:
            raise DriverError(f"{self.spec.name}: no `deploy:` command")
        await run_checked([SHELL, "-c", self.spec.deploy], self.ctx,
                          what=f"{self.spec.name}: deploy", timeout=self.spec.timeout,
                          env=self._env(version, previous.version if previous else None))
        return Deployed(version)

    async def health(self) -> Health:
        return Health("healthy", f"{self.spec.name}: deployed")

    async def rollback(self, previous: Deployed | None, failed_version: str) -> str:
        command = self.spec.rollback or self.spec.deploy
        if not command:
            raise DriverError(f"{self.spec.name}: no `rollback:` or `deploy:` command")
        back_to = previous.version if previous and previous.version else ""
        if not back_to and not self.spec.rollback:
            raise DriverError(f"{self.spec.name}: no previous version to redeploy and no "
                              "`rollback:` command")
        env = self._env(back_to, back_to)
        env["GONOGO_FAILED_VERSION"] = failed_version
        await run_checked([SHELL, "-c", command], self.ctx, what=f"{self.spec.name}: rollback",
                          timeout=self.spec.timeout, env=env)
        return f"{self.spec.name} back on {back_to or 'its previous state'}"

    async def observe(self) -> Observed:
        """Only ``current:`` can tell what runs: the version it prints, ``running`` (the
        driver knows no health of its own; the health gate's probes are not re-run here).
        Without ``current:``, the state is ``unknown``."""
        if not self.spec.current:
            return Observed(None, None, "unknown",
                            "the shell driver has no `current:` command to ask")
        now = await self.current()
        if now is None:
            return Observed(None, None, "absent", "`current:` printed nothing")
        return Observed(None, now.version, "running", f"`current:` printed {now.version}")


@hookimpl
def gonogo_drivers() -> list[type[Driver]]:
    return [ShellDriver]
