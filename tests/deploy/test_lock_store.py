"""The deploy lock and releases in the state store, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gonogo.core.errors import LockHeld
from gonogo.journal.releases import ReleaseStore
from gonogo.journal.schema import deploy_locks
from gonogo.journal.store import open_store
from testing.services import postgres_url


@pytest.fixture(params=["sqlite", "postgres"])
def releases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReleaseStore]:
    if request.param == "sqlite":
        store = open_store(str(tmp_path / ".gonogo"))
    else:
        store = open_store(postgres_url(), runs_root=tmp_path)
    yield ReleaseStore(store.engine)
    store.close()


def env_name() -> str:
    return "prod-" + secrets.token_hex(3)


def test_only_one_holder_per_environment(releases: ReleaseStore) -> None:
    env = env_name()
    releases.acquire(env, "run-a", "v1")
    with pytest.raises(LockHeld) as info:
        releases.acquire(env, "run-b", "v2")
    message = str(info.value)
    assert message.startswith(f"another deploy is running in {env}: lock held by ")
    assert f"on {socket.gethostname()} (pid {os.getpid()}) deploying v1 for " in message
    assert message.endswith(f"run run-a; wait for it to finish (`gonogo lock status --env {env}`)")
    releases.acquire(env_name(), "run-c", "v1")  # another environment is independent
    assert releases.release(env, "run-b") is False  # not the holder
    assert releases.release(env, "run-a") is True
    releases.acquire(env, "run-b", "v2")
    releases.release(env)


def test_an_expired_lease_is_stale(releases: ReleaseStore) -> None:
    env = env_name()
    releases.acquire(env, "run-a", "v1", lease=60)
    lock = releases.lock(env)
    assert lock is not None and lock.stale_reason() is None
    past = (lock.acquired_at - timedelta(minutes=5)).isoformat(timespec="milliseconds")
    with releases.engine.begin() as conn:
        conn.execute(deploy_locks.update().where(deploy_locks.c.environment == env)
                     .values(host="other-host", expires_at=past))
    stale = releases.lock(env)
    assert stale is not None
    reason = stale.stale_reason()
    assert reason is not None and reason.startswith("its lease expired ")
    with pytest.raises(LockHeld, match=f"the deploy lock of {env} is stale: "):
        releases.acquire(env, "run-b", "v2")
    releases.release(env)


def test_holding_renews_and_releases(releases: ReleaseStore) -> None:
    env = env_name()
    with releases.holding(env, "run-a", "v1", lease=0.4) as lock:
        first = lock.expires_at
        import time

        time.sleep(0.35)
        renewed = releases.lock(env)
        assert renewed is not None and renewed.expires_at > first
    assert releases.lock(env) is None


def test_release_history_and_superseding(releases: ReleaseStore) -> None:
    env = env_name()
    releases.start_release("r1", env, "v1", "deploy", {})
    releases.update_release("r1", status="live", verified=True, finished=True)
    releases.start_release("r2", env, "v2", "deploy", {})
    releases.update_release("r2", status="live", verified=True, finished=True)
    assert [(r.version, r.status) for r in releases.history(env)] == [
        ("v2", "live"), ("v1", "superseded")]
    with releases.engine.connect() as conn:
        assert conn.execute(sa.text("select 1")).scalar() == 1


def _open_and_acquire(location: str, env: str, barrier: Any) -> str:
    """In a child process: open the (fresh) store, then race for the lock."""
    barrier.wait()
    try:
        store = open_store(location, runs_root=Path(location) if "://" not in location else None)
        try:
            ReleaseStore(store.engine).acquire(env, f"run-{os.getpid()}", "v1")
        finally:
            store.close()
    except LockHeld as exc:
        return "refused: " + str(exc)
    except Exception as exc:  # anything else is the bug this test is about
        return f"error: {type(exc).__name__}: {exc}"
    return "acquired"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_ten_processes_opening_a_fresh_store_at_once_one_gets_the_lock(
        backend: str, tmp_path: Path) -> None:
    import multiprocessing
    from contextlib import ExitStack

    from testing.postgres import fresh_database

    with ExitStack() as stack:
        if backend == "sqlite":
            location = str(tmp_path / ".gonogo")
        else:
            location = stack.enter_context(fresh_database("gonogo_lockrace"))
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, context.Pool(10) as pool:
            barrier = manager.Barrier(10)
            outcomes = pool.starmap(_open_and_acquire, [(location, "production", barrier)] * 10)
    assert outcomes.count("acquired") == 1, outcomes
    refused = [o for o in outcomes if o.startswith("refused: another deploy is running in "
                                                   "production: lock held by ")]
    assert len(refused) == 9, outcomes
