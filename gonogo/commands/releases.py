"""`gonogo releases [--env E] [--check]`: per environment, which version of each service
runs, in which state, since when, by whom, from which run — and the release history.

``--check`` reads back from the engine, through each service's driver, what it runs now and
compares it with the journal: exit 1 on any difference (one line per service), 0 when they
agree. A driver that cannot tell never agrees, and agreeing that a service is unhealthy (or
still starting) is no pass either: exit 1 naming it — the check says what is live and
healthy."""

from __future__ import annotations

import argparse
import json
import sys

from gonogo.commands._state import open_state
from gonogo.core.errors import NoState


def main(args: argparse.Namespace) -> int:
    from gonogo.journal.releases import ReleaseStore

    if args.check:
        return check(args)
    try:
        store = open_state(args)
    except NoState as missing:  # nothing ran here: no releases, and nothing created
        print(f"gonogo: no releases yet (no state at {missing.location})", file=sys.stderr)
        if args.format == "json":
            print(json.dumps({"live": [], "releases": []}, indent=2))
        return 0
    try:
        releases = ReleaseStore(store.engine)
        live = releases.live(args.env)
        history = releases.history(args.env, limit=args.limit)
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps({
            "live": [{"environment": s.environment, "service": s.service, "version": s.version,
                      "image": s.image, "since": s.since.isoformat(), "by": s.user,
                      "run_id": s.run_id, "state": s.state} for s in live],
            "releases": [{"run_id": r.run_id, "environment": r.environment,
                          "version": r.version, "status": r.status, "verified": r.verified,
                          "command": r.command, "started_at": r.started_at.isoformat(),
                          "by": r.user, "note": r.note} for r in history],
        }, indent=2))
        return 0
    if not live and not history:
        print("no releases recorded yet" + (f" for {args.env}" if args.env else ""))
        return 0
    environments = sorted({s.environment for s in live} | {r.environment for r in history})
    for env in environments:
        print(f"{env}:")
        rows = [s for s in live if s.environment == env]
        if rows:
            table: list[tuple[str, ...]] = [("SERVICE", "VERSION", "IMAGE", "STATE",
                                             "SINCE (UTC)", "BY", "RUN")]
            for s in rows:
                state = s.state.upper() if s.state != "live" else s.state
                table.append((s.service, s.version or "unknown", s.image or "-", state,
                              f"{s.since:%Y-%m-%d %H:%M:%S}", s.user or "-", s.run_id or "-"))
            _print_table(table, "  ")
        rel = [r for r in history if r.environment == env]
        if rel:
            print("  releases (newest first):")
            table = [("VERSION", "STATUS", "VERIFIED", "COMMAND", "STARTED (UTC)", "BY", "RUN",
                      "NOTE")]
            for r in rel:
                table.append((r.version, r.status, "yes" if r.verified else "no", r.command,
                              f"{r.started_at:%Y-%m-%d %H:%M:%S}", r.user or "-", r.run_id,
                              r.note or ""))
            _print_table(table, "    ")
    return 0


def _print_table(rows: list[tuple[str, ...]], indent: str) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def check(args: argparse.Namespace) -> int:
    """The journal against the engine for one environment (``--env``, else the config's
    default): every configured service observed, and every journaled one accounted for."""
    import asyncio

    from gonogo.deploy.observe import Difference, compare, observe
    from gonogo.deploy.plan import resolve_services
    from gonogo.drivers import driver_for
    from gonogo.drivers.base import DriverContext, Observed
    from gonogo.error_handler import use_redactor
    from gonogo.gate import subprocess_env
    from gonogo.journal.releases import LiveService, ReleaseStore, env_key
    from gonogo.sources import load_config

    probe = load_config(args.config, env=args.env, strict=False)
    env = probe.environment.name
    try:
        store = open_state(args)
    except NoState:
        live: list[LiveService] = []
    else:
        try:
            live = ReleaseStore(store.engine).live(env)
        finally:
            store.close()
    rows = {s.service: s for s in live}
    versions = [s.version for s in live if s.version]
    # the services as the live release resolves them (``${version}`` in an image, a file)
    version = max(set(versions), key=versions.count) if versions else ""
    config = load_config(args.config, env=args.env, strict=False,
                         extra_vars={"version": version})
    use_redactor(config.environment.redactor)
    ctx = DriverContext(workdir=config.root, env={**subprocess_env(config, ""),
                                                  "GONOGO_VERSION": version},
                        redactor=config.environment.redactor, environment=env)
    specs = resolve_services(config, version)

    async def observe_all() -> list[tuple[str, Observed]]:
        return [(spec.name, await observe(driver_for(spec, ctx))) for spec in specs]

    seen = asyncio.run(observe_all())
    differences: list[Difference] = []
    for name, observed in seen:
        found = compare(name, rows.get(name), observed)
        if found is not None:
            differences.append(found)
    configured = {spec.name for spec in specs}
    for name, row in rows.items():
        if name not in configured:
            differences.append(Difference(name, f"{row.image or row.version} ({row.state})",
                                          "unknown (cannot tell)",
                                          "not a service of the config any more"))
    differing = {d.service for d in differences}
    sick = [(name, observed) for name, observed in seen
            if name not in differing and observed.state in NOT_HEALTHY]
    redact = config.environment.redactor
    if args.format == "json":
        print(json.dumps({
            "environment": env_key(env),
            "agree": not differences,
            "healthy": not sick,
            "services": [{"service": name, "journal": _row_json(rows.get(name)),
                          "engine": observed.to_json(),
                          "agree": name not in differing,
                          "healthy": observed.state not in NOT_HEALTHY}
                         for name, observed in seen],
            "differences": [{"service": d.service, "journal": d.journal, "engine": d.engine,
                             "detail": redact.text(d.detail)} for d in differences],
            "not_healthy": [{"service": name, "state": observed.state,
                             "detail": redact.text(observed.detail)}
                            for name, observed in sick],
        }, indent=2))
        return 1 if differences or sick else 0
    for d in differences:
        print(redact.text(d.line()))
    for name, observed in sick:
        print(redact.text(f"{name}: journal and engine agree it runs {observed.label()}, "
                          f"but it is {observed.state}, not healthy"
                          + (f" — {observed.detail}" if observed.detail else "")))
    if differences:
        print(f"{env_key(env)}: the journal differs from the engine for {len(differences)} "
              f"service{'s' if len(differences) != 1 else ''} (see above)")
    if sick:
        print(f"{env_key(env)}: {len(sick)} service{'s are' if len(sick) != 1 else ' is'} "
              "not live and healthy (see above)")
    if differences or sick:
        return 1
    if not seen:
        print(f"{env_key(env)}: no services in the config and none journaled: nothing to "
              "compare")
        return 0
    print(f"{env_key(env)}: the journal agrees with the engine for every service ("
          + ", ".join(f"{name} {o.label()} {o.state}" for name, o in seen) + ")")
    return 0


#: States the journal and the engine may agree on that are still no pass: not live and healthy.
NOT_HEALTHY = ("unhealthy", "starting")


def _row_json(row: object) -> dict[str, object] | None:
    from gonogo.journal.releases import LiveService

    if not isinstance(row, LiveService):
        return None
    return {"version": row.version, "image": row.image, "state": row.state,
            "since": row.since.isoformat(), "by": row.user, "run_id": row.run_id}
