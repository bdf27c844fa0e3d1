"""`gonogo serve` as a user starts it: a real uvicorn process on 127.0.0.1, stopped after
the test; plus the project, users and runs the web tests share."""

from __future__ import annotations

import os
import pwd
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from testing.cli import gonogo
from testing.project import project

OS_USER = pwd.getpwuid(os.geteuid()).pw_name

#: A gate that waits for a person: one automated check, one manual item, and a command whose
#: output holds markup that must show as text.
PENDING_CONFIG = """
version: 1
name: shop
{state}
phases:
  - id: pre
    kind: preflight
    checks:
      - {{id: build, run: "echo '<img src=x onerror=window.pwned=1><script>window.pwned=2</script>'"}}
      - {{id: flows, title: Critical user flows tested, type: manual}}
"""


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10,
                            follow_redirects=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(root: Path, *extra: str) -> Iterator[Server]:
    """Start `gonogo serve` in ``root``; yield once /healthz answers; stop it afterwards."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "gonogo", "serve", "--port", str(port), *extra],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"gonogo serve exited: {process.stdout.read() if process.stdout else ''}")
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("gonogo serve did not answer /healthz within 30s")
            time.sleep(0.1)
        yield Server(url, process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def add_user(root: Path, name: str, role: str) -> str:
    added = gonogo("users", "add", name, "--role", role, cwd=root)
    assert added.returncode == 0, added.stderr
    return added.stdout.strip()


def pending_project(root: Path, state: str = "") -> str:
    """A project whose first `gonogo check` is PENDING; returns the run id."""
    project(root, PENDING_CONFIG.format(state=f"state: {state}" if state else ""))
    result = gonogo("check", "--report", "json:-", cwd=root)
    assert result.returncode == 4, result.stdout + result.stderr
    return str(result.stdout.split('"run_id": "', 1)[1].split('"', 1)[0])
