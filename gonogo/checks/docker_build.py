"""``docker.build``: the image builds, tagged with the release version and the git sha
(the checklist's "Image tags are correct")."""

from __future__ import annotations

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.docker_common import default_tags, docker_argv, run_docker
from gonogo.hookimpl import hookimpl


class DockerBuildCheck(Check):
    """``docker build`` CONTEXT with ``-t IMAGE:TAG`` for each tag (default: ``${version}``
    when deploying, and the short git sha)."""

    type_name = "docker.build"
    example = {"context": ".", "dockerfile": "apps/api/Dockerfile", "image": "team/api"}

    #: Without one, the build is only proven to succeed (no tags).
    image: str | None = None
    context: str = "."
    dockerfile: str | None = None
    tags: list[str] = []
    build_args: dict[str, str] = {}
    target: str | None = None
    pull: bool = False

    def describe(self) -> str:
        return f"docker.build: {self.image or 'untagged'} from {self.context}"

    async def run(self, ctx: CheckContext) -> Evidence:
        refs = []
        if self.image:
            tags = self.tags or await default_tags(ctx)
            refs = [f"{self.image}:{tag}" for tag in tags]
        argv = docker_argv("build", "--quiet")
        for ref in refs:
            argv += ["-t", ref]
        if self.dockerfile:
            argv += ["-f", str(ctx.resolve(self.dockerfile))]
        for key, value in self.build_args.items():
            argv += ["--build-arg", f"{key}={value}"]
        if self.target:
            argv += ["--target", self.target]
        if self.pull:
            argv.append("--pull")
        argv.append(str(ctx.resolve(self.context)))
        result = await run_docker(argv, ctx, what="docker build", timeout=None)
        image_id = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        return Evidence(summary=f"built {', '.join(refs) or 'untagged'} ({image_id[:19]})",
                        data={"image_id": image_id, "tags": refs})


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [DockerBuildCheck]
