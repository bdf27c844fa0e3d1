"""examples/plugin-hello installed as a user installs it — gonogo and the plugin as wheels in a
fresh ``python -m venv``, found through the entry-point group ``gonogo`` — then used through
the real ``gonogo`` command: a ``type: hello`` check, ``--report hello:PATH``, and deploy,
rollback and releases with ``driver: hello``. Two installed plugins taking one name stop
gonogo at startup."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import textwrap
from pathlib import Path

import pytest

from testing.postgres import execute, fresh_database
from testing.venvs import ROOT, build_wheel, fresh_venv, gonogo_sources, run

pytestmark = pytest.mark.slow  # builds two wheels and two venvs (~1 min on 2 cores)

HELLO = ROOT / "examples" / "plugin-hello"

RIVAL_PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "gonogo-rival"
version = "0.1.0"
dependencies = ["gonogo"]

[project.entry-points.gonogo]
rival = "gonogo_rival"

[tool.setuptools]
py-modules = ["gonogo_rival"]
"""

RIVAL_MODULE = '''\
"""A third party's driver that picked a name the hello plugin has."""

from gonogo.plugin_api import Deployed, Health, Observed, hookimpl


class RivalDriver:
    driver_name = "hello"
    pulls_images = False

    def __init__(self, spec, ctx):
        self.spec = spec

    def target(self, version):
        return version

    async def preflight(self):
        return None

    async def current(self):
        return None

    async def deploy(self, version, previous):
        return Deployed(version)

    async def health(self):
        return Health("healthy", "rival")

    async def rollback(self, previous, failed_version):
        return "rival"

    async def observe(self):
        return Observed(None, None, "unknown")


@hookimpl
def gonogo_drivers():
    return [RivalDriver]
'''


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Wheels of this checkout's gonogo and of the example plugin."""
    base = tmp_path_factory.mktemp("dist")
    build_wheel(gonogo_sources(base / "gonogo-src"), base / "wheels")
    hello = shutil.copytree(HELLO, base / "hello-src", ignore=shutil.ignore_patterns(
        "demo", "__pycache__", "build", "*.egg-info"))
    build_wheel(hello, base / "wheels")
    return base / "wheels"


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with gonogo and gonogo-plugin-hello installed; its bin/."""
    return fresh_venv(tmp_path_factory.mktemp("venv") / "hello", sorted(dist.glob("*.whl")))


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The example's demo project (gonogo.yml, greeting.txt), in a folder of its own."""
    return Path(shutil.copytree(HELLO / "demo", tmp_path / "demo"))


def live(demo: Path) -> str:
    return (demo / ".hello" / "api.live").read_text()


def test_gonogo_and_the_plugin_run_from_the_fresh_venv(venv: Path, demo: Path) -> None:
    code = ("import gonogo, gonogo_hello, importlib.metadata as m; "
            "print(gonogo.__file__); print(gonogo_hello.__file__); "
            "print([(e.name, e.value) for e in m.entry_points(group='gonogo')])")
    out = subprocess.run([str(venv / "python"), "-c", code], cwd=demo, capture_output=True,
                         text=True, check=True, env={"PATH": os.environ["PATH"]}
                         ).stdout.splitlines()
    site = str(venv.parent / "lib")
    assert out[0].startswith(site) and out[1].startswith(site), out
    assert out[2] == "[('hello', 'gonogo_hello')]"


def test_check_type_hello_and_report_format_hello(venv: Path, demo: Path) -> None:
    result = run(venv, "check", "--report", "hello:hello-report.txt", cwd=demo)
    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    lines = result.stdout.splitlines()
    assert any(line.startswith("  ✓ The greeting says hello [pre] ")
               and line.endswith(" — greeting.txt greets world") for line in lines), lines
    assert "hello report: hello-report.txt" in lines
    report = demo / "hello-report.txt"
    assert report.read_text() == ("hello greeting: passed — greeting.txt greets world\n"
                                  "hello tests: passed — exit 0\n")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600

    (demo / "greeting.txt").write_text("goodbye, world\n")
    result = run(venv, "check", "--report", "hello:hello-report.txt", cwd=demo)
    assert result.returncode == 1, result.stdout + result.stderr
    assert any(line.startswith("  ✗ The greeting says hello [pre] ") and line.endswith(
        " — greeting.txt says 'goodbye, world', expected 'hello, world'")
        for line in result.stdout.splitlines()), result.stdout
    assert report.read_text().splitlines()[0] == (
        "hello greeting: failed — greeting.txt says 'goodbye, world', expected 'hello, world'")

    # a stored run renders in the plugin's format too
    shown = run(venv, "report", "last", "--format", "hello", cwd=demo)
    assert (shown.returncode, shown.stdout) == (0, report.read_text())


def test_deploy_rollback_and_releases_with_driver_hello(venv: Path, demo: Path) -> None:
    first = run(venv, "deploy", "--version", "v1", cwd=demo)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "  1. api  hello   (not running) → v1" in first.stdout
    assert "Deployed v1 to production: every service healthy, verification passed." \
        in first.stdout
    assert live(demo) == "v1\n"

    broken = run(venv, "deploy", "--version", "v2-broken", cwd=demo)
    assert broken.returncode == 5, broken.stdout + broken.stderr
    assert ("Rolled back v2-broken in production: api is not healthy on v2-broken: v2-broken "
            "does not say hello. The previous release serves again (api v1).") in broken.stdout
    assert live(demo) == "v1\n"

    second = run(venv, "deploy", "--version", "v2", cwd=demo)
    assert second.returncode == 0, second.stdout + second.stderr
    assert live(demo) == "v2\n"
    status = run(venv, "releases", "--check", cwd=demo)
    assert (status.returncode, status.stdout) == (
        0, "production: the journal agrees with the engine for every service (api v2 running)\n")

    back = run(venv, "rollback", cwd=demo)
    assert back.returncode == 0, back.stdout + back.stderr
    assert back.stdout.startswith("Rolling back production to v1, the last release that "
                                  "passed verification")
    assert live(demo) == "v1\n"

    # the driver reads the file back: a change made behind gonogo's back shows
    (demo / ".hello" / "api.live").write_text("v9\n")
    drift = run(venv, "releases", "--check", cwd=demo)
    assert drift.returncode == 1
    assert "api: journal says v1 (live), engine runs v9 (live) — api.live says v9" \
        in drift.stdout


MIGRATIONS_CONFIG = """\
version: 1
phases:
  - id: pre
    kind: preflight
    checks:
      - {id: schema, title: Migrations applied, type: migrations, tool: hello,
         database_url: "${DATABASE_URL}"}
"""


@pytest.mark.postgres
def test_migration_reader_hello(venv: Path, tmp_path: Path) -> None:
    (tmp_path / "gonogo.yml").write_text(MIGRATIONS_CONFIG)
    (tmp_path / "migrations").mkdir()  # the reader's default folder
    for name in ("001_init", "002_users"):
        (tmp_path / "migrations" / f"{name}.sql").write_text("SELECT 1;\n")
    with fresh_database() as url:
        execute(url, "CREATE TABLE hello_migrations (name text PRIMARY KEY)")
        execute(url, "INSERT INTO hello_migrations VALUES ('001_init')")
        behind = run(venv, "check", cwd=tmp_path, env={"DATABASE_URL": url})
        assert behind.returncode == 1, behind.stdout + behind.stderr
        assert any(line.startswith("  ✗ Migrations applied [pre] ")
                   and line.endswith(" — 1 pending migration: 002_users")
                   for line in behind.stdout.splitlines()), behind.stdout
        execute(url, "INSERT INTO hello_migrations VALUES ('002_users')")
        applied = run(venv, "check", cwd=tmp_path, env={"DATABASE_URL": url})
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "— all 2 hello migrations applied (latest 002_users)" in applied.stdout


def test_an_unknown_driver_lists_the_plugins_drivers_too(venv: Path, demo: Path) -> None:
    config = demo / "gonogo.yml"
    text = config.read_text()
    line = text[: text.index("driver: hello")].count("\n") + 1
    config.write_text(text.replace("driver: hello", "driver: helo"))
    result = run(venv, "deploy", "--version", "v1", cwd=demo)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"gonogo: error: gonogo.yml:{line}: services[0].driver: expected 'compose', 'swarm', "
        "'shell' or 'hello', got 'helo' (hint: did you mean 'hello'?)\n")
    assert not (demo / ".hello").exists()


def test_two_plugins_taking_one_name_stop_gonogo_at_startup(
    dist: Path, demo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rival_src = tmp_path_factory.mktemp("rival-src")
    (rival_src / "pyproject.toml").write_text(RIVAL_PYPROJECT)
    (rival_src / "gonogo_rival.py").write_text(textwrap.dedent(RIVAL_MODULE))
    rival = build_wheel(rival_src, tmp_path_factory.mktemp("rival-dist"))
    both = fresh_venv(tmp_path_factory.mktemp("venv") / "both",
                      [*sorted(dist.glob("*.whl")), rival])
    message = ("gonogo: error: driver 'hello' is registered twice: by plugin hello "
               "(gonogo-plugin-hello 0.1.0) and by plugin rival (gonogo-rival 0.1.0); "
               "uninstall one of them\n")
    for args in (["check"], ["deploy", "--version", "v1"], ["runs"]):
        result = run(both, *args, cwd=demo)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", message), args
    assert not (demo / ".gonogo").exists()  # nothing ran, nothing was recorded
