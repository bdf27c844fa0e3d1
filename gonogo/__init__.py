"""gonogo: an executable, audited go/no-go gate and deploy runner for deployment checklists."""

from __future__ import annotations


def _installed_version() -> str:
    """The version pip installed (pyproject.toml is its one source), read from the package
    metadata only when asked: ``importlib.metadata`` costs start-up time every command
    would pay."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gonogo")
    except PackageNotFoundError:  # a bare checkout on sys.path, never installed
        return "0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        value = _installed_version()
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'gonogo' has no attribute {name!r}")
