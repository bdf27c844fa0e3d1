"""`gonogo users add NAME --role R | list | revoke NAME`: who may use `gonogo serve`.

``add`` prints the new API token alone on stdout (so ``TOKEN=$(gonogo users add …)`` works);
only its hash is stored, in the same state as the runs.
"""

from __future__ import annotations

import argparse

from gonogo.commands._state import open_state
from gonogo.core.errors import NoState, UsageError
from gonogo.identity import os_user
from gonogo.journal import identity
from gonogo.journal.audit import cli_source


def main(args: argparse.Namespace) -> int:
    if args.action == "add":
        if not args.name or not args.role:
            raise UsageError("users add NAME --role viewer|approver|deployer|admin")
        store = open_state(args, create=True)
        try:
            token = identity.add(store.engine, args.name, args.role, actor=os_user())
        finally:
            store.close()
        print(token)
        return 0
    try:
        store = open_state(args)
    except NoState as missing:
        print(f"no users (no state at {missing.location})")
        return 0
    try:
        if args.action == "revoke":
            if not args.name:
                raise UsageError("users revoke NAME")
            identity.revoke(store.engine, args.name, actor=os_user(), source=cli_source())
            print(f"revoked the token of {args.name}")
            return 0
        people = identity.list_users(store.engine)
        if not people:
            print("no users (add one: gonogo users add NAME --role approver)")
        for person in people:
            state = f"revoked {person.revoked_at}" if person.revoked_at else "active"
            print(f"{person.name}\t{person.role}\t{state}\tcreated {person.created_at} "
                  f"by {person.created_by}")
        return 0
    finally:
        store.close()
