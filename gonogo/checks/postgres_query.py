"""``postgres.query``: a SQL query, run in a read-only transaction, returns the expected
value or rows ("Seed data tested": ``select count(*) from users`` is at least 1)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.postgres_common import connect, display_url, require_psycopg, sql_error
from gonogo.core.errors import CheckError, CheckFailed
from gonogo.core.fields import DatabaseUrl
from gonogo.hookimpl import hookimpl

MAX_ROWS = 10_000
SHOWN = 200


class QueryExpect(BaseModel):
    """What the result must be. ``value``/``min``/``max`` look at the first column of the
    first row; ``rows`` is the whole result; ``row_count``/``min_rows``/``max_rows`` its size."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Any = None
    min: float | None = None
    max: float | None = None
    rows: list[list[Any]] | None = None
    row_count: int | None = Field(default=None, ge=0)
    min_rows: int | None = Field(default=None, ge=0)
    max_rows: int | None = Field(default=None, ge=0)


class PostgresQuery(Check):
    """Run one SQL query read-only and compare its result with ``expect``."""

    type_name = "postgres.query"
    example = {
        "database_url": "${DATABASE_URL}",
        "sql": "select count(*) from users",
        "expect": {"min": 1},
    }
    secret_fields = ("database_url",)

    database_url: DatabaseUrl
    sql: str = Field(min_length=1)
    expect: QueryExpect = QueryExpect()
    #: Server-side limit for the statement (PostgreSQL ``statement_timeout``).
    statement_timeout: int = Field(default=60_000, ge=0, description="milliseconds")

    def describe(self) -> str:
        return f"postgres.query on {display_url(self.database_url)}: {self.sql.strip()[:80]}"

    async def run(self, ctx: CheckContext) -> Evidence:
        require_psycopg()
        import psycopg

        conn = await connect(self.database_url, autocommit=False)
        try:
            await conn.set_read_only(True)
            await conn.execute(f"SET LOCAL statement_timeout = {int(self.statement_timeout)}")
            try:
                cur = await conn.execute(self.sql)  # config text, run read-only
            except psycopg.Error as exc:
                raise CheckError(f"query failed: {sql_error(exc)}") from None
            if cur.description is None:
                raise CheckError("the statement returned no result set (expected a SELECT)")
            raw = await cur.fetchmany(MAX_ROWS + 1)
            columns = [c.name for c in cur.description]
        finally:
            await conn.rollback()
            await conn.close()
        rows = [[plain(v) for v in row] for row in raw[:MAX_ROWS]]
        truncated = len(raw) > MAX_ROWS
        count_text = f"{len(rows)}{'+' if truncated else ''}"
        data: dict[str, Any] = {"columns": columns, "row_count": count_text,
                                "rows": rows[:20]}
        first = rows[0][0] if rows and rows[0] else None
        self._compare(rows, truncated, first, data)
        if len(rows) == 1 and len(rows[0]) == 1:
            summary = f"{columns[0]} = {first!r}"
        else:
            summary = f"{count_text} row{'s' if count_text != '1' else ''}"
        return Evidence(summary=summary, data=data)

    def _compare(self, rows: list[list[Any]], truncated: bool, first: Any,
                 data: dict[str, Any]) -> None:
        e = self.expect
        n = len(rows)
        if e.row_count is not None and (n != e.row_count or truncated):
            raise CheckFailed(f"expected {e.row_count} rows, got {n}{'+' if truncated else ''}", data)
        if e.min_rows is not None and n < e.min_rows:
            raise CheckFailed(f"expected at least {e.min_rows} rows, got {n}", data)
        if e.max_rows is not None and (n > e.max_rows or truncated):
            raise CheckFailed(f"expected at most {e.max_rows} rows, got {n}{'+' if truncated else ''}",
                              data)
        if e.rows is not None:
            wanted = [[plain(v) for v in row] for row in e.rows]
            if rows != wanted or truncated:
                raise CheckFailed(f"expected rows {_short(wanted)}, got {_short(rows)}", data)
        needs_value = e.value is not None or e.min is not None or e.max is not None
        if needs_value and not rows:
            raise CheckFailed("the query returned no rows, expected a value", data)
        if e.value is not None and first != plain(e.value):
            raise CheckFailed(f"expected {plain(e.value)!r}, got {first!r}", data)
        if e.min is not None or e.max is not None:
            if isinstance(first, bool) or not isinstance(first, (int, float)):
                raise CheckFailed(f"expected a number, got {first!r}", data)
            if e.min is not None and first < e.min:
                raise CheckFailed(f"expected at least {_num(e.min)}, got {first!r}", data)
            if e.max is not None and first > e.max:
                raise CheckFailed(f"expected at most {_num(e.max)}, got {first!r}", data)


def plain(value: Any) -> Any:
    """A database value as the JSON-like value a config would write."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, dt.timedelta)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return value
    return value


def _num(value: float) -> str:
    return f"{value:g}"


def _short(rows: list[list[Any]]) -> str:
    text = repr(rows)
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [PostgresQuery]
