"""`gonogo lock [status|release] [--env E] [--force [--yes]]`: who holds the deploy lock;
release one whose holder is gone. Releasing a lock whose holder is alive (``--force``) lets
a second deploy start beside a running one, so it is confirmed first: "y" at a terminal or
``--yes``; without a terminal nothing changes."""

from __future__ import annotations

import argparse

from gonogo.commands._state import open_state
from gonogo.confirm import confirm
from gonogo.core.errors import LockHeld, NoState, UsageError


def main(args: argparse.Namespace) -> int:
    from gonogo.journal.releases import ReleaseStore, env_key

    try:
        store = open_state(args)
    except NoState as missing:  # nothing ran here: no lock can be held, and nothing created
        what = "no deploy lock is held" if args.action == "status" else "no deploy lock to release"
        print(what + (f" in {args.env}" if args.env else "") + f" (no state at {missing.location})")
        return 0
    try:
        releases = ReleaseStore(store.engine)
        locks = [lk for lk in releases.locks() if args.env is None or lk.environment == args.env]
        if args.action == "status":
            if not locks:
                print("no deploy lock is held" + (f" in {args.env}" if args.env else ""))
                return 0
            for lock in locks:
                stale = lock.stale_reason()
                state = f"STALE: {stale}" if stale else "held"
                print(f"{lock.environment}: {state} — {lock.describe()}")
            return 0
        if not locks:
            print("no deploy lock to release" + (f" in {args.env}" if args.env else ""))
            return 0
        if len(locks) > 1:
            names = ", ".join(lk.environment for lk in locks)
            raise UsageError(f"several environments are locked ({names}): pass --env E")
        lock = locks[0]
        stale = lock.stale_reason()
        if stale is None and not args.force:
            raise LockHeld(f"the deploy lock of {lock.environment} is {lock.describe()}, and "
                           "its holder is alive; pass --force only if you are sure it is not "
                           "deploying")
        if stale is None:
            confirm(f"The deploy lock of {lock.environment} is {lock.describe()}, and its "
                    "holder is alive: a deploy it runs would go on unguarded. Release it?",
                    yes=args.yes,
                    refusal=f"the deploy lock of {lock.environment} is {lock.describe()}, and "
                            "its holder is alive; there is no terminal to confirm at: nothing "
                            "was changed (pass --force --yes to release it anyway)")
        releases.release(lock.environment, lock.run_id)
        why = f"stale: {stale}" if stale else "forced"
        print(f"released the deploy lock of {env_key(lock.environment)} ({why}); it was "
              f"{lock.describe()}")
        if stale:
            print(f"to finish or undo that deploy: gonogo resume {lock.run_id}")
        return 0
    finally:
        store.close()
