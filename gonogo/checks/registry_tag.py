"""``registry.tag``: a tag exists in the registry, with its digest — through the Registry HTTP
API v2 (``HEAD /v2/<name>/manifests/<tag>``), including the Bearer-token challenge Docker Hub
uses and Basic auth. The checklist's "Images pushed" / "Image tags are correct".

Credentials: ``username``/``password`` here, else the ones Docker's client config holds for
the registry (``$DOCKER_CONFIG``: the environment's ``registry:`` login, or a ``docker
login`` the CI job ran)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import Field

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.core.errors import CheckError, CheckFailed
from gonogo.core.fields import Duration, RegistryHost
from gonogo.hookimpl import hookimpl
from gonogo.targets.docker import registry_credentials

DOCKER_HUB = "registry-1.docker.io"
ACCEPT = ", ".join([
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
])
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')


def split_image(image: str, registry: str | None = None) -> tuple[str, str]:
    """(registry host, repository) of an image reference, Docker's way: the first part is a
    host when it has a dot or a port or is ``localhost``; Docker Hub otherwise."""
    name = image.split("@", 1)[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    first, _, rest = name.partition("/")
    if registry:
        return registry, name if not rest or not _is_host(first) else rest
    if rest and _is_host(first):
        return first, rest
    return DOCKER_HUB, name if "/" in name else f"library/{name}"


def _is_host(part: str) -> bool:
    return "." in part or ":" in part or part == "localhost"


class RegistryTagCheck(Check):
    """``IMAGE:TAG`` exists in its registry; evidence: the manifest digest."""

    type_name = "registry.tag"
    example = {"image": "registry.example.com/team/api", "tag": "${version}"}
    secret_fields = ("password",)

    #: Default: every service's ``image:`` (``$GONOGO_SERVICE_IMAGES``).
    image: str | None = None
    tag: str
    registry: RegistryHost | None = None
    username: str | None = None
    password: str | None = Field(default=None, repr=False)
    #: plain HTTP; default: only for localhost / 127.0.0.1 registries
    insecure: bool | None = None
    digest: str | None = None  # expect this exact digest
    request_timeout: Duration = 15.0

    def describe(self) -> str:
        return f"registry.tag: {self.image or 'every service image'}:{self.tag}"

    async def run(self, ctx: CheckContext) -> Evidence:
        if self.image:
            return await self._one(self.image, ctx.env)
        images = ctx.env.get("GONOGO_SERVICE_IMAGES", "").split()
        if not images:
            raise CheckError("no image to look up: set `image:` here, or `image:` on services")
        found = [await self._one(image, ctx.env) for image in images]
        return Evidence(summary="; ".join(e.summary for e in found),
                        data={"images": [e.data for e in found]})

    async def lookup(self, image: str, env: Mapping[str, str]) -> Evidence:
        """``image`` (its tag ignored: ``tag:`` is looked up) exists; raise CheckProblem if not.
        Also the deploy plan's image probe (gonogo.deploy.images)."""
        return await self._one(image, env)

    async def _one(self, image: str, env: Mapping[str, str]) -> Evidence:
        import httpx

        host, repo = split_image(image, self.registry)
        auth: tuple[str, str] | None = (
            (self.username, self.password or "") if self.username
            else registry_credentials(env, host))
        insecure = self.insecure
        if insecure is None:
            insecure = host.split(":")[0] in ("127.0.0.1", "localhost", "::1")
        base = f"{'http' if insecure else 'https'}://{host}"
        url = f"{base}/v2/{repo}/manifests/{self.tag}"
        where = f"{host}/{repo}"
        async with httpx.AsyncClient(timeout=self.request_timeout, trust_env=False) as client:
            try:
                response = await self._request(client, "HEAD", url, repo, auth)
                if response.status_code == 405:  # some registries refuse HEAD
                    response = await self._request(client, "GET", url, repo, auth)
            except httpx.HTTPError as exc:
                raise CheckError(f"registry {host}: {exc or type(exc).__name__}") from None
            data: dict[str, Any] = {"registry": host, "repository": repo, "tag": self.tag,
                                    "status": response.status_code}
            if response.status_code in (401, 403):
                why = env.get("GONOGO_REGISTRY_PROBLEM") or (
                    "check username/password" if self.username else
                    "check the `registry:` login's username and password" if auth else
                    "no credentials for it: set `registry:` (server, username, password)")
                raise CheckFailed(f"registry {host} refused access to {repo} "
                                  f"(HTTP {response.status_code}); {why}", data)
            if response.status_code == 404:
                tags = await self._tags(client, base, repo, auth)
                hint = f" (tags: {', '.join(tags[-8:])})" if tags else ""
                raise CheckFailed(f"tag {self.tag} not found in {where}{hint}", data)
            if response.status_code != 200:
                raise CheckFailed(f"registry {host}: HTTP {response.status_code} for "
                                  f"{repo}:{self.tag}", data)
        digest = response.headers.get("Docker-Content-Digest", "")
        data.update(digest=digest, media_type=response.headers.get("Content-Type", ""))
        if self.digest and digest != self.digest:
            raise CheckFailed(f"{where}:{self.tag} is {digest or 'without a digest'}, expected "
                              f"{self.digest}", data)
        return Evidence(summary=f"{where}:{self.tag} exists ({digest[:19] or 'no digest'})",
                        data=data)

    async def _request(self, client: Any, method: str, url: str, repo: str,
                       auth: tuple[str, str] | None) -> Any:
        headers = {"Accept": ACCEPT}
        response = await client.request(method, url, headers=headers)
        if response.status_code != 401:
            return response
        challenge = response.headers.get("WWW-Authenticate", "")
        scheme = challenge.split(" ", 1)[0].lower()
        if scheme == "basic" and auth:
            return await client.request(method, url, headers=headers, auth=auth)
        if scheme != "bearer":
            return response
        params = dict(_CHALLENGE.findall(challenge))
        realm = params.pop("realm", "")
        if not realm:
            return response
        params.setdefault("scope", f"repository:{repo}:pull")
        token_response = await client.get(realm, params=params, auth=auth)
        if token_response.status_code != 200:
            return token_response
        body = token_response.json()
        token = body.get("token") or body.get("access_token")
        if not token:
            return response
        headers["Authorization"] = f"Bearer {token}"
        return await client.request(method, url, headers=headers)

    async def _tags(self, client: Any, base: str, repo: str,
                    auth: tuple[str, str] | None) -> list[str]:
        try:
            response = await self._request(client, "GET", f"{base}/v2/{repo}/tags/list", repo,
                                           auth)
            if response.status_code == 200:
                return [str(t) for t in response.json().get("tags") or []]
        except Exception:  # a hint only
            pass
        return []


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [RegistryTagCheck]
