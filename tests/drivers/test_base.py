"""Driver plumbing that needs no engine: image references, container states."""

from __future__ import annotations

from typing import Any

import pytest

from gonogo.drivers.base import container_health, version_of


@pytest.mark.parametrize(("image", "version"), [
    ("team/api:v1", "v1"),
    ("127.0.0.1:5000/team/api:v2@sha256:" + "a" * 64, "v2"),
    ("127.0.0.1:5000/team/api", None),
    ("api", None),
    (None, None),
])
def test_version_of_an_image_reference(image: str | None, version: str | None) -> None:
    assert version_of(image) == version


def attrs(state: dict[str, Any], restarts: int = 0) -> dict[str, Any]:
    return {"Name": "/shop_api_1", "RestartCount": restarts, "State": state}


def test_crash_looping_container_is_a_definitive_failure() -> None:
    health = container_health(attrs({"Restarting": True, "Running": True, "ExitCode": 1}, 3),
                              True, "boot\nfatal: cannot start\n")
    assert health.state == "failed"
    assert health.reason == ("container shop_api_1 is crash-looping (exit 1, 3 restarts): "
                             "fatal: cannot start")


def test_exited_container_is_a_definitive_failure() -> None:
    health = container_health(attrs({"Running": False, "Status": "exited", "ExitCode": 2}), True)
    assert (health.state, health.reason) == ("failed", "container shop_api_1 exited (exit 2)")


def test_healthcheck_status_decides_when_used() -> None:
    unhealthy = {"Running": True, "Health": {"Status": "unhealthy", "Log": [
        {"Output": "wget: server returned error: HTTP/1.1 404 Not Found\n"}]}}
    assert container_health(attrs(unhealthy), True).reason == (
        "container shop_api_1 unhealthy: wget: server returned error: HTTP/1.1 404 Not Found")
    assert container_health(attrs(unhealthy), False).state == "healthy"
    starting = {"Running": True, "Health": {"Status": "starting", "Log": []}}
    # `health: starting` is not healthy yet, whatever an HTTP probe says (docs/deploy.md)
    health = container_health(attrs(starting), True)
    assert (health.state, health.reason) == ("starting", "container shop_api_1 health: starting")
    assert container_health(attrs(starting), False).state == "healthy"
