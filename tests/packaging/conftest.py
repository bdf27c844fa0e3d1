"""A wheel and sdist built the way a release is (``python -m build``), and a clean venv
with the wheel installed and no dev dependencies: what ``pipx install gonogo`` gives."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path
    version: str


@dataclass(frozen=True)
class CleanVenv:
    path: Path

    @property
    def bin(self) -> Path:
        return self.path / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"


def project_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        version: str = tomllib.load(handle)["project"]["version"]
    return version


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    out = tmp_path_factory.mktemp("dist")
    # sdist first, then the wheel built from that sdist: a file the sdist forgets breaks it
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("gonogo-*.whl")
    (sdist,) = out.glob("gonogo-*.tar.gz")
    return Dist(wheel, sdist, project_version())


@pytest.fixture(scope="session")
def clean_venv(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> CleanVenv:
    """A venv of its own with the wheel and its run-time dependencies only (no extras)."""
    venv = CleanVenv(tmp_path_factory.mktemp("venv") / "gonogo")
    subprocess.run([sys.executable, "-m", "venv", str(venv.path)], check=True, timeout=300)
    done = subprocess.run([str(venv.python), "-m", "pip", "install", "-q", str(dist.wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return venv
