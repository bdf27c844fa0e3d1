"""What the pages read from the journal, in few queries that stay fast with a long history
(10,000 runs, 200,000 results: see bench/serve.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from gonogo.core.outcomes import Outcome
from gonogo.journal import policy
from gonogo.journal.policy import enforce_deadline
from gonogo.journal.releases import LiveService, Lock, Release, ReleaseStore
from gonogo.journal.schema import RunRecord, results, runs, signoffs
from gonogo.journal.store import Store

PER_PAGE = 50
VERDICTS = ("GO", "NO-GO", "PENDING")

#: Indexes the dashboard's queries need; made (if missing) when `gonogo serve` starts.
INDEXES = (
    sa.Index("ix_runs_started_at", runs.c.started_at),
    sa.Index("ix_runs_verdict", runs.c.verdict),  # the PENDING ones, for their deadline
    sa.Index("ix_runs_environment_started", runs.c.environment, runs.c.started_at),
    sa.Index("ix_results_outcome", results.c.outcome),
    sa.Index("ix_signoffs_run", signoffs.c.run_id),
)


def ensure_indexes(store: Store) -> None:
    for index in INDEXES:
        try:
            index.create(store.engine, checkfirst=True)
        except sa.exc.SQLAlchemyError:
            pass  # another server made it meanwhile, or the store is read-only: slower only


@dataclass(frozen=True)
class RunFilter:
    environment: str | None = None
    verdict: str | None = None
    command: str | None = None
    since: str | None = None  # YYYY-MM-DD
    until: str | None = None  # YYYY-MM-DD, inclusive

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        where: list[sa.ColumnElement[bool]] = []
        if self.environment:
            where.append(runs.c.environment == self.environment)
        if self.verdict:
            where.append(runs.c.verdict == self.verdict)
        if self.command:
            where.append(runs.c.command == self.command)
        if self.since:
            where.append(runs.c.started_at >= self.since)
        if self.until:
            where.append(runs.c.started_at < self.until + "T99")  # the whole day
        return where

    def query_string(self) -> str:
        parts = [f"{k}={v}" for k, v in (("environment", self.environment),
                                         ("verdict", self.verdict), ("command", self.command),
                                         ("since", self.since), ("until", self.until)) if v]
        return "&".join(parts)


@dataclass
class RunsPage:
    records: list[RunRecord]
    total: int
    page: int
    pages: int


def runs_page(store: Store, where: RunFilter, page: int, per_page: int = PER_PAGE) -> RunsPage:
    """One page of runs; those past their sign-off deadline are NO-GO first, as on their own
    page (so the verdict filter and the counts agree with it too)."""
    expired = policy.expire_overdue(store)
    conditions = where.conditions()
    with store.engine.connect() as conn:
        total = int(conn.execute(sa.select(sa.func.count()).select_from(runs)
                                 .where(*conditions)).scalar_one())
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
    records = store.list_runs(per_page, where=conditions, offset=(page - 1) * per_page)
    policy.as_enforced(records, expired)
    return RunsPage(records, total, page, pages)


def choices(store: Store) -> dict[str, list[str]]:
    """The values the runs filter offers."""
    with store.engine.connect() as conn:
        envs = conn.execute(sa.select(runs.c.environment).distinct()).scalars().all()
        commands = conn.execute(sa.select(runs.c.command).distinct()).scalars().all()
    return {"environment": sorted(e for e in envs if e), "command": sorted(commands),
            "verdict": list(VERDICTS)}


@dataclass
class EnvironmentView:
    name: str
    live: list[LiveService] = field(default_factory=list)
    last: dict[str, Any] | None = None
    lock: Lock | None = None
    lock_stale: str | None = None
    pending: list[dict[str, Any]] = field(default_factory=list)


def last_verdicts(store: Store, expired: dict[str, RunRecord] | None = None
                  ) -> dict[str, dict[str, Any]]:
    """Per environment, its newest finished run with a verdict (check or deploy), after the
    runs past their sign-off deadline failed (``expired``: already done by the caller)."""
    expired = policy.expire_overdue(store) if expired is None else expired
    with store.engine.connect() as conn:
        newest = (sa.select(runs.c.environment, sa.func.max(runs.c.started_at).label("at"))
                  .where(runs.c.verdict.is_not(None) & (runs.c.status == "finished"))
                  .group_by(runs.c.environment).subquery())
        rows = conn.execute(
            sa.select(runs.c.id, runs.c.environment, runs.c.verdict, runs.c.command,
                      runs.c.version, runs.c.finished_at)
            .join(newest, (runs.c.environment.is_not_distinct_from(newest.c.environment))
                  & (runs.c.started_at == newest.c.at))).all()
    found = {(r.environment or "default"): dict(r._mapping) for r in rows}
    for last in found.values():  # also where the store could not be written
        done = expired.get(last["id"])
        if done is not None:
            last["verdict"] = done.verdict
    return found


def overview(store: Store) -> list[EnvironmentView]:
    """Every environment anything was recorded for: live services, last verdict, lock and
    the items awaiting a sign-off."""
    release_store = ReleaseStore(store.engine)
    views: dict[str, EnvironmentView] = {}
    expired = policy.expire_overdue(store)  # their pending items fail now, for every reader

    def view(name: str | None) -> EnvironmentView:
        key = name or "default"
        return views.setdefault(key, EnvironmentView(key))

    for service in release_store.live():
        view(service.environment).live.append(service)
    for env, last in last_verdicts(store, expired).items():
        view(env).last = last
    for lock in release_store.locks():
        target = view(lock.environment)
        target.lock, target.lock_stale = lock, lock.stale_reason()
    with store.engine.connect() as conn:
        waiting = conn.execute(
            sa.select(results.c.run_id, results.c.check_id, results.c.title,
                      runs.c.environment, runs.c.started_at, runs.c.meta)
            .join(runs, runs.c.id == results.c.run_id)
            .where((results.c.outcome == str(Outcome.PENDING)) & (runs.c.verdict == "PENDING"))
            .order_by(runs.c.started_at.desc()).limit(100)).all()
    for row in waiting:
        if row.run_id not in expired:
            view(row.environment).pending.append(dict(row._mapping))
    return [views[k] for k in sorted(views)]


def releases(store: Store, environment: str | None, limit: int = 100) -> list[Release]:
    return ReleaseStore(store.engine).history(environment, limit=limit)


def live(store: Store, environment: str | None = None) -> list[LiveService]:
    return ReleaseStore(store.engine).live(environment)


def one_run(store: Store, ref: str) -> RunRecord:
    return enforce_deadline(store, store.load_run(ref))


def change_mark(store: Store, run_id: str) -> tuple[Any, ...]:
    """A cheap fingerprint of a run's state: it changes whenever the journal records
    anything about the run (a result, a sign-off, its end)."""
    with store.engine.connect() as conn:
        run = conn.execute(sa.select(runs.c.status, runs.c.verdict, runs.c.finished_at)
                           .where(runs.c.id == run_id)).first()
        res = conn.execute(sa.select(sa.func.count(), sa.func.max(results.c.finished_at),
                                     sa.func.max(results.c.started_at))
                           .where(results.c.run_id == run_id)).first()
        signed = conn.execute(sa.select(sa.func.count()).select_from(signoffs)
                              .where(signoffs.c.run_id == run_id)).scalar_one()
    return (tuple(run) if run else None, tuple(res) if res else None, signed)


def utc_now() -> datetime:
    return datetime.now(UTC)
