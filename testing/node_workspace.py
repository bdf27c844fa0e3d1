"""The pnpm workspace fixture (``tests/data/pnpm-workspace``) as a real git repository,
with the real Node tools (typescript, eslint, pnpm) from ``scripts/node-tools.sh``."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from testing.services import require

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "data" / "pnpm-workspace"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def node_bin() -> Path:
    """The directory with ``tsc``, ``eslint`` and ``pnpm`` (skip, or fail in CI, without it)."""
    return Path(require("GONOGO_TEST_NODE_BIN", "Node tools (typescript, eslint, pnpm)"))


def node_env(**extra: str) -> dict[str, str]:
    """The process environment for checks: PATH and git identity."""
    return {**os.environ, **GIT_ENV, **extra}


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], env=node_env(), capture_output=True, text=True,
        check=True,
    )
    return result.stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def workspace_repo(dest: Path, *, node_modules: bool = True) -> Path:
    """A copy of the fixture at ``dest``: ``main`` holds it, ``feature`` is checked out.

    With ``node_modules``, the cached Node tools are linked in as the workspace's own
    ``node_modules`` (what ``pnpm install`` would have produced for these tools)."""
    shutil.copytree(FIXTURE, dest)
    (dest / ".gitignore").write_text("node_modules\ndist\n", encoding="utf-8")
    git(dest, "init", "-q", "-b", "main")
    commit_all(dest, "fixture")
    git(dest, "checkout", "-q", "-b", "feature")
    if node_modules:
        (dest / "node_modules").symlink_to(node_bin().parent, target_is_directory=True)
    return dest


def write(repo: Path, rel: str, text: str) -> Path:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
