"""The `gonogo-validate` hook through the real `pre-commit try-repo`, in a sample git
repository: pre-commit installs gonogo from this checkout into its own environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from testing.cli import write
from tests.packaging.conftest import ROOT

GOOD = """version: 1
checklist: DEPLOYMENT_CHECKLIST.md
"""
CHECKLIST = """# Release

## Pre-Deployment Verification

- [ ] Build passes <!-- gonogo: {type: command, run: "true"} -->
- [ ] Critical user flows tested
"""


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the module: the hook's environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, timeout=60)


def try_repo(repo: Path, home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONOGO_", "PRE_COMMIT"))}
    env.update({"PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "TERM": "dumb"})
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "gonogo-validate",
         "--all-files", "--color", "never", *extra],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900)


def sample_repo(root: Path, config: str) -> Path:
    repo = root / "repo"
    write(repo / "gonogo.yml", config)
    write(repo / "DEPLOYMENT_CHECKLIST.md", CHECKLIST)
    git(repo, "init", "-q")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.test", "add", ".")
    return repo


def test_hook_passes_a_good_config_and_lists_unbound_items(tmp_path: Path, pre_commit_home: Path) -> None:
    repo = sample_repo(tmp_path, GOOD)
    done = try_repo(repo, pre_commit_home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "gonogo validate" in done.stdout and "Passed" in done.stdout
    assert ("DEPLOYMENT_CHECKLIST.md:6: unbound — Critical user flows tested: no rule recognizes "
            "this item; sign it off, or annotate it\n") in done.stdout
    assert "gonogo.yml: ok — 1 phases, 2 checks (1 automated, 1 manual)" in done.stdout


def test_hook_fails_on_an_unknown_key_with_its_line(tmp_path: Path, pre_commit_home: Path) -> None:
    repo = sample_repo(tmp_path, GOOD + "defaults: {timout: 30s}\n")
    done = try_repo(repo, pre_commit_home)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout
    assert "gonogo: error: gonogo.yml:3: defaults.timout: unknown key 'timout'" in done.stdout
