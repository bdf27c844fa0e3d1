"""The sample app's migration tool: `status` says whether every migration was applied."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent


def status() -> int:
    applied = set((HERE / "applied.txt").read_text().split())
    files = sorted(p.name for p in (HERE / "migrations").glob("*.sql"))
    pending = [name for name in files if name not in applied]
    if pending:
        print(f"{len(pending)} pending migration(s): {', '.join(pending)}")
        return 1
    print(f"Database schema is up to date ({len(files)} migrations applied)")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["status"]:
        sys.exit("usage: migrate.py status")
    sys.exit(status())
