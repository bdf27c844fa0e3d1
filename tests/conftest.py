from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.services import IN_CI


@pytest.fixture(autouse=True, scope="session")
def _no_writes_to_real_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Any write to the real home directory fails: tests get a throwaway HOME."""
    fake_home = tmp_path_factory.mktemp("home")
    real_home = os.environ.get("HOME")
    os.environ["HOME"] = str(fake_home)
    os.environ["XDG_CACHE_HOME"] = str(fake_home / ".cache")
    if real_home and os.access(real_home, os.W_OK) and os.getuid() != 0:
        os.chmod(real_home, 0o555)  # best effort; root ignores modes
    try:
        yield
    finally:
        if real_home:
            os.environ["HOME"] = real_home


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.timeout(300))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI a skipped test is a failure: every service must be there."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped in CI, which must run every test: {reason}"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
