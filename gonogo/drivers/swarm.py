"""``swarm``: ``docker service update`` of a Swarm service, with an explicit update policy
(monitor, failure action; order and stop grace from its create spec), waiting for
convergence (``--detach=false``). A service that does not exist yet is created from its
create spec (``swarm:`` or ``stack_file:``, gonogo.drivers.swarm_spec); rolling that back
removes it again.

Rollback returns to the exact spec the service ran before: ``docker service rollback``
when Docker's PreviousSpec is that spec, ``--image <exact previous reference>`` when it is
not, and nothing when Docker's own failure action already rolled it back.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from gonogo.config.docker_model import SwarmSpec
from gonogo.config.model import ServiceModel
from gonogo.drivers.base import (
    Deployed,
    Driver,
    DriverContext,
    DriverError,
    Health,
    Observed,
    container_health,
    docker_client,
    in_thread,
    observed_from_health,
    run_checked,
    version_of,
)
from gonogo.drivers.swarm_spec import create_args, create_spec, policy_args
from gonogo.hookimpl import hookimpl
from gonogo.targets.docker import docker_binary


def _image(spec: dict[str, Any] | None) -> str | None:
    if not spec:
        return None
    image = ((spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}).get("Image")
    return str(image) if image else None


#: The task a paused update names: "update paused due to failure or early termination of
#: task <id>" (Docker's UpdateStatus.Message, also what `docker service update` prints).
_PAUSED_TASK = re.compile(r"\btask ([a-z0-9]{12,})\b")


def _first_line(text: object) -> str:
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[0][:200] if lines else ""


def _has_registry(image: str) -> bool:
    first = image.split("/", 1)[0]
    return "/" in image and ("." in first or ":" in first or first == "localhost")


class SwarmDriver:
    driver_name = "swarm"
    pulls_images = True

    def __init__(self, spec: ServiceModel, ctx: DriverContext) -> None:
        self.spec = spec
        self.ctx = ctx
        self.service = spec.service or spec.name
        self._create: SwarmSpec | None = None
        self._client: Any = None

    def _docker(self) -> Any:
        """One docker SDK client for the driver's life, not one per call: over ``ssh://``
        each new client starts an ``ssh … docker system dial-stdio`` (a handshake and a
        remote process, ~1 s on a loaded host) — a deploy asks the engine dozens of times
        (plan, health probes, the record of what runs). Closed when the driver goes."""
        if self._client is None:
            self._client = docker_client(self.ctx.env)
            weakref.finalize(self, self._client.close)
        return self._client

    def _drop_client(self) -> None:
        """After a lost connection: the next call opens a fresh one."""
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def target(self, version: str) -> str:
        return f"{self.spec.image}:{version}" if self.spec.image else version

    async def _attrs(self) -> dict[str, Any] | None:
        client = self._docker()
        import docker

        try:
            service = await in_thread(client.services.get, self.service)
        except docker.errors.NotFound:
            return None
        except docker.errors.APIError as exc:
            raise DriverError(f"{self.spec.name}: {exc.explanation or exc}") from None
        except BaseException:
            self._drop_client()
            raise
        return dict(service.attrs)

    def _create_spec(self) -> SwarmSpec | None:
        if self._create is None:
            self._create = create_spec(self.spec, self.ctx.workdir)
        return self._create

    def _monitor_args(self) -> list[str]:
        return policy_args(self.spec, self._create_spec())

    def _resolve_args(self, image: str) -> list[str]:
        resolve = self.spec.resolve_image
        if resolve is None:
            resolve = _has_registry(image)
        auth = ["--with-registry-auth"] if _has_registry(image) else []
        return auth if resolve else [*auth, "--no-resolve-image"]

    # ---- the protocol ---------------------------------------------------------------

    async def preflight(self) -> None:
        if not self.spec.image:
            raise DriverError(f"{self.spec.name}: the swarm driver needs `image:`")
        create = self._create_spec()  # a stack file that cannot be translated stops here
        if create is None and await self._attrs() is None:
            raise DriverError(
                f"{self.spec.name}: swarm service {self.service!r} does not exist; give it a "
                "`swarm:` spec or a `stack_file:` to create it from, or create it once "
                f"(`docker service create --name {self.service} …`)")

    async def current(self) -> Deployed | None:
        attrs = await self._attrs()
        if attrs is None:
            return None
        image = _image(attrs.get("Spec"))
        return Deployed(version_of(image), image, {"service_id": attrs.get("ID", "")[:12]})

    async def deploy(self, version: str, previous: Deployed | None) -> Deployed:
        image = self.target(version)
        create = self._create_spec()
        if create is not None and await self._attrs() is None:
            # detached: a task that never converges would keep `create` waiting; the health
            # gate that follows decides (and sees a crash loop), as for an update
            argv = [docker_binary(), "service", "create", "--detach=true", "--quiet",
                    "--name", self.service, *create_args(create, self.ctx.workdir),
                    *self._monitor_args(), *self._resolve_args(image), image, *create.args]
            what = f"{self.spec.name}: docker service create"
        else:
            if previous is not None and previous.image and self.spec.previous_tag:
                await self._tag_previous(previous.image)
            argv = [docker_binary(), "service", "update", "--detach=false", "--image", image,
                    *self._monitor_args(), *self._resolve_args(image), self.service]
            what = f"{self.spec.name}: docker service update"
        try:
            await run_checked(argv, self.ctx, what=what, timeout=self.spec.timeout)
        except DriverError as exc:
            state = await self._update_state()
            if state and state.split(":", 1)[-1].strip() not in exc.message:
                exc.message += f" (update {state})"
            why = await self._why_task_failed(state or exc.message)
            if why:
                exc.message += f"; {why}"
            raise
        now = await self.current()
        if now is None:
            raise DriverError(f"{self.spec.name}: service {self.service} vanished")
        return now

    async def _tag_previous(self, image: str) -> None:
        """``IMAGE:previous`` names what ran before this deploy (pushed when the image has a
        registry), so the checklist's own ``docker service update --image …:previous``
        returns to it."""
        assert self.spec.image and self.spec.previous_tag
        ref = f"{self.spec.image}:{self.spec.previous_tag}"
        if image.split("@", 1)[0] == ref:
            return
        await run_checked([docker_binary(), "tag", image, ref], self.ctx,
                          what=f"{self.spec.name}: docker tag {ref}", timeout=60)
        if _has_registry(ref):
            await run_checked([docker_binary(), "push", "--quiet", ref], self.ctx,
                              what=f"{self.spec.name}: docker push {ref}",
                              timeout=self.spec.timeout)

    async def _update_state(self) -> str | None:
        attrs = await self._attrs()
        status = (attrs or {}).get("UpdateStatus") or {}
        state = status.get("State")
        return f"{state}: {status.get('Message', '')}".strip(": ") if state else None

    async def _why_task_failed(self, paused: str) -> str:
        """Why the task a paused update names failed, in one line: the task's error and,
        when its container had a HEALTHCHECK, the first line of the last probe's output —
        "update paused due to failure … of task X" alone sends the user digging through
        `docker service ps` and `docker inspect`. The probe's output is redacted: a probe
        may print what it sent (a sign-in's password). Empty when the engine cannot tell."""
        match = _PAUSED_TASK.search(paused)
        if match is None:
            return ""
        import docker

        client = self._docker()
        try:
            task = await in_thread(client.api.inspect_task, match.group(1))
        except docker.errors.APIError:
            return ""  # gone (task history trimmed): the pause message is all there is
        status = task.get("Status") or {}
        details = [str(status.get("Err") or "").removeprefix("task: ").strip()]
        health: dict[str, Any] = {}
        cid = (status.get("ContainerStatus") or {}).get("ContainerID")
        if cid:
            try:
                container = await in_thread(client.api.inspect_container, cid)
            except docker.errors.APIError:
                container = {}  # removed, or on another node
            health = (container.get("State") or {}).get("Health") or {}
        if health.get("Status") == "unhealthy" and "unhealthy" not in details[0]:
            details.append("container unhealthy")  # stopped gracefully: no error of its own
        why = f"task {match.group(1)[:12]} {status.get('State', 'failed')}"
        why += f" ({'; '.join(d for d in details if d)})" if any(details) else ""
        # the last probe that ran and printed something: Docker records a probe it could not
        # run (ExitCode -1: "cannot exec in a stopped container" as swarm stops the task, a
        # timeout) too; that one is the reason only when no probe ran
        log = [(entry.get("ExitCode"), _first_line(entry.get("Output")))
               for entry in health.get("Log") or []]
        ran = [text for code, text in log if code != -1 and text]
        probe = (ran or [text for _, text in log if text] or [""])[-1]
        if probe:
            why += f", last healthcheck: {probe}"
        return self.ctx.redactor.text(why)

    async def health(self) -> Health:
        attrs = await self._attrs()
        if attrs is None:
            return Health("failed", f"service {self.service} does not exist")
        status = attrs.get("UpdateStatus") or {}
        if status.get("State") in ("paused", "rollback_paused"):
            message = str(status.get("Message", ""))
            why = await self._why_task_failed(message)
            return Health("failed", f"service {self.service} update {status['State']}: "
                                    f"{message}{'; ' + why if why else ''}")
        if status.get("State") in ("updating", "rollback_started"):
            return Health("starting", f"service {self.service} {status['State']}")
        wanted = _image(attrs.get("Spec"))
        client = self._docker()
        try:
            tasks = await in_thread(lambda: client.api.tasks(
                filters={"service": self.service}))
            current = [t for t in tasks if (t.get("Spec") or {}).get("ContainerSpec", {})
                       .get("Image") == wanted]
            running = [t for t in current if t.get("DesiredState") == "running"
                       and (t.get("Status") or {}).get("State") == "running"]
            failed = [t for t in current if (t.get("Status") or {}).get("State") in
                      ("failed", "rejected")]
            if not running:
                if len(failed) >= 2:
                    err = (failed[-1].get("Status") or {}).get("Err", "")
                    return Health("failed", f"service {self.service} is crash-looping "
                                            f"({len(failed)} failed tasks: {err})")
                return Health("starting", f"service {self.service}: no running task yet")
            for task in running:
                cid = ((task.get("Status") or {}).get("ContainerStatus") or {}).get("ContainerID")
                if not cid:
                    continue
                import docker

                try:
                    container = await in_thread(client.containers.get, cid)
                except docker.errors.NotFound:
                    continue  # on another node: its task state is what we have
                use = self.spec.health.container if self.spec.health else True
                state = container_health(container.attrs, use)
                if state.state != "healthy":
                    return state
            return Health("healthy", f"service {self.service}: {len(running)} task(s) running"
                                     f" {wanted}")
        except BaseException:  # a lost or hung connection: the next probe opens a new one
            self._drop_client()
            raise

    async def observe(self) -> Observed:
        """The service spec's image and the state of its tasks (and their containers)."""
        attrs = await self._attrs()
        if attrs is None:
            return Observed(None, None, "absent", f"service {self.service} does not exist")
        return observed_from_health(_image(attrs.get("Spec")), await self.health())

    async def rollback(self, previous: Deployed | None, failed_version: str) -> str:
        if previous is None and self._create_spec() is not None:
            if await self._attrs() is None:
                return f"{self.service} was not created"
            await run_checked([docker_binary(), "service", "rm", self.service], self.ctx,
                              what=f"{self.spec.name}: docker service rm", timeout=60)
            return f"{self.service} removed (this deploy created it)"
        if previous is None or not previous.image:
            raise DriverError(f"{self.spec.name}: no previous image recorded to return to")
        attrs = await self._attrs()
        if attrs is None:
            raise DriverError(f"{self.spec.name}: service {self.service} does not exist")
        now = _image(attrs.get("Spec"))
        state = (attrs.get("UpdateStatus") or {}).get("State")
        if now == previous.image and state not in ("rollback_paused",):
            return f"{self.service} already back on {previous.image} (Docker rolled it back)"
        if _image(attrs.get("PreviousSpec")) == previous.image:
            argv = [docker_binary(), "service", "rollback", "--detach=false", self.service]
            how = "docker service rollback"
        else:
            argv = [docker_binary(), "service", "update", "--detach=false", "--image",
                    previous.image, *self._monitor_args(), *self._resolve_args(previous.image),
                    self.service]
            how = "docker service update --image"
        await run_checked(argv, self.ctx, what=f"{self.spec.name}: {how}",
                          timeout=self.spec.timeout)
        return f"{self.service} back on {previous.image} ({how})"


@hookimpl
def gonogo_drivers() -> list[type[Driver]]:
    return [SwarmDriver]
