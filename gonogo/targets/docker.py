"""How gonogo reaches a Docker engine and a registry — which docker client to run (checks
and drivers both start it, so it lives below both), the engine named by the environment's
``docker_host`` (``ssh://deploy@vps:22``) and the registry login of its ``registry:``.

Both travel the way Docker's own client takes them, so every docker call — the drivers',
the image checks', and the team's own commands in the checklist — goes to the same engine
with the same login: ``DOCKER_HOST`` and ``DOCKER_CONFIG`` in the environment commands see.
The login is written to a private folder (0700, removed when gonogo exits) in Docker's own
``config.json`` form, which is what ``docker login`` would write, without touching the
user's ``~/.docker``; the registry HTTP client (``registry.tag``) reads credentials from
the same file, so a CI job that ran ``docker login`` itself needs no ``registry:`` at all.
"""

from __future__ import annotations

import atexit
import base64
import functools
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from gonogo import private


def docker_binary() -> str:
    """``$GONOGO_DOCKER``, else Debian's ``/usr/bin/docker``, else ``docker`` on PATH.

    Explicit because a machine may carry several clients, not all matching its engine.
    """
    chosen = os.environ.get("GONOGO_DOCKER")
    if chosen:
        return chosen
    if os.access("/usr/bin/docker", os.X_OK):
        return "/usr/bin/docker"
    return shutil.which("docker") or "docker"


def docker_env(docker_host: str | None,
               login: tuple[str, str, str] | None) -> dict[str, str]:
    """``DOCKER_HOST`` / ``DOCKER_CONFIG`` for an environment's engine and registry login."""
    env: dict[str, str] = {}
    if docker_host:
        env["DOCKER_HOST"] = docker_host
    if login is not None:
        env["DOCKER_CONFIG"] = str(_config_dir(*login))
    return env


@functools.cache
def _config_dir(server: str, username: str, password: str) -> Path:
    directory = Path(tempfile.mkdtemp(prefix="gonogo-docker-"))  # 0700
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    auth = base64.b64encode(f"{username}:{password}".encode()).decode()
    private.write_text(directory / "config.json",
                       json.dumps({"auths": {server: {"auth": auth}}}, indent=1))
    return directory


def registry_credentials(env: Mapping[str, str], host: str) -> tuple[str, str] | None:
    """The (username, password) Docker's client config holds for ``host`` — the file of
    ``$DOCKER_CONFIG`` (gonogo's `registry:` login) or ``~/.docker/config.json``; None when
    it holds none (credential helpers are not asked: their secrets stay theirs)."""
    folder = env.get("DOCKER_CONFIG") or os.path.join(env.get("HOME") or "~", ".docker")
    try:
        data = json.loads(Path(folder, "config.json").expanduser().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    auths = data.get("auths") if isinstance(data, dict) else None
    if not isinstance(auths, dict):
        return None
    for key in (host, f"https://{host}", f"http://{host}", f"https://{host}/v1/"):
        entry = auths.get(key)
        if isinstance(entry, dict) and isinstance(entry.get("auth"), str):
            try:
                user, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            return (user, password) if user else None
    return None
