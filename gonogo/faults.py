"""Fault points: named places in the deploy where a test can kill gonogo, signal it or make
it raise — deterministically, in a real process (the idea of etcd's gofail and TiKV's
fail-rs, in a few lines because those are for Go and Rust).

``GONOGO_FAULTPOINTS`` arms points, ``;``-separated::

    GONOGO_FAULTPOINTS='deploy.before_update:api=kill'
    GONOGO_FAULTPOINTS='health.probe:web#2=term; rollback.before:api=raise:ConnectionResetError'

``NAME[#N]=ACTION`` fires on the N-th time (default: the first) the code passes ``NAME``.
Actions: ``kill`` (SIGKILL to this process: nothing runs after it), ``term``, ``hup``,
``int`` (that signal to this process; the handler decides), ``raise:EXC`` (raise ``EXC``, a
builtin such as ``RuntimeError`` or a dotted path such as ``docker.errors.APIError``).

Unset, ``point()`` costs one test of a module global: the seam stays in production code.
"""

from __future__ import annotations

import importlib
import os
import signal
from dataclasses import dataclass

from gonogo.core.errors import UsageError

ENV_VAR = "GONOGO_FAULTPOINTS"
_SPEC = os.environ.get(ENV_VAR, "")
_SIGNALS = {"kill": signal.SIGKILL, "term": signal.SIGTERM, "hup": signal.SIGHUP,
            "int": signal.SIGINT}


@dataclass
class _Armed:
    action: str
    on_hit: int
    hits: int = 0


_armed: dict[str, _Armed] | None = None


def point(name: str) -> None:
    """Pass the fault point ``name``; fires what ``GONOGO_FAULTPOINTS`` armed there."""
    if not _SPEC:
        return
    armed = _armed if _armed is not None else _arm()
    entry = armed.get(name)
    if entry is None:
        return
    entry.hits += 1
    if entry.hits == entry.on_hit:
        _fire(name, entry.action)


def _arm() -> dict[str, _Armed]:
    global _armed
    armed: dict[str, _Armed] = {}
    for item in filter(None, (part.strip() for part in _SPEC.split(";"))):
        name, sep, action = item.partition("=")
        name, _, nth = name.strip().partition("#")
        action = action.strip()
        valid = action in _SIGNALS or (action.startswith("raise:") and len(action) > 6)
        if not sep or not name or not valid or (nth and not nth.isdigit()):
            raise UsageError(f"{ENV_VAR}: {item!r}: expected NAME[#N]=kill|term|hup|int|raise:EXC")
        armed[name] = _Armed(action, int(nth) if nth else 1)
    _armed = armed
    return armed


def _fire(name: str, action: str) -> None:
    if action in _SIGNALS:
        os.kill(os.getpid(), _SIGNALS[action])
        return
    raise _exception(action.removeprefix("raise:"))(f"fault injected at {name}")


def _exception(path: str) -> type[BaseException]:
    module, _, attr = path.rpartition(".")
    found = getattr(importlib.import_module(module or "builtins"), attr, None)
    if not (isinstance(found, type) and issubclass(found, BaseException)):
        raise UsageError(f"{ENV_VAR}: {path!r} is not an exception class")
    return found
