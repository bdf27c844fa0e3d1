"""``docker.push``: the image's tags are pushed (the checklist's "Images pushed")."""

from __future__ import annotations

import re

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.docker_common import default_tags, docker_argv, run_docker
from gonogo.hookimpl import hookimpl

_DIGEST = re.compile(r"digest: (sha256:[0-9a-f]{64})")


class DockerPushCheck(Check):
    """``docker push IMAGE:TAG`` for each tag (default as for ``docker.build``)."""

    type_name = "docker.push"
    #: Not run by `check`: it publishes an image to a registry.
    changes_state = True
    example = {"image": "registry.example.com/team/api", "tags": ["${version}"]}

    image: str
    tags: list[str] = []

    def describe(self) -> str:
        return f"docker.push: {self.image}"

    async def run(self, ctx: CheckContext) -> Evidence:
        tags = self.tags or await default_tags(ctx)
        digests: dict[str, str] = {}
        for tag in tags:
            ref = f"{self.image}:{tag}"
            result = await run_docker(docker_argv("push", ref), ctx, what=f"docker push {ref}",
                                      timeout=None)
            found = _DIGEST.search(result.stdout)
            digests[ref] = found.group(1) if found else ""
        shown = ", ".join(f"{ref}@{d[:19]}" if d else ref for ref, d in digests.items())
        return Evidence(summary=f"pushed {shown}", data={"digests": digests})


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [DockerPushCheck]
