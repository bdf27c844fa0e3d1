"""Plumbing shared by the image check types: the docker client binary, default tags."""

from __future__ import annotations

from gonogo.checks.base import CheckContext
from gonogo.core.errors import CheckError, CheckFailed
from gonogo.targets.docker import docker_binary
from gonogo.targets.local import ProcessResult, run_process


def docker_argv(*args: str) -> list[str]:
    return [docker_binary(), *args]


async def run_docker(argv: list[str], ctx: CheckContext, *, what: str,
                     timeout: float | None) -> ProcessResult:
    try:
        result = await run_process(argv, cwd=ctx.workdir, env=dict(ctx.env), timeout=timeout)
    except FileNotFoundError:
        raise CheckError(f"{what}: docker client not found ({argv[0]}); set GONOGO_DOCKER") from None
    if result.exit_code != 0:
        text = (result.stderr or result.stdout).strip().splitlines()
        last = ctx.redactor.text(text[-1].strip()[:200]) if text else ""
        output = ctx.redactor.text(result.stdout + result.stderr)
        raise CheckFailed(f"{what}: exit {result.exit_code}" + (f": {last}" if last else ""),
                          {"output": output})
    return result


async def git_sha(ctx: CheckContext) -> str | None:
    try:
        result = await run_process(["git", "rev-parse", "--short=12", "HEAD"], cwd=ctx.workdir,
                                   env=dict(ctx.env), timeout=10)
    except OSError:
        return None
    sha = result.stdout.strip()
    return sha if result.exit_code == 0 and sha else None


async def default_tags(ctx: CheckContext) -> list[str]:
    """``$GONOGO_VERSION`` (set by `gonogo deploy --version`) and the short git sha."""
    tags = []
    version = ctx.env.get("GONOGO_VERSION")
    if version:
        tags.append(version)
    sha = await git_sha(ctx)
    if sha and sha not in tags:
        tags.append(sha)
    if not tags:
        raise CheckError("no tags: set `tags:`, run under `gonogo deploy --version V`, "
                         "or run inside a git repository")
    return tags
