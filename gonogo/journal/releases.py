"""Releases and the deploy lock, in the same state store (SQLite or PostgreSQL) as runs.

* ``releases``: one row per deploy (or rollback) run: environment, version, status, whether
  it passed verification, and per service which image it went from and to.
* ``live_services``: per environment and service, what is live now, since when, by whom,
  from which run.
* ``deploy_locks``: at most one row per environment. Taking the lock is one INSERT on that
  primary key, so two deploys can never both hold it; the holder renews a lease from a
  background thread, so a holder that died is recognisable (dead pid on this host, or a
  lease that ran out) and can be released with `gonogo lock release`.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gonogo.core.clock import from_iso, iso, now
from gonogo.core.durations import format_duration
from gonogo.core.errors import LockHeld, StateError
from gonogo.identity import os_user
from gonogo.journal.schema import TABLES, create_tables, deploy_locks, live_services, releases

LEASE_S = 60.0



def env_key(environment: str | None) -> str:
    return environment or "default"


@dataclass
class Lock:
    environment: str
    run_id: str
    user: str | None
    host: str
    pid: int
    version: str | None
    command: str | None
    acquired_at: datetime
    expires_at: datetime

    @property
    def age(self) -> str:
        return format_duration((now() - self.acquired_at).total_seconds())

    def stale_reason(self) -> str | None:
        """Why the holder is gone, or None while it is alive."""
        if self.host == socket.gethostname() and not pid_alive(self.pid):
            return f"its process {self.pid} on {self.host} is gone"
        overdue = (now() - self.expires_at).total_seconds()
        if overdue > 0:
            return f"its lease expired {format_duration(overdue)} ago and was not renewed"
        return None

    def describe(self) -> str:
        return (
            f"held by {self.user or 'unknown'} on {self.host} (pid {self.pid}) "
            f"deploying {self.version or '?'} for {self.age}, run {self.run_id}"
        )


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie is gone for our purposes
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


@dataclass
class Release:
    run_id: str
    environment: str
    version: str
    status: str
    verified: bool
    command: str
    started_at: datetime
    finished_at: datetime | None
    user: str | None
    host: str | None
    services: dict[str, Any] = field(default_factory=dict)
    note: str | None = None


@dataclass
class LiveService:
    environment: str
    service: str
    version: str | None
    image: str | None
    since: datetime
    user: str | None
    run_id: str | None
    state: str


class ReleaseStore:
    """Releases, live services and locks on a store's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        try:
            create_tables(engine, TABLES)
        except sa.exc.SQLAlchemyError as exc:
            raise StateError(f"state store: cannot create release tables: {exc}") from None

    # ---- lock -----------------------------------------------------------------------

    def acquire(self, environment: str | None, run_id: str, version: str | None,
                command: str = "deploy", lease: float = LEASE_S) -> Lock:
        """Take the environment's lock atomically, or raise LockHeld saying who holds it."""
        env = env_key(environment)
        at = now()
        row = {
            "environment": env, "run_id": run_id, "user": os_user(), "host": socket.gethostname(),
            "pid": os.getpid(), "version": version, "command": command,
            "acquired_at": iso(at), "expires_at": iso(at + timedelta(seconds=lease)),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(deploy_locks.insert().values(**row))
        except sa.exc.IntegrityError:
            held = self.lock(environment)
            if held is None:  # released between our INSERT and SELECT: try once more
                return self.acquire(environment, run_id, version, command, lease)
            raise LockHeld(lock_message(held)) from None
        return _lock_from(row)

    def take_over(self, environment: str | None, old_run_id: str, run_id: str,
                  version: str | None, command: str, lease: float = LEASE_S) -> Lock:
        """Resume: replace a stale lock held by ``old_run_id`` with ours (or take a free one)."""
        held = self.lock(environment)
        if held is None:
            return self.acquire(environment, run_id, version, command, lease)
        if held.run_id != old_run_id or held.stale_reason() is None:
            raise LockHeld(lock_message(held))
        at = now()
        with self.engine.begin() as conn:
            done = conn.execute(
                deploy_locks.update()
                .where((deploy_locks.c.environment == held.environment)
                       & (deploy_locks.c.run_id == old_run_id)
                       & (deploy_locks.c.pid == held.pid))
                .values(run_id=run_id, user=os_user(), host=socket.gethostname(), pid=os.getpid(),
                        command=command, expires_at=iso(at + timedelta(seconds=lease)))
            )
        if done.rowcount != 1:
            raise LockHeld(f"the lock of {env_key(environment)} changed hands while resuming")
        got = self.lock(environment)
        assert got is not None
        return got

    def lock(self, environment: str | None) -> Lock | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                deploy_locks.select().where(deploy_locks.c.environment == env_key(environment))
            ).first()
        return _lock_from(dict(row._mapping)) if row is not None else None

    def locks(self) -> list[Lock]:
        with self.engine.connect() as conn:
            rows = conn.execute(deploy_locks.select().order_by(deploy_locks.c.environment)).all()
        return [_lock_from(dict(r._mapping)) for r in rows]

    def renew(self, environment: str | None, run_id: str, lease: float = LEASE_S) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(
                deploy_locks.update()
                .where((deploy_locks.c.environment == env_key(environment))
                       & (deploy_locks.c.run_id == run_id))
                .values(expires_at=iso(now() + timedelta(seconds=lease)))
            )
        return bool(done.rowcount)

    def release(self, environment: str | None, run_id: str | None = None) -> bool:
        """Delete the lock (only ours when ``run_id`` is given)."""
        condition = deploy_locks.c.environment == env_key(environment)
        if run_id is not None:
            condition = condition & (deploy_locks.c.run_id == run_id)
        with self.engine.begin() as conn:
            done = conn.execute(deploy_locks.delete().where(condition))
        return bool(done.rowcount)

    @contextmanager
    def holding(self, environment: str | None, run_id: str, version: str | None,
                command: str = "deploy", lease: float = LEASE_S,
                takeover_from: str | None = None) -> Iterator[Lock]:
        """Hold the lock for a block, renewing its lease in a background thread."""
        if takeover_from:
            lock = self.take_over(environment, takeover_from, run_id, version, command, lease)
        else:
            lock = self.acquire(environment, run_id, version, command, lease)
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(lease / 4):
                try:
                    self.renew(environment, run_id, lease)
                except Exception:  # a transient store error: the next renewal retries
                    pass

        thread = threading.Thread(target=renew, name="gonogo-lock-lease", daemon=True)
        thread.start()
        try:
            yield lock
        finally:
            stop.set()
            thread.join(timeout=5)
            self.release(environment, run_id)

    # ---- releases -------------------------------------------------------------------

    def start_release(self, run_id: str, environment: str | None, version: str,
                      command: str, services: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(releases.delete().where(releases.c.run_id == run_id))
            conn.execute(releases.insert().values(
                run_id=run_id, environment=env_key(environment), version=version,
                status="deploying", verified=False, command=command, started_at=iso(now()),
                user=os_user(), host=socket.gethostname(), services=json.dumps(services),
            ))

    def update_release(self, run_id: str, *, status: str | None = None,
                       verified: bool | None = None, services: dict[str, Any] | None = None,
                       note: str | None = None, finished: bool = False) -> None:
        values: dict[str, Any] = {}
        if status is not None:
            values["status"] = status
        if verified is not None:
            values["verified"] = verified
        if services is not None:
            values["services"] = json.dumps(services)
        if note is not None:
            values["note"] = note
        if finished:
            values["finished_at"] = iso(now())
        with self.engine.begin() as conn:
            if status == "live":
                # the release that was live before this one is superseded
                row = conn.execute(sa.select(releases.c.environment)
                                   .where(releases.c.run_id == run_id)).first()
                if row is not None:
                    conn.execute(releases.update()
                                 .where((releases.c.environment == row[0])
                                        & (releases.c.status == "live")
                                        & (releases.c.run_id != run_id))
                                 .values(status="superseded"))
            conn.execute(releases.update().where(releases.c.run_id == run_id).values(**values))

    def history(self, environment: str | None = None, limit: int = 20) -> list[Release]:
        query = releases.select().order_by(releases.c.started_at.desc()).limit(limit)
        if environment is not None:
            query = query.where(releases.c.environment == env_key(environment))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [_release_from(r._mapping) for r in rows]

    def last_verified(self, environment: str | None, *, before_version: str | None = None,
                      exclude_version: str | None = None) -> Release | None:
        """The newest release that passed verification (optionally of another version)."""
        for release in self.history(environment, limit=200):
            if not release.verified:
                continue
            if exclude_version is not None and release.version == exclude_version:
                continue
            return release
        return None

    def find_version(self, environment: str | None, version: str) -> Release | None:
        for release in self.history(environment, limit=500):
            if release.version == version and release.verified:
                return release
        return None

    # ---- live services --------------------------------------------------------------

    def set_live(self, environment: str | None, service: str, version: str | None,
                 image: str | None, run_id: str, state: str = "live") -> None:
        env = env_key(environment)
        with self.engine.begin() as conn:
            conn.execute(live_services.delete().where(
                (live_services.c.environment == env) & (live_services.c.service == service)))
            conn.execute(live_services.insert().values(
                environment=env, service=service, version=version, image=image,
                since=iso(now()), user=os_user(), run_id=run_id, state=state))

    def refresh_live(self, environment: str | None, service: str, version: str | None,
                     image: str | None, run_id: str, state: str) -> None:
        """Record what a rollback left running: the row stays (since, by, run) when the same
        version and image still run, with the state updated; otherwise it is replaced. A
        service that runs nothing and had no row gets none."""
        env = env_key(environment)
        where = (live_services.c.environment == env) & (live_services.c.service == service)
        with self.engine.connect() as conn:
            row = conn.execute(live_services.select().where(where)).first()
        if row is None and state == "absent":
            return
        if row is not None and (row.version, row.image) == (version, image):
            with self.engine.begin() as conn:
                conn.execute(live_services.update().where(where).values(state=state))
            return
        self.set_live(environment, service, version, image, run_id, state=state)

    def live(self, environment: str | None = None) -> list[LiveService]:
        query = live_services.select().order_by(live_services.c.environment,
                                                live_services.c.service)
        if environment is not None:
            query = query.where(live_services.c.environment == env_key(environment))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            LiveService(environment=m["environment"], service=m["service"], version=m["version"],
                        image=m["image"], since=from_iso(m["since"]) or now(), user=m["user"],
                        run_id=m["run_id"], state=m["state"])
            for m in (r._mapping for r in rows)
        ]


def lock_message(held: Lock) -> str:
    stale = held.stale_reason()
    env = held.environment
    if stale:
        return (f"the deploy lock of {env} is stale: {held.describe()}, but {stale}; "
                f"check nothing is still deploying, then run `gonogo lock release --env {env}`")
    return (f"another deploy is running in {env}: lock {held.describe()}; "
            f"wait for it to finish (`gonogo lock status --env {env}`)")


def _lock_from(m: dict[str, Any]) -> Lock:
    return Lock(
        environment=m["environment"], run_id=m["run_id"], user=m["user"], host=m["host"],
        pid=int(m["pid"]), version=m["version"], command=m["command"],
        acquired_at=from_iso(m["acquired_at"]) or now(), expires_at=from_iso(m["expires_at"]) or now(),
    )


def _release_from(m: Any) -> Release:
    return Release(
        run_id=m["run_id"], environment=m["environment"], version=m["version"],
        status=m["status"], verified=bool(m["verified"]), command=m["command"],
        started_at=from_iso(m["started_at"]) or now(), finished_at=from_iso(m["finished_at"]),
        user=m["user"], host=m["host"], services=json.loads(m["services"] or "{}"),
        note=m["note"],
    )
