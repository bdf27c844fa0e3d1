"""``tcp``: something accepts connections on host:port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from gonogo.core.outcomes import Outcome
from testing.checks import run_check


@pytest.fixture
def listening() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_open_port_passes(tmp_path: Path, listening: int) -> None:
    result, _ = run_check("tcp", {"host": "127.0.0.1", "port": listening}, tmp_path)
    assert result.outcome == Outcome.PASSED
    assert result.summary.startswith(f"127.0.0.1:{listening} open (")
    assert (result.evidence["host"], result.evidence["port"]) == ("127.0.0.1", listening)


def test_a_closed_port_fails_with_the_reason(tmp_path: Path) -> None:
    port = free_port()
    result, _ = run_check("tcp", {"port": port}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.FAILED, f"127.0.0.1:{port}: connection refused")


def test_an_unresolvable_host_fails(tmp_path: Path) -> None:
    result, _ = run_check("tcp", {"host": "no-such-host.invalid", "port": 80}, tmp_path)
    assert result.outcome == Outcome.FAILED
    assert result.summary.startswith("no-such-host.invalid:80: ")
