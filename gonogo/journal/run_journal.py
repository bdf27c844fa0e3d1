"""One run's journal as the engine sees it: each result recorded the moment it completes.

Apart from ``store`` so that it works over either store: the SQLAlchemy ``Store`` or the
``sqlite3`` one a gate run uses (``gonogo.journal.lite``), and imports neither.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from gonogo import private
from gonogo.core.errors import EXIT_INTERRUPTED
from gonogo.core.outcomes import CheckResult, Verdict


def new_run_id(at: datetime) -> str:
    return at.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


class RunStore(Protocol):
    """What a ``RunJournal`` writes through (``Store`` and ``LiteStore`` both do)."""

    def record(self, run_id: str, seq: int, result: CheckResult, output_path: str | None,
               *, replace: bool = True) -> None: ...

    def finish_run(self, run_id: str, verdict: str | None, code: int,
                   status: str = "finished") -> None: ...

    def update_meta(self, run_id: str, **values: Any) -> None: ...


class RunJournal:
    """The engine's view of one run: record each result as it completes."""

    def __init__(self, store: RunStore, run_id: str, run_dir: Path, *, fresh: bool = False) -> None:
        self.store, self.run_id, self.run_dir = store, run_id, run_dir
        # ids this journal wrote to a run it created; any other id cannot be stored yet
        self._written: set[str] | None = set() if fresh else None

    def record(self, result: CheckResult, output: str | None) -> None:
        path = None
        if output:
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", result.id)
            file = self.run_dir / "output" / f"{safe}.log"
            private.write_text(file, output)
            path = str(file)
            result.output_path = path
        replace = self._written is None or result.id in self._written
        if self._written is not None:
            self._written.add(result.id)
        self.store.record(self.run_id, result.position, result, path, replace=replace)

    def finish(self, verdict: Verdict | None, code: int, status: str = "finished") -> None:
        self.store.finish_run(self.run_id, str(verdict) if verdict else None, code, status)

    def interrupted(self, why: str | None = None) -> None:
        """The one way a run ends interrupted (Ctrl-C, a signal): no verdict, exit 130,
        status ``interrupted``, and ``why`` kept for `runs` and `show` when given."""
        self.finish(None, EXIT_INTERRUPTED, status="interrupted")
        if why:
            self.store.update_meta(self.run_id, interrupted=why)
