"""A fresh PostgreSQL database per test on the real server, dropped afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from testing.services import postgres_url


def server_url() -> str:
    """The test server's maintenance URL (skips locally, fails in CI, when unset)."""
    return postgres_url()


def url_for(name: str) -> str:
    base = server_url()
    return base.rsplit("/", 1)[0] + "/" + name


def execute(url: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []


def databases(prefix: str) -> list[str]:
    rows = execute(server_url(), "SELECT datname FROM pg_database WHERE datname LIKE %s",
                   (prefix + "%",))
    return sorted(str(r[0]) for r in rows)


def drop(name: str) -> None:
    execute(server_url(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_database(prefix: str = "gonogo_test") -> Iterator[str]:
    """Create a uniquely named database; yield its URL; drop it afterwards, with the copies
    `gonogo restore` keeps of it (``<name>_before_<run>``) or left (``<name>_restore_<run>``)."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    execute(server_url(), f'CREATE DATABASE "{name}"')
    try:
        yield url_for(name)
    finally:
        for copy in databases(name + "_before_") + databases(name + "_restore_"):
            drop(copy)
        drop(name)


SAMPLE_SCHEMA = """
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, profile jsonb);
INSERT INTO users (email, profile)
  SELECT 'user' || g || '@example.com', jsonb_build_object('age', g % 90, 'name', 'u' || g)
  FROM generate_series(1, 1000) g;
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id bigint PRIMARY KEY, user_id int REFERENCES users(id), total numeric);
INSERT INTO billing.invoices SELECT g, 1 + g % 1000, g * 1.5 FROM generate_series(1, 2) g;
"""


def load_sample(url: str) -> None:
    """Two schemas, three tables' worth of realistic rows (1,000 users, 2 invoices)."""
    execute(url, SAMPLE_SCHEMA)
