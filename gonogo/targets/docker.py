"""Which docker client to run: checks and drivers both start it, so it lives below both."""

from __future__ import annotations

import os
import shutil


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
