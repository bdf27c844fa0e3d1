"""A sign-off from the web (form or API): the authenticated identity, never a typed name."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request

from gonogo.core.errors import GonogoError
from gonogo.journal.policy import SignoffRefused, enforce_deadline, parse_expiry
from gonogo.journal.schema import RunRecord
from gonogo.journal.signoffs import sign
from gonogo.web.auth import Who
from gonogo.web.context import Web

#: The API's words for the journal's.
DECISIONS = {"approve": "approved", "reject": "rejected", "waive": "waived"}


class SignoffFailed(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def apply_signoff(web: Web, request: Request, who: Who, run_id: str,
                  fields: Mapping[str, object]) -> RunRecord:
    """Validate and record one decision; SignoffFailed says why not (nothing recorded)."""
    item = str(fields.get("item") or "").strip()
    word = str(fields.get("decision") or "")
    note = str(fields.get("note") or "").strip() or None
    expires_text = str(fields.get("expires") or "").strip() or None
    if not item:
        raise SignoffFailed(400, "item: expected the id of an item of the run")
    if word not in DECISIONS:
        raise SignoffFailed(400, f"decision: expected one of {', '.join(DECISIONS)}, got {word!r}")
    decision = DECISIONS[word]
    if decision == "waived" and (not expires_text or not note):
        raise SignoffFailed(400, "a waiver needs an expiry and a note: an accepted risk must "
                                 "end, and say why it is accepted")
    if expires_text and decision != "waived":
        raise SignoffFailed(400, "expires goes with a waiver")
    try:
        expires = parse_expiry(expires_text) if expires_text else None
        enforce_deadline(web.store, web.store.load_run(run_id))
        record, _ = sign(web.store, run_id, item, by=who.user.name, decision=decision,
                         note=note, expires=expires, source=web.source(request, who))
    except SignoffRefused as refused:
        raise SignoffFailed(403, str(refused)) from None
    except GonogoError as exc:
        raise SignoffFailed(409 if "no run" not in str(exc) else 404, str(exc)) from None
    return record
