"""Does every image a deploy would run exist? Asked before anything changes, so a release
that was never built (or never pushed) is NO-GO with the image named — instead of Compose or
Swarm trying to pull it from Docker Hub halfway through a deploy or a rollback.

An image exists when the Docker engine has it (the Docker SDK; what Compose and a one-node
Swarm run without pulling) or when its registry has the tag (Registry HTTP API v2 manifest
HEAD, the ``registry.tag`` check's client). Fail closed: an engine or registry that cannot
be asked counts as missing, with the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from gonogo.drivers.base import DriverError, docker_client, in_thread

#: Drivers whose ``target()`` is an image reference they pull when the engine lacks it.
IMAGE_DRIVERS = frozenset({"compose", "swarm"})


def split_tag(image: str) -> tuple[str, str]:
    """(name, tag) of an image reference; Docker's default tag is ``latest``."""
    ref = image.split("@", 1)[0]
    name, _, tag = ref.rpartition(":")
    if not name or "/" in tag:
        return ref, "latest"
    return name, tag


async def in_engine(image: str, env: Mapping[str, str] | None = None) -> bool | str:
    """True when the engine (``env``'s ``DOCKER_HOST``) has ``image``; False when not; why
    not when it cannot say."""
    try:
        client = docker_client(env)
    except DriverError as exc:
        return exc.message
    try:
        import docker

        try:
            await in_thread(client.images.get, image)
        except docker.errors.ImageNotFound:
            return False
        except docker.errors.APIError as exc:
            return f"the Docker engine: {exc.explanation or exc}"
        except DriverError as exc:
            return exc.message
        return True
    finally:
        client.close()


async def in_registry(image: str, env: Mapping[str, str] | None = None) -> str | None:
    """None when the image's registry has its tag, else why not (one line); logged in with
    the credentials of ``env``'s Docker config (the environment's ``registry:``)."""
    from gonogo.checks.registry_tag import RegistryTagCheck
    from gonogo.core.errors import CheckProblem

    name, tag = split_tag(image)
    check = RegistryTagCheck.model_validate({"image": name, "tag": tag})
    try:
        await check.lookup(name, env or {})
    except CheckProblem as exc:
        return exc.message
    return None


async def image_problem(image: str, env: Mapping[str, str] | None = None) -> str | None:
    """None when ``image`` exists in the engine or in its registry, else why not."""
    local = await in_engine(image, env)
    if local is True:
        return None
    remote = await in_registry(image, env)
    if remote is None:
        return None
    engine = "not in the Docker engine" if local is False else f"engine not asked: {local}"
    return f"{image} ({engine}; {remote})"


async def missing_images(images: Sequence[str],
                         env: Mapping[str, str] | None = None) -> list[str]:
    """``IMAGE (why)`` for each image that exists neither in the engine nor in its registry
    (``env``: the environment's ``DOCKER_HOST`` and registry login)."""
    problems = await asyncio.gather(*(image_problem(i, env) for i in images))
    return [p for p in problems if p is not None]


def missing_message(missing: Sequence[str]) -> str:
    """One line naming every missing image."""
    noun = "image" if len(missing) == 1 else f"{len(missing)} images"
    return f"{noun} not found: " + ", ".join(missing)
