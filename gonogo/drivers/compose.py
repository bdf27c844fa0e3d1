"""``compose``: one Compose service at a time (Compose v2 ``docker compose`` or v1
``docker-compose``).

The version is set through a small override file (``image: IMAGE:VERSION``) written into
the run's directory, so the team's compose file stays as it is; without ``image:`` the
compose file is expected to use ``${GONOGO_VERSION}`` itself. Rollback recreates the
service on the exact image it ran before (by image id when the tag has moved since).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml

from gonogo import private
from gonogo.config.model import ServiceModel
from gonogo.drivers.base import (
    Deployed,
    DriverContext,
    DriverError,
    Health,
    Observed,
    compose_command,
    container_health,
    docker_client,
    in_thread,
    observed_from_health,
    run_checked,
    version_of,
)

_VALIDATED: set[tuple[str, str | None]] = set()


class ComposeDriver:
    def __init__(self, spec: ServiceModel, ctx: DriverContext) -> None:
        self.spec = spec
        self.ctx = ctx
        self.service = spec.service or spec.name
        self.compose_file = ctx.workdir / (spec.compose_file or "docker-compose.yml")

    # ---- plumbing -------------------------------------------------------------------

    def _argv(self, *args: str, override: Path | None = None) -> list[str]:
        argv = [*compose_command(), "-f", str(self.compose_file)]
        if override is not None:
            argv += ["-f", str(override)]
        if self.spec.project:
            argv += ["-p", self.spec.project]
        return argv + list(args)

    def target(self, version: str) -> str:
        return f"{self.spec.image}:{version}" if self.spec.image else version

    def _override(self, image: str) -> Path:
        """An override file pinning this service's image; same ``version:`` as the file."""
        try:
            data = yaml.safe_load(self.compose_file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise DriverError(f"cannot read {self.compose_file}: {exc}") from None
        content: dict[str, Any] = {"services": {self.service: {"image": image}}}
        if isinstance(data, dict) and "version" in data:
            content = {"version": str(data["version"]), **content}
        # in the run folder; outside a run a fresh private folder, never a guessable /tmp path
        directory = self.ctx.run_dir or Path(tempfile.mkdtemp(prefix="gonogo-compose-"))
        private.make_dir(directory)
        path = directory / f"compose-{self.spec.name}.override.yml"
        private.write_text(path, yaml.safe_dump(content, sort_keys=False))
        return path

    async def _container_id(self) -> str | None:
        """The service's container: by Compose's labels when the project is named (fast, no
        Compose process per health probe), else through ``compose ps``."""
        if self.spec.project:
            client = docker_client(self.ctx.env)
            try:
                labels = [f"com.docker.compose.project={self.spec.project}",
                          f"com.docker.compose.service={self.service}"]
                found = await in_thread(lambda: client.api.containers(
                    all=True, quiet=True, filters={"label": labels}))
            finally:
                client.close()
            return str(found[0]["Id"]) if found else None
        result = await run_checked(self._argv("ps", "-q", self.service), self.ctx,
                                   what=f"{self.spec.name}: compose ps", timeout=60)
        ids = [line.strip() for line in result.stdout.splitlines() if line.strip()]
        return ids[0] if ids else None

    async def _inspect(self) -> tuple[dict[str, Any], str] | None:
        cid = await self._container_id()
        if cid is None:
            return None
        client = docker_client(self.ctx.env)
        try:
            import docker

            try:
                container = await in_thread(client.containers.get, cid)
            except docker.errors.NotFound:
                return None
            logs = ""
            state = container.attrs.get("State") or {}
            if not state.get("Running") or state.get("Restarting") or container.attrs.get(
                    "RestartCount"):
                raw = await in_thread(lambda: container.logs(tail=5))
                logs = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            return dict(container.attrs), logs
        finally:
            client.close()

    # ---- the protocol ---------------------------------------------------------------

    async def preflight(self) -> None:
        if not self.compose_file.is_file():
            raise DriverError(f"{self.spec.name}: compose file {self.compose_file} not found")
        key = (str(self.compose_file), self.spec.project)
        if key in _VALIDATED:  # services sharing a file: Compose v1 takes a second per call
            return
        await run_checked(self._argv("config", "-q"), self.ctx,
                          what=f"{self.spec.name}: compose config", timeout=60)
        _VALIDATED.add(key)

    async def current(self) -> Deployed | None:
        found = await self._inspect()
        if found is None:
            return None
        attrs, _ = found
        image = str((attrs.get("Config") or {}).get("Image") or "")
        return Deployed(version_of(image), image or None,
                        {"image_id": attrs.get("Image"), "container": attrs.get("Id", "")[:12]})

    async def deploy(self, version: str, previous: Deployed | None) -> Deployed:
        override = self._override(self.target(version)) if self.spec.image else None
        await self._up(override, version, previous)
        now = await self.current()
        if now is None:
            raise DriverError(f"{self.spec.name}: no container after `up`")
        return now

    async def _up(self, override: Path | None, version: str, previous: Deployed | None) -> None:
        env = {"GONOGO_VERSION": version,
               "GONOGO_PREVIOUS_VERSION": (previous.version or "") if previous else ""}
        await run_checked(
            self._argv("up", "-d", "--no-deps", "--no-build", self.service, override=override),
            self.ctx, what=f"{self.spec.name}: compose up", timeout=self.spec.timeout, env=env,
        )

    async def health(self) -> Health:
        found = await self._inspect()
        if found is None:
            return Health("failed", f"{self.spec.name}: no container for service {self.service}")
        attrs, logs = found
        use = self.spec.health.container if self.spec.health else True
        return container_health(attrs, use, logs)

    async def observe(self) -> Observed:
        """The container's configured image and its state (running, restarting, exited,
        HEALTHCHECK) as Docker reports them."""
        found = await self._inspect()
        if found is None:
            return Observed(None, None, "absent", f"no container for service {self.service}")
        attrs, logs = found
        image = str((attrs.get("Config") or {}).get("Image") or "") or None
        use = self.spec.health.container if self.spec.health else True
        return observed_from_health(image, container_health(attrs, use, logs))

    async def rollback(self, previous: Deployed | None, failed_version: str) -> str:
        if previous is None:
            await run_checked(self._argv("rm", "-s", "-f", self.service), self.ctx,
                              what=f"{self.spec.name}: compose rm", timeout=self.spec.timeout)
            return f"removed {self.service} (it did not run before this deploy)"
        image = await self._exact(previous)
        if image is not None:
            override = self._override(image)
        elif self.spec.image and previous.version:
            override = self._override(self.target(previous.version))
        else:
            override = None
        await self._up(override, previous.version or "", None)
        return f"{self.service} back on {previous.label()}"

    async def _exact(self, previous: Deployed) -> str | None:
        """The previous image reference, or its image id when the tag now names another image."""
        if not previous.image:
            return None
        wanted = previous.detail.get("image_id")
        if not wanted:
            return previous.image
        client = docker_client(self.ctx.env)
        try:
            import docker

            try:
                image = await in_thread(client.images.get, previous.image)
                return previous.image if image.id == wanted else str(wanted)
            except docker.errors.ImageNotFound:
                return str(wanted)
        finally:
            client.close()
