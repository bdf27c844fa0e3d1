"""``logs``: error lines in a file, a command's output and a real Docker container's logs."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gonogo.core.outcomes import Outcome
from gonogo.redact import Redactor
from testing import services
from testing.checks import run_check
from testing.watch import WatchRun


def test_a_file_without_error_lines_passes(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text("INFO started\nINFO GET /health 200\n")
    result, _ = run_check("logs", {"file": "app.log", "pattern": "ERROR|Exception"}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.PASSED, "0 error lines/min (<= 0)")


def test_the_window_counts_only_lines_written_during_it(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("ERROR from the previous release\n" * 50)
    secret = "s3cr3t-token-value-123"

    def new_release_fails() -> None:
        time.sleep(0.6)
        with log.open("a") as handle:
            for i in range(3):
                handle.write(f"ERROR db timeout (token={secret}) #{i}\n")

    redactor = Redactor()
    redactor.add("API_TOKEN", secret)
    watch = WatchRun(tmp_path, {"errors": ("logs", {"file": "app.log", "pattern": "ERROR",
                                                    "max_per_minute": 2})},
                     duration=20, interval=0.25, redactor=redactor)
    writer = threading.Thread(target=new_release_fails)
    writer.start()
    result = watch.run()["errors"]
    writer.join()
    assert result.outcome == Outcome.FAILED
    assert result.summary.startswith(
        "3 error lines/min > 2 in file app.log; first: "
        "'ERROR db timeout (token=[REDACTED:API_TOKEN]) #0' after ")
    assert result.evidence["first_lines"] == [
        f"ERROR db timeout (token=[REDACTED:API_TOKEN]) #{i}" for i in range(3)]
    assert all(secret not in e.sample.summary for e in watch.progress.events)


def test_a_command_source_gets_the_time_to_read_from(tmp_path: Path) -> None:
    script = 'test -n "$GONOGO_LOGS_SINCE" && echo "ERROR one" && echo "INFO fine" && echo "ERROR two"'
    result, _ = run_check("logs", {"command": script, "pattern": "ERROR", "max_per_minute": 5},
                          tmp_path)
    assert (result.outcome, result.summary) == (Outcome.PASSED, "2 error lines/min (<= 5)")


def test_a_failing_log_command_is_an_error(tmp_path: Path) -> None:
    result, _ = run_check("logs", {"command": "echo no journal >&2; exit 3", "pattern": "E"},
                          tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.ERRORED, "the log command: exit 3: no journal")


def test_a_rate_relative_to_the_previous_release(tmp_path: Path) -> None:
    marker = tmp_path / "errors"
    marker.write_text("1")
    # the "log" prints as many error lines as the marker file says
    script = f'n=$(cat {marker}); i=0; while [ $i -lt $n ]; do echo ERROR x; i=$((i+1)); done'
    watch = WatchRun(tmp_path, {"errors": ("logs", {
        "command": script, "pattern": "ERROR", "baseline": {"max_ratio": 3}, "baseline_window": "1m"})},
        duration=20, interval=0.25)
    assert watch.baselines() == {"errors": "1"}
    marker.write_text("2")
    result = watch.run()["errors"]
    assert result.outcome == Outcome.FAILED
    assert result.summary.startswith("4 error lines/min > 3 (baseline 1) in command ")


def test_exactly_one_source_is_a_config_rule(tmp_path: Path) -> None:
    result, _ = run_check("logs", {"command": "true", "pattern": "E"}, tmp_path)
    assert result.outcome == Outcome.PASSED
    from pydantic import ValidationError

    from gonogo.plugins import check_types

    with pytest.raises(ValidationError, match="expected exactly one of container, service, "
                                              "file or command, got file and command"):
        check_types()["logs"].model_validate({"file": "a", "command": "b", "pattern": "E"})


@pytest.fixture
def container(tmp_path: Path) -> Iterator[str]:
    docker = services.docker()
    context = tmp_path / "ctx"
    context.mkdir()
    shutil.copy("/bin/busybox", context / "busybox")
    (context / "Dockerfile").write_text(
        'FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT ["/bin/busybox"]\n')
    image = "gonogo-test/logger:latest"
    subprocess.run([docker, "build", "-q", "-t", image, str(context)], check=True,
                   capture_output=True)
    name = f"gonogo-logs-{uuid.uuid4().hex[:8]}"
    subprocess.run([docker, "run", "-d", "--name", name, image, "sh", "-c",
                    "echo INFO up; sleep 2.5; echo 'ERROR upstream 502' >&2; "
                    "echo 'Exception: boom'; sleep 60"], check=True, capture_output=True)
    try:
        yield name
    finally:
        subprocess.run([docker, "rm", "-f", name], capture_output=True)


def test_error_lines_in_a_real_containers_logs_stop_the_window(tmp_path: Path, container: str) -> None:
    watch = WatchRun(tmp_path, {"errors": ("logs", {"container": container,
                                                    "pattern": "ERROR|Exception"})},
                     duration=20, interval=0.5)
    result = watch.run()["errors"]
    assert result.outcome == Outcome.FAILED
    assert result.summary.startswith(
        f"2 error lines/min > 0 in container {container}; first: ")
    assert sorted(result.evidence["first_lines"]) == ["ERROR upstream 502", "Exception: boom"]


@pytest.fixture
def swarm_service(tmp_path: Path, container: str) -> Iterator[str]:
    """A swarm service (same logger image) printing two error lines 2.5 s after start."""
    docker = services.docker()
    state = subprocess.run([docker, "info", "--format", "{{.Swarm.LocalNodeState}}"],
                           capture_output=True, text=True).stdout.strip()
    if state != "active":
        pytest.skip("the engine is not a swarm manager (docker swarm init)")
    name = f"gonogo-slogs-{uuid.uuid4().hex[:8]}"
    subprocess.run([docker, "service", "create", "--detach", "--quiet", "--name", name,
                    "--restart-condition", "none", "--no-resolve-image",
                    "gonogo-test/logger:latest", "sh", "-c",
                    "echo INFO up; sleep 2.5; echo 'ERROR upstream 502' >&2; "
                    "echo 'Exception: boom'; sleep 60"], check=True, capture_output=True)
    try:
        yield name
    finally:
        subprocess.run([docker, "service", "rm", name], capture_output=True)


def test_error_lines_in_a_swarm_services_logs_stop_the_window(
        tmp_path: Path, swarm_service: str) -> None:
    watch = WatchRun(tmp_path, {"errors": ("logs", {"service": swarm_service,
                                                    "pattern": "ERROR|Exception"})},
                     duration=20, interval=0.5)
    result = watch.run()["errors"]
    assert result.outcome == Outcome.FAILED
    assert result.summary.startswith(
        f"2 error lines/min > 0 in service {swarm_service}; first: ")
    assert sorted(result.evidence["first_lines"]) == ["ERROR upstream 502", "Exception: boom"]
