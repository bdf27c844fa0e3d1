"""``postgres.jsonb_schema``: every value of a JSONB column matches a JSON Schema.

Rows stream from a server-side cursor in batches (memory stays flat on huge tables);
``sample: N`` checks about N rows picked by ``TABLESAMPLE`` instead of all of them.
Failures report the count of violations and the first few primary keys, each with the
JSON path that failed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.postgres_common import (
    connect,
    display_url,
    quote_table,
    require_psycopg,
    sql_error,
)
from gonogo.core.errors import CheckError, CheckFailed
from gonogo.core.fields import DatabaseUrl
from gonogo.hookimpl import hookimpl

BATCH = 2_000
SHOW_VIOLATIONS = 5

PK_SQL = """
SELECT a.attname FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
WHERE i.indrelid = %s::regclass AND i.indisprimary
ORDER BY array_position(i.indkey, a.attnum)
"""


class PostgresJsonbSchema(Check):
    """Validate a JSONB column against a JSON Schema (a file path or an inline mapping)."""

    type_name = "postgres.jsonb_schema"
    example = {
        "database_url": "${DATABASE_URL}",
        "table": "lessons",
        "column": "content",
        "schema": "schemas/lesson.json",
    }
    secret_fields = ("database_url",)

    database_url: DatabaseUrl
    table: str = Field(min_length=1)
    column: str = Field(min_length=1)
    schema_: str | dict[str, Any] = Field(alias="schema")
    #: Check about this many rows, sampled, instead of every row.
    sample: int | None = Field(default=None, ge=1)
    #: Primary key column(s) to report (default: the table's primary key).
    key: str | list[str] | None = None
    #: SQL NULL is not a JSON value: skipped unless ``nulls: fail``.
    nulls: str = Field(default="skip", pattern="^(skip|fail)$")
    where: str | None = None

    @field_validator("schema_")
    @classmethod
    def _schema(cls, value: str | dict[str, Any]) -> str | dict[str, Any]:
        if isinstance(value, dict):
            _validator_for(value)
        return value

    def describe(self) -> str:
        shown = self.schema_ if isinstance(self.schema_, str) else "inline schema"
        return f"postgres.jsonb_schema: {self.table}.{self.column} matches {shown}"

    def load_schema(self, ctx: CheckContext) -> dict[str, Any]:
        if isinstance(self.schema_, dict):
            return self.schema_
        path: Path = ctx.resolve(self.schema_)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CheckError(f"schema file {self.schema_} not found") from None
        except (OSError, ValueError) as exc:
            raise CheckError(f"schema file {self.schema_} is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise CheckError(f"schema file {self.schema_}: expected a JSON object")
        return data

    async def run(self, ctx: CheckContext) -> Evidence:
        require_psycopg()
        import psycopg
        from psycopg import sql

        try:
            validator = _validator_for(self.load_schema(ctx))
        except ValueError as exc:
            raise CheckError(f"schema {self.schema_ if isinstance(self.schema_, str) else ''}: {exc}"
                             .replace("schema : ", "schema: ")) from None
        conn = await connect(self.database_url, autocommit=False)
        checked = violations = nulls = 0
        examples: list[dict[str, Any]] = []
        estimate = 0
        try:
            await conn.set_read_only(True)
            table = quote_table(self.table)
            try:
                keys = await self._keys(conn)
                cur = await conn.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                                         (self.table,))
                row = await cur.fetchone()
                estimate = max(0, int(row[0])) if row else 0
            except psycopg.Error as exc:
                raise CheckError(f"{self.table}: {sql_error(exc)}") from None
            select = sql.SQL("SELECT {}, {} FROM {}").format(
                sql.SQL(", ").join(sql.Identifier(k) for k in keys) if keys else sql.SQL("ctid"),
                sql.Identifier(self.column), table)
            if self.sample is not None and estimate > self.sample:
                percent = min(100.0, 100.0 * self.sample * 1.5 / estimate)
                select = sql.SQL("{} TABLESAMPLE BERNOULLI ({})").format(select, sql.Literal(percent))
            if self.where:
                select = sql.SQL("{} WHERE {}").format(select, sql.SQL(self.where))
            if self.sample is not None:
                select = sql.SQL("{} LIMIT {}").format(select, sql.Literal(self.sample))
            width = max(1, len(keys))
            try:
                async with conn.cursor(name="gonogo_jsonb") as named:
                    await named.execute(select)
                    while batch := await named.fetchmany(BATCH):
                        for record in batch:
                            key_values = list(record[:width])
                            value = record[width]
                            checked += 1
                            if value is None:
                                nulls += 1
                                if self.nulls == "fail":
                                    violations += 1
                                    if len(examples) < SHOW_VIOLATIONS:
                                        examples.append(_example(keys, key_values, "$", "is NULL"))
                                continue
                            error = next(iter(validator.iter_errors(value)), None)
                            if error is not None:
                                violations += 1
                                if len(examples) < SHOW_VIOLATIONS:
                                    examples.append(_example(keys, key_values, error.json_path,
                                                             error.message))
            except psycopg.Error as exc:
                raise CheckError(f"reading {self.table}.{self.column}: {sql_error(exc)}") from None
        finally:
            await conn.rollback()
            await conn.close()
        scope = f"{checked:,} sampled rows" if self.sample else f"{checked:,} rows"
        data: dict[str, Any] = {"table": self.table, "column": self.column, "checked": checked,
                                "violations": violations, "nulls": nulls,
                                "server": display_url(self.database_url)}
        if self.sample:
            data["sample"] = self.sample
            data["estimated_rows"] = estimate
        if violations:
            data["examples"] = examples
            shown = "; ".join(f"{e['key']} at {e['path']}: {e['message']}" for e in examples)
            raise CheckFailed(
                f"{violations:,} of {scope} in {self.table}.{self.column} do not match the schema: "
                + shown + (" …" if violations > len(examples) else ""),
                data,
            )
        summary = f"{scope} of {self.table}.{self.column} match the schema"
        if nulls:
            summary += f" ({nulls:,} NULL skipped)"
        return Evidence(summary=summary, data=data)

    async def _keys(self, conn: Any) -> list[str]:
        if self.key is not None:
            return [self.key] if isinstance(self.key, str) else list(self.key)
        cur = await conn.execute(PK_SQL, (self.table,))
        return [str(r[0]) for r in await cur.fetchall()]


def _example(keys: list[str], values: list[Any], path: str, message: str) -> dict[str, Any]:
    if keys:
        key = ", ".join(f"{k}={v}" for k, v in zip(keys, values, strict=False))
    else:
        key = f"ctid={values[0]}"
    return {"key": key, "path": path, "message": message[:200]}


def _validator_for(schema: dict[str, Any]) -> Any:
    """A jsonschema validator of the schema's ``$schema`` draft (2020-12 by default)."""
    import jsonschema

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise ValueError(f"not a valid JSON Schema: {exc.message} at {exc.json_path}") from None
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [PostgresJsonbSchema]
