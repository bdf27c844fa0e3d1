"""The released package as a new user meets it: built with ``python -m build``, installed
into a clean venv without dev dependencies, run from outside the checkout."""

from __future__ import annotations

import os
import subprocess
import zipfile
from email.parser import Parser
from pathlib import Path

from tests.packaging.conftest import CleanVenv, Dist


def run(venv: CleanVenv, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A command of the clean venv, with nothing of the checkout or the dev venv in reach."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GONOGO_", "PYTHON", "VIRTUAL_ENV"))}
    env.update({"PATH": f"{venv.bin}:/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "200"})
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_wheel_ships_the_package_and_its_data_but_no_test_helpers(dist: Dist) -> None:
    names = zipfile.ZipFile(dist.wheel).namelist()
    assert sorted({n.split("/")[0] for n in names if "dist-info" not in n}) == ["gonogo"]
    assert "gonogo/reports/templates/report.html.j2" in names
    assert "gonogo/demo_data/workspace/gonogo.yml" in names
    assert "gonogo/py.typed" in names
    meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
    meta = Parser().parsestr(zipfile.ZipFile(dist.wheel).read(meta_name).decode())
    assert meta["Version"] == dist.version
    assert meta.get_all("Provides-Extra") == [
        "postgres", "docker", "notify", "typescript", "web", "all", "dev"]
    all_extra = [r for r in meta.get_all("Requires-Dist") if 'extra == "all"' in r]
    for extra in ("postgres", "docker", "notify", "typescript", "web"):
        assert any(extra in r for r in all_extra), (extra, all_extra)


def test_clean_install_runs_the_demo_and_reports_its_version(
        clean_venv: CleanVenv, dist: Dist, tmp_path: Path) -> None:
    version = run(clean_venv, "gonogo", "--version", cwd=tmp_path)
    assert (version.returncode, version.stdout) == (0, f"gonogo {dist.version}\n")

    demo = run(clean_venv, "gonogo", "demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert "GO" in demo.stdout and demo.stderr == ""

    # the tests' helpers and tools are not installed alongside
    probe = run(clean_venv, "python", "-c", "import testing", cwd=tmp_path)
    assert "No module named 'testing'" in probe.stderr
    probe = run(clean_venv, "python", "-c", "import pytest", cwd=tmp_path)
    assert "No module named 'pytest'" in probe.stderr


def test_a_check_that_needs_an_extra_names_it(clean_venv: CleanVenv, tmp_path: Path) -> None:
    (tmp_path / "gonogo.yml").write_text(
        "version: 1\nphases:\n  - id: pre\n    kind: preflight\n    checks:\n"
        "      - id: users\n        type: postgres.query\n"
        "        database_url: postgresql://u@127.0.0.1:1/db\n"
        "        sql: select 1\n        expect: {min: 1}\n")
    done = run(clean_venv, "gonogo", "check", cwd=tmp_path)
    assert done.returncode == 1
    assert "pip install 'gonogo[postgres]'" in done.stdout
