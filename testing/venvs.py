"""Installing gonogo and plugins the way a user does, into a fresh virtual environment.

Offline and quick: gonogo and each plugin are built into wheels from their sources (no build
isolation: the running environment's setuptools builds them) and installed with
``pip --no-deps --no-index`` into a new ``python -m venv``. Their third-party dependencies
(pydantic, pluggy, …) come from the running environment's site-packages, added to the new
one by a ``.pth`` line: a path in a ``.pth`` file is only appended to ``sys.path`` (its own
``.pth`` files, such as this checkout's editable install of gonogo, are not processed), so
``gonogo`` and every plugin resolve to the wheels installed in the new environment, found
through their installed metadata and entry points as on a user's machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIP_QUIET = ["--quiet", "--disable-pip-version-check", "--no-cache-dir", "--no-index"]


def _pip(*args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True,
                            timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"pip {' '.join(args)}: exit {result.returncode}\n{result.stderr}")


def gonogo_sources(dest: Path) -> Path:
    """A copy of this checkout's package sources (building writes into the source tree)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("gonogo", "testing"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    return dest


def build_wheel(source: Path, out: Path) -> Path:
    """Build ``source`` (a folder with a pyproject.toml) into a wheel in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    before = set(out.glob("*.whl"))
    _pip("wheel", *PIP_QUIET, "--no-deps", "--no-build-isolation", "--wheel-dir", str(out),
         str(source))
    (wheel,) = set(out.glob("*.whl")) - before
    return wheel


def fresh_venv(path: Path, wheels: Iterable[Path]) -> Path:
    """A new virtual environment at ``path`` with ``wheels`` installed; returns its bin/."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True,
                   capture_output=True, timeout=120)
    python = path / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], check=True, capture_output=True, text=True
                             ).stdout.strip()
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(purelib) / "_gonogo_test_dependencies.pth").write_text("\n".join(ours) + "\n")
    _pip("--python", str(python), "install", *PIP_QUIET, "--no-deps", *map(str, wheels))
    return path / "bin"


def run(bin_dir: Path, *args: str, cwd: Path,
        env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The venv's own ``gonogo`` console script, as a user runs it (no TTY, no colour)."""
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("GONOGO_", "PYTHON", "VIRTUAL_ENV"))}
    full_env.update({"NO_COLOR": "1", "COLUMNS": "200",
                     "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"})
    full_env.update(env or {})
    return subprocess.run([str(bin_dir / "gonogo"), *args], cwd=str(cwd), env=full_env,
                          capture_output=True, text=True, timeout=180)
