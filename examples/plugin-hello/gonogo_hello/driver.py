"""The ``hello`` deploy driver: a service whose "live version" is a file.

    services:
      - {name: api, driver: hello}

``gonogo deploy --version V`` writes ``V`` into ``.hello/api.live`` (beside the config);
rollback writes the previous version back (or removes the file when there was none);
``gonogo releases --check`` reads it back. A version ending in ``-broken`` is deployed but
never healthy, so gonogo's health gate fails and rolls it back — try it.
"""

from __future__ import annotations

from gonogo.plugin_api import (
    Deployed,
    DriverContext,
    DriverError,
    Health,
    Observed,
    ServiceModel,
)


class HelloDriver:
    """Deploys a version by writing it into a file."""

    driver_name = "hello"
    #: ``target()`` is a plain version, not an image gonogo should look for in a registry.
    pulls_images = False

    def __init__(self, spec: ServiceModel, ctx: DriverContext) -> None:
        self.spec = spec
        self.ctx = ctx
        self.live = ctx.workdir / ".hello" / f"{spec.name}.live"

    def target(self, version: str) -> str:
        return version

    async def preflight(self) -> None:
        """Read-only: refuse before anything changes when the live file cannot be written."""
        if self.live.exists() and not self.live.is_file():
            raise DriverError(f"{self.spec.name}: {self.live} is not a file")

    async def current(self) -> Deployed | None:
        version = self._read()
        return Deployed(version) if version else None

    async def deploy(self, version: str, previous: Deployed | None) -> Deployed:
        self._write(version)
        return Deployed(version)

    async def health(self) -> Health:
        version = self._read()
        if version is None:
            return Health("failed", f"{self.spec.name}: nothing is live")
        if version.endswith("-broken"):
            return Health("failed", f"{version} does not say hello")
        return Health("healthy", f"{self.spec.name} says hello from {version}")

    async def rollback(self, previous: Deployed | None, failed_version: str) -> str:
        if previous is None or not previous.version:
            self.live.unlink(missing_ok=True)
            return f"{self.spec.name} removed (nothing ran before {failed_version})"
        self._write(previous.version)
        return f"{self.spec.name} back on {previous.version}"

    async def observe(self) -> Observed:
        version = self._read()
        if version is None:
            return Observed(None, None, "absent", f"{self.live.name} does not exist")
        return Observed(None, version, "running", f"{self.live.name} says {version}")

    def _read(self) -> str | None:
        try:
            return self.live.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise DriverError(f"{self.spec.name}: cannot read {self.live}: {exc}") from None

    def _write(self, version: str) -> None:
        try:
            self.live.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.live.with_suffix(".tmp")
            tmp.write_text(version + "\n", encoding="utf-8")
            tmp.replace(self.live)  # atomic: a reader sees the old version or the new one
        except OSError as exc:
            raise DriverError(f"{self.spec.name}: cannot write {self.live}: {exc}") from None
