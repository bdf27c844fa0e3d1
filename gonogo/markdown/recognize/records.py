"""Items about telling and recording: notifications, deployment records, and the items
only a person can settle (with a better reason than "no rule recognizes this")."""

from __future__ import annotations

import re

from gonogo.markdown.parse import Item, Section
from gonogo.markdown.recognize.base import Context, Recognized, codes, has


def notify(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"\bnotify|\bannounce|\binform\b|\bpost .* (slack|channel)|\btell\b"):
        return None
    url = ctx.ref("notify_url")
    return Recognized("notify", {"urls": [url]} if url else {}, "notify", needs=[] if url else ["notify_url"])


def status_record(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    paths = [c for c in codes(text) if re.search(r"[/.]\w", c) and " " not in c]
    if not paths or not has(text, r"\bupdate|\brecord|\bdocument|\blog\b|\bwrite"):
        return None
    return Recognized("record", {"path": paths[0]}, "deployment record",
                      note="appends this deploy's row; earlier rows are never rewritten")


def needs_a_person(item: Item, section: Section, ctx: Context) -> Recognized | None:
    """Items only a person can settle, with a reason better than "no rule recognizes this"."""
    text = item.text
    if has(text, r"\blocal(ly)?\b|local stack") and has(text, r"health|runs?|starts?|works?"):
        reason = ("needs the local stack running (`docker-compose … up` does not end by itself); "
                  "start it, then sign off")
    elif has(text, r"\(if applicable\)|\bif (needed|applicable|any)\b|\boptional\b"):
        reason = "applies only sometimes; sign it off, or waive it when it does not apply"
    else:
        return None
    return Recognized("manual", {"reason": reason}, "needs a person")
