"""``registry.tag`` against a real registry (Registry HTTP API v2), and through Docker Hub's
Bearer-token challenge (a local token server in front of the real registry: Docker Hub
itself cannot be reached from here)."""

from __future__ import annotations

import base64
import json
import secrets
import subprocess
import urllib.request
from pathlib import Path

import pytest

from gonogo.checks.registry_tag import split_image
from gonogo.core.outcomes import Outcome
from gonogo.redact import Redactor
from testing import services
from testing.checks import run_check
from testing.http_server import Route, serve


@pytest.fixture(scope="module")
def pushed() -> tuple[str, str, str]:
    """(registry, repository, digest) of a tiny image pushed as tag v1."""
    docker, registry = services.docker(), services.registry()
    repo = f"gnt{secrets.token_hex(3)}/api"
    ref = f"{registry}/{repo}:v1"
    build = subprocess.run([docker, "build", "-q", "-t", ref, "-"], input=b"FROM scratch\nLABEL a=b\n",
                           capture_output=True)
    if build.returncode != 0:  # scratch with only a label has no layer: add one
        raise AssertionError(build.stderr.decode())
    push = subprocess.run([docker, "push", ref], capture_output=True, text=True)
    assert push.returncode == 0, push.stderr
    digest = push.stdout.split("digest: ")[1].split()[0]
    subprocess.run([docker, "image", "rm", ref], capture_output=True)
    return registry, repo, digest


def test_tag_exists_with_its_digest(tmp_path: Path, pushed: tuple[str, str, str]) -> None:
    registry, repo, digest = pushed
    result, _ = run_check("registry.tag", {"image": f"{registry}/{repo}", "tag": "v1"}, tmp_path)
    assert result.outcome == Outcome.PASSED, result.summary
    assert result.summary == f"{registry}/{repo}:v1 exists ({digest[:19]})"
    assert result.evidence["digest"] == digest


def test_missing_tag_fails_listing_the_tags_there(tmp_path: Path,
                                                  pushed: tuple[str, str, str]) -> None:
    registry, repo, _ = pushed
    result, _ = run_check("registry.tag", {"image": f"{registry}/{repo}", "tag": "v9"}, tmp_path)
    assert result.outcome == Outcome.FAILED
    assert result.summary == f"tag v9 not found in {registry}/{repo} (tags: v1)"


def test_wrong_digest_fails(tmp_path: Path, pushed: tuple[str, str, str]) -> None:
    registry, repo, digest = pushed
    result, _ = run_check("registry.tag", {"image": f"{registry}/{repo}", "tag": "v1",
                                           "digest": "sha256:" + "0" * 64}, tmp_path)
    assert result.outcome == Outcome.FAILED
    assert result.summary == (f"{registry}/{repo}:v1 is {digest}, expected sha256:{'0' * 64}")


def test_bearer_token_challenge_as_docker_hub_does(tmp_path: Path,
                                                   pushed: tuple[str, str, str]) -> None:
    registry, repo, digest = pushed
    password = "s3cret-" + secrets.token_hex(8)
    token = secrets.token_hex(16)
    seen: list[str] = []

    def token_route(method: str, path: str, body: bytes, headers: dict[str, str]) -> Route:
        expected = "Basic " + base64.b64encode(f"ci:{password}".encode()).decode()
        seen.append(path)
        if headers.get("Authorization") != expected:
            return Route(401, "{}")
        return Route(200, json.dumps({"token": token}), {"Content-Type": "application/json"})

    with serve({"/token": token_route}) as server:
        def manifest(method: str, path: str, body: bytes, headers: dict[str, str]) -> Route:
            if headers.get("Authorization") != f"Bearer {token}":
                challenge = (f'Bearer realm="{server.url}/token",service="registry.test",'
                             f'scope="repository:{repo}:pull"')
                return Route(401, "", {"WWW-Authenticate": challenge})
            request = urllib.request.Request(f"http://{registry}{path}", method="HEAD", headers={
                "Accept": headers.get("Accept", "")})
            with urllib.request.urlopen(request) as response:
                return Route(200, "", {"Docker-Content-Digest":
                                       response.headers["Docker-Content-Digest"]})

        server.set(f"/v2/{repo}/manifests/v1", manifest)
        host = f"127.0.0.1:{server.port}"
        redactor = Redactor()
        redactor.add("REGISTRY_PASSWORD", password)
        ok, _ = run_check("registry.tag", {"image": f"{host}/{repo}", "tag": "v1",
                                           "username": "ci", "password": password}, tmp_path,
                          redactor=redactor)
        assert ok.outcome == Outcome.PASSED, ok.summary
        assert ok.evidence["digest"] == digest
        assert seen == ["/token?service=registry.test&scope=repository%3A"
                        + repo.replace("/", "%2F") + "%3Apull"]
        assert password not in json.dumps(ok.evidence)

        denied, _ = run_check("registry.tag", {"image": f"{host}/{repo}", "tag": "v1",
                                               "username": "ci", "password": "wrong"}, tmp_path)
        assert denied.outcome == Outcome.FAILED
        assert denied.summary == (f"registry {host} refused access to {repo} (HTTP 401); "
                                  "check username/password")


@pytest.mark.parametrize(("image", "expected"), [
    ("team/api", ("registry-1.docker.io", "team/api")),
    ("nginx", ("registry-1.docker.io", "library/nginx")),
    ("127.0.0.1:5000/team/api:v1", ("127.0.0.1:5000", "team/api")),
    ("registry.example.com/team/api@sha256:abc", ("registry.example.com", "team/api")),
    ("localhost/api", ("localhost", "api")),
])
def test_image_references_split_like_docker(image: str, expected: tuple[str, str]) -> None:
    assert split_image(image) == expected
