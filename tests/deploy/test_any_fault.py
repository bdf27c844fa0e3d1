"""Any fault after the first change rolls back — not only a driver's own error: a Docker API
error, a reset connection, an httpx error, a bug, SIGTERM, SIGHUP, Ctrl-C. Exit 5 (or 6),
the old release back, the run finished in the journal, the lock released. Before the first
change a fault ends the run truthfully (exit 3 with a crash log, or 130). Ten deploys at
once: one proceeds, nine are refused at once naming the holder."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from tests.deploy.test_kill_points import CONFIG, journal, last_run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("v1")
    write(root / "gonogo.yml", CONFIG)
    (root / "live").mkdir()
    first = gonogo("deploy", "--version", "v1", cwd=root)
    assert first.returncode == 0, first.stdout + first.stderr
    return root


@pytest.fixture
def project(released: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(released, root)
    return root


def deploy_with_fault(root: Path, fault: str, version: str = "v2",
                      ) -> subprocess.CompletedProcess[str]:
    return gonogo("deploy", "--version", version, cwd=root,
                  env={"GONOGO_FAULTPOINTS": fault, "GONOGO_CRASH_DIR": str(root / "crash")})


def state(root: Path) -> dict[str, object]:
    run = last_run(root)
    with journal(root) as conn:
        release = conn.execute("select status, verified from releases where run_id = ?",
                               (run["id"],)).fetchone()
        results = {r["check_id"]: r["outcome"] for r in conn.execute(
            "select check_id, outcome from results where run_id = ?", (run["id"],))}
        locks = conn.execute("select count(*) from deploy_locks").fetchone()[0]
    return {"status": run["status"], "exit": run["exit_code"],
            "release": release["status"] if release else None, "locks": locks,
            "results": results, "id": run["id"],
            "live": [(root / "live" / s).read_text().strip() for s in ("api", "web")]}


def assert_rolled_back(root: Path, result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 5, result.stdout + result.stderr
    after = state(root)
    assert after["live"] == ["v1", "v1"]
    assert (after["status"], after["exit"], after["release"], after["locks"]) == (
        "finished", 5, "rolled_back", 0)
    results = after["results"]
    assert isinstance(results, dict)
    assert results["rollback.api"] == "passed" and results["rollback-health.api"] == "passed"
    assert result.stderr == ""


@pytest.mark.parametrize(("point", "exception"), [
    ("deploy.after_update:web", "RuntimeError"),          # a bug
    ("health.probe:api", "ConnectionResetError"),         # a connection reset mid-probe
    ("deploy.healthy:api", "docker.errors.APIError"),     # the Docker engine refused
    ("check.before:smoke", "httpx.ConnectError"),         # an HTTP client error
])
def test_any_exception_after_a_change_rolls_back(project: Path, point: str,
                                                 exception: str) -> None:
    result = deploy_with_fault(project, f"{point}=raise:{exception}")
    assert_rolled_back(project, result)
    name = exception.rsplit(".", 1)[-1]
    out = result.stdout
    assert f"\n  ✗ unexpected error: {name}: fault injected at {point} (crash log: " in out
    assert (f"Rolled back v2 in production: unexpected error: {name}: fault injected at "
            f"{point}. The previous release serves again (") in out
    assert state(project)["results"]["fault"] == "errored"  # type: ignore[index]
    assert len(list((project / "crash").iterdir())) == 1


@pytest.mark.parametrize(("point", "sig", "name"), [
    ("deploy.after_update:api", "term", "SIGTERM"),
    ("health.probe:web", "hup", "SIGHUP"),
    ("check.before:smoke", "int", "SIGINT (Ctrl-C)"),
    ("watch.sample:errors", "term", "SIGTERM"),
])
def test_a_signal_after_a_change_rolls_back(project: Path, point: str, sig: str,
                                            name: str) -> None:
    result = deploy_with_fault(project, f"{point}={sig}")
    assert_rolled_back(project, result)
    assert f"Rolled back v2 in production: interrupted by {name}. The previous release" \
           in result.stdout


SLOW = """\
version: 1
name: slow
environments:
  production: {}
services:
  - name: api
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live; touch started; while [ ! -f go ]; do sleep 0.05; done'
    current: 'cat live 2>/dev/null || true'
    rollback: 'echo "$GONOGO_VERSION" > live'
"""


def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
    env["NO_COLOR"] = "1"
    return subprocess.Popen([sys.executable, "-m", "gonogo", *args], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    for _ in range(1200):
        if path.exists():
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def test_sigterm_from_outside_during_a_service_update_rolls_back(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", SLOW)
    (tmp_path / "go").touch()
    assert gonogo("deploy", "--version", "v1", cwd=tmp_path).returncode == 0
    (tmp_path / "go").unlink()
    (tmp_path / "started").unlink()
    proc = _start(tmp_path, "deploy", "--version", "v2")
    _wait_for(tmp_path / "started", proc)
    assert (tmp_path / "live").read_text().strip() == "v2"
    proc.send_signal(signal.SIGTERM)  # as systemd, docker stop or a CI cancel would
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 5, out + err
    assert "Rolled back v2 in production: interrupted by SIGTERM. The previous release " \
           "serves again (api v1)." in out
    assert (tmp_path / "live").read_text().strip() == "v1"
    show = gonogo("show", "last", cwd=tmp_path)
    assert "deploy · NO-GO (exit 5)" in show.stdout
    assert gonogo("lock", cwd=tmp_path).stdout == "no deploy lock is held\n"


def test_a_signal_during_the_rollback_does_not_stop_it(project: Path) -> None:
    result = deploy_with_fault(project, "rollback.before:api=term", version="bad")
    assert_rolled_back(project, result)
    assert ("SIGTERM received while rolling back: finishing the rollback first (SIGKILL "
            "stops it; `gonogo resume RUN` then completes it)") in result.stdout


def test_a_fault_inside_the_rollback_is_a_failed_rollback_with_contacts(project: Path) -> None:
    result = deploy_with_fault(project, "rollback.before:api=raise:ConnectionResetError",
                               version="bad")
    assert result.returncode == 6, result.stdout + result.stderr
    out = result.stdout
    assert ("✗ Roll back api to v1 [rollback] 0.0s — unexpected error: ConnectionResetError: "
            "fault injected at rollback.before:api") in out
    assert "ROLLBACK FAILED in production: web is not healthy on bad" in out
    assert out.rstrip().endswith("Contacts:\n  On-call engineer: +1 555 0100")
    after = state(project)
    assert (after["status"], after["exit"], after["release"], after["locks"]) == (
        "finished", 6, "rollback_failed", 0)


def test_an_exception_before_the_first_change_ends_the_run_as_errored(project: Path) -> None:
    result = deploy_with_fault(project, "deploy.after_backup=raise:RuntimeError")
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stderr.startswith("gonogo: unexpected error: RuntimeError: fault injected at "
                                    "deploy.after_backup\ngonogo: a crash log with details is at ")
    after = state(project)
    assert after["live"] == ["v1", "v1"]  # nothing changed
    assert (after["status"], after["exit"], after["release"], after["locks"]) == (
        "errored", 3, "failed", 0)
    show = gonogo("show", str(after["id"]), cwd=project)
    assert "deploy · ERRORED (exit 3)" in show.stdout


def test_a_signal_before_the_first_change_is_exit_130_and_changes_nothing(project: Path) -> None:
    result = deploy_with_fault(project, "check.before:dump=term")
    assert result.returncode == 130, result.stdout + result.stderr
    after = state(project)
    assert (f"interrupted by SIGTERM before this run changed anything: `gonogo resume "
            f"{after['id']}` continues it (`--rollback` undoes it)") in result.stdout
    assert after["live"] == ["v1", "v1"]
    assert (after["status"], after["exit"], after["release"], after["locks"]) == (
        "interrupted", 130, "failed", 0)


def test_a_fault_after_verification_keeps_the_verified_release(project: Path) -> None:
    result = deploy_with_fault(project, "check.before:status=raise:RuntimeError")
    assert result.returncode == 7, result.stdout + result.stderr
    assert ("v2 is live and verified in production, but post-deploy steps failed (no "
            "rollback: the release passed verification).") in result.stdout
    after = state(project)
    assert after["live"] == ["v2", "v2"]
    assert (after["status"], after["exit"], after["release"], after["locks"]) == (
        "finished", 7, "live", 0)


def test_a_malformed_faultpoint_spec_is_a_usage_error(project: Path) -> None:
    result = deploy_with_fault(project, "deploy.gate=explode")
    assert result.returncode == 2
    assert result.stderr == ("gonogo: error: GONOGO_FAULTPOINTS: 'deploy.gate=explode': "
                             "expected NAME[#N]=kill|term|hup|int|raise:EXC\n")


def test_ten_deploys_at_once_one_proceeds_nine_are_refused_naming_it(tmp_path: Path) -> None:
    """On a fresh project: the state store is created by whichever comes first."""
    write(tmp_path / "gonogo.yml", SLOW)
    procs = [_start(tmp_path, "deploy", "--version", f"v{i}") for i in range(1, 11)]
    started = time.monotonic()
    try:
        refused: dict[int, tuple[str, float]] = {}
        while len(refused) < 9 and time.monotonic() - started < 60:
            for i, proc in enumerate(procs):
                if i not in refused and proc.poll() is not None:
                    refused[i] = (proc.communicate()[1], time.monotonic() - started)
            time.sleep(0.01)
        winners = [i for i in range(10) if i not in refused]
        assert len(winners) == 1, refused
        winner = procs[winners[0]]
        _wait_for(tmp_path / "started", winner)
        assert winner.poll() is None  # it holds the lock and deploys
    finally:
        (tmp_path / "go").touch()
    out, err = winner.communicate(timeout=120)
    assert winner.returncode == 0, out + err
    version = f"v{winners[0] + 1}"
    holder = (f"lock held by {_user()} on {socket.gethostname()} (pid {winner.pid}) "
              f"deploying {version} for ")
    for i, (stderr, _) in refused.items():
        assert procs[i].returncode == 2, stderr
        assert stderr.startswith("gonogo: error: another deploy is running in production: "
                                 + holder), stderr
    assert (tmp_path / "live").read_text().strip() == version
    assert gonogo("lock", cwd=tmp_path).stdout == "no deploy lock is held\n"


def _user() -> str:
    import getpass

    return getpass.getuser()


PG_CONFIG = """\
version: 1
name: pg-state
state: "{url}"
environments:
  production: {{}}
phases:
  - id: verify
    kind: verify
    checks:
      - {{id: smoke, title: api serves the release, run: 'test "$(cat live)" = "$GONOGO_VERSION"'}}
services:
  - name: api
    driver: shell
    # the deploy itself cuts every connection gonogo holds to its state database
    deploy: '{python} cut.py && echo "$GONOGO_VERSION" > live'
    current: 'cat live 2>/dev/null || true'
    health: {{command: '{python} cut.py && test -s live', within: 5s, interval: 100ms}}
"""

CUT = """\
import sys, psycopg
with psycopg.connect(sys.argv[1] if len(sys.argv) > 1 else {url!r}, autocommit=True) as conn:
    cut = conn.execute("select count(pg_terminate_backend(pid)) from pg_stat_activity "
                       "where datname = current_database() and pid <> pg_backend_pid()")
    with open("cut.log", "a") as log:
        log.write(str(cut.fetchone()[0]) + "\\n")
"""


def test_a_state_database_that_drops_its_connections_mid_deploy(tmp_path: Path) -> None:
    """PostgreSQL state: every connection gonogo holds is terminated during a service update
    and during its health wait; the deploy goes on and its journal is whole."""
    from testing.postgres import fresh_database

    with fresh_database("gonogo_lostconn") as url:
        write(tmp_path / "gonogo.yml", PG_CONFIG.format(url=url, python=sys.executable))
        write(tmp_path / "cut.py", CUT.format(url=url))
        assert gonogo("deploy", "--version", "v1", cwd=tmp_path).returncode == 0
        result = gonogo("deploy", "--version", "v2", cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Deployed v2 to production: every service healthy, verification passed." \
            in result.stdout
        show = gonogo("show", "last", cwd=tmp_path)
        assert "deploy · GO (exit 0)" in show.stdout
        assert "GO: 4 passed · run " in show.stdout
        (tmp_path / "cut.log").unlink()
        again = gonogo("deploy", "--version", "v3", cwd=tmp_path)
        assert again.returncode == 0, again.stdout + again.stderr
        cut = [int(n) for n in (tmp_path / "cut.log").read_text().split()]
        assert len(cut) >= 2 and sum(cut) >= 2  # gonogo's connections really were cut
        assert gonogo("lock", cwd=tmp_path).stdout == "no deploy lock is held\n"
