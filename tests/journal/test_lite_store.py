"""The gate's SQLite journal without SQLAlchemy (``gonogo.journal.lite``): it writes exactly
the rows the SQLAlchemy store writes, opens only a database whose tables it can fill, and
leaves a new or older database to the store that creates and upgrades it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from gonogo.core.clock import now
from gonogo.core.outcomes import CheckResult, Outcome, Verdict
from gonogo.journal import audit, schema
from gonogo.journal.lite import COLUMNS, LiteStore, open_run_store
from gonogo.journal.store import Store, open_store

#: differ between any two runs
VARYING = {"id", "run_id", "started_at", "finished_at", "at", "output_path"}


def a_result(check_id: str, outcome: Outcome, position: int) -> CheckResult:
    return CheckResult(id=check_id, title=f"{check_id} title", phase="p", kind="preflight",
                       type="command", outcome=outcome, summary="exit 0", duration_s=0.25,
                       evidence={"exit_code": 0, "note": "é"}, started_at=now(),
                       finished_at=now(), position=position, advisory=position == 1, line=7)


def write_a_run(store: Store | LiteStore) -> str:
    journal = store.create_run("check", config_path="gonogo.yml", environment="prod",
                               version="1.2", meta={"name": "demo", "started_by": "ci"})
    journal.record(a_result("a", Outcome.FAILED, 0), "out\n")
    journal.record(a_result("b", Outcome.PASSED, 1), None)
    journal.record(a_result("a", Outcome.PASSED, 0), "again\n")  # a retry replaces its row
    journal.finish(Verdict.GO, 0)
    return journal.run_id


def rows(database: Path, table: str, run_id: str) -> list[dict[str, Any]]:
    conn = sqlite3.connect(database)
    conn.row_factory = sqlite3.Row
    key = "id" if table == "runs" else "run_id"
    found = conn.execute(f"SELECT * FROM {table} WHERE {key} = ? ORDER BY 1, 2", (run_id,))
    result = [{k: v for k, v in dict(row).items() if k not in VARYING} for row in found]
    conn.close()
    return result


def test_it_writes_the_rows_the_sqlalchemy_store_writes(tmp_path: Path) -> None:
    state = tmp_path / ".gonogo"
    full = open_store(str(state))
    by_full = write_a_run(full)
    full.close()
    lite = open_run_store(str(state))
    assert isinstance(lite, LiteStore)
    by_lite = write_a_run(lite)
    assert lite.load_run(by_lite).results[0].output_path == str(
        state / "runs" / by_lite / "output" / "a.log")
    lite.close()
    for table in ("runs", "results", "audit"):
        assert rows(state / "state.db", table, by_lite) == rows(state / "state.db", table, by_full)
    assert len(rows(state / "state.db", "results", by_lite)) == 2
    reread = open_store(str(state))
    lite_record, full_record = reread.load_run(by_lite), reread.load_run(by_full)
    reread.close()
    assert lite_record.status == "finished" and lite_record.verdict == "GO"
    assert [(r.id, r.outcome, r.evidence, r.advisory) for r in lite_record.results] == [
        (r.id, r.outcome, r.evidence, r.advisory) for r in full_record.results]


def test_its_columns_are_the_tables_columns() -> None:
    tables = {"runs": schema.runs, "results": schema.results, "signoffs": schema.signoffs,
              "audit": audit.audit}
    for name, table in tables.items():
        assert set(COLUMNS[name]) == {c.name for c in table.columns}, name


def test_a_new_or_older_database_goes_through_the_full_store(tmp_path: Path) -> None:
    state = tmp_path / ".gonogo"
    first = open_run_store(str(state))  # nothing there yet: the full store makes the tables
    assert isinstance(first, Store)
    write_a_run(first)
    first.close()
    conn = sqlite3.connect(state / "state.db")
    conn.execute("ALTER TABLE runs DROP COLUMN pid_start")  # as an older gonogo made it
    conn.close()
    older = open_run_store(str(state))
    assert isinstance(older, Store)  # which adds the column back
    older.close()
    current = open_run_store(str(state))
    assert isinstance(current, LiteStore)
    current.close()
