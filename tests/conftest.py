from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.services import IN_CI

_REAL_HOME = os.path.realpath(os.path.expanduser("~"))
_GUARD = {"on": False}


def _home_guard(event: str, args: tuple[object, ...]) -> None:
    """Audit hook: opening a file for writing under the real home directory raises."""
    if not _GUARD["on"] or event != "open":
        return
    path, mode = args[0], args[1]
    writing = isinstance(mode, str) and any(c in mode for c in "wax+")
    if isinstance(mode, int):  # os.open flags
        writing = bool(mode & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    if writing and isinstance(path, (str, Path)):
        real = os.path.realpath(str(path))
        if real == _REAL_HOME or real.startswith(_REAL_HOME + os.sep):
            raise PermissionError(f"test wrote to the real home directory: {real}")


sys.addaudithook(_home_guard)


@pytest.fixture(autouse=True, scope="session")
def _no_writes_to_real_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Any write to the real home directory fails; tests and subprocesses get a throwaway HOME."""
    fake_home = tmp_path_factory.mktemp("home")
    saved = {k: os.environ.get(k) for k in ("HOME", "XDG_CACHE_HOME")}
    os.environ["HOME"] = str(fake_home)
    os.environ["XDG_CACHE_HOME"] = str(fake_home / ".cache")
    _GUARD["on"] = True
    try:
        yield
    finally:
        _GUARD["on"] = False
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("timeout") is None:  # a test's own limit stands
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
