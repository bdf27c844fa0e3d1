"""postgres.query: a read-only SQL query returns the expected value or rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from testing.checks import run_check
from testing.postgres import execute, fresh_database, load_sample

pytestmark = pytest.mark.postgres


def query(url: str, tmp_path: Path, sql: str, **expect: Any) -> tuple[str, str]:
    result, _ = run_check("postgres.query", {"database_url": url, "sql": sql, "expect": expect},
                          tmp_path)
    return str(result.outcome), result.summary


def test_expectations(tmp_path: Path) -> None:
    with fresh_database() as url:
        load_sample(url)
        assert query(url, tmp_path, "select count(*) from users", min=1) == ("passed", "count = 1000")
        assert query(url, tmp_path, "select count(*) from users where id < 0", min=1) == (
            "failed", "expected at least 1, got 0")
        assert query(url, tmp_path, "select count(*) from users", max=10) == (
            "failed", "expected at most 10, got 1000")
        assert query(url, tmp_path, "select email from users where id = 1",
                     value="user1@example.com") == ("passed", "email = 'user1@example.com'")
        assert query(url, tmp_path, "select total from billing.invoices order by id",
                     rows=[[1.5], [3]]) == ("passed", "2 rows")
        assert query(url, tmp_path, "select id from billing.invoices order by id", rows=[[1]]) == (
            "failed", "expected rows [[1]], got [[1], [2]]")
        assert query(url, tmp_path, "select 1 where false", value=1) == (
            "failed", "the query returned no rows, expected a value")


def test_read_only_and_sql_errors(tmp_path: Path) -> None:
    with fresh_database() as url:
        load_sample(url)
        assert query(url, tmp_path, "delete from users") == (
            "errored", "query failed: cannot execute DELETE in a read-only transaction")
        assert execute(url, "select count(*) from users") == [(1000,)]
        assert query(url, tmp_path, "select nope from users") == (
            "errored", 'query failed: column "nope" does not exist')
