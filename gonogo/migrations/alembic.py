"""Alembic: ``alembic_version`` against the revision graph of ``versions/*.py``.

Revision files are parsed (``ast``), never imported: reading migration state must not run
application code. The database is up to date when its revisions are the graph's heads.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gonogo.hookimpl import hookimpl
from gonogo.migrations import MigrationReader, MigrationStatus, qualified, table_exists

if TYPE_CHECKING:
    from psycopg import AsyncConnection

TABLE = "alembic_version"


class Revision:
    def __init__(self, rev: str, down: tuple[str, ...], name: str) -> None:
        self.rev, self.down, self.name = rev, down, name


def _literal(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def parse_revision(path: Path) -> Revision | None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (SyntaxError, UnicodeDecodeError, OSError):
        return None
    values: dict[str, Any] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Name) and value is not None:
                values[target.id] = _literal(value)
    rev = values.get("revision")
    if not isinstance(rev, str):
        return None
    down = values.get("down_revision")
    downs: tuple[str, ...] = (
        (down,) if isinstance(down, str) else tuple(str(d) for d in down) if isinstance(down, (list, tuple)) else ()
    )
    return Revision(rev, downs, path.stem)


def revisions(directory: Path) -> dict[str, Revision]:
    versions = directory / "versions" if (directory / "versions").is_dir() else directory
    found: dict[str, Revision] = {}
    for path in sorted(versions.rglob("*.py")):
        if path.name.startswith("__"):
            continue
        parsed = parse_revision(path)
        if parsed is not None:
            found[parsed.rev] = parsed
    return found


def ordered(graph: dict[str, Revision]) -> list[str]:
    """Revisions, each after the ones it depends on."""
    done: list[str] = []
    seen: set[str] = set()

    def visit(rev: str) -> None:
        if rev in seen or rev not in graph:
            return
        seen.add(rev)
        for down in graph[rev].down:
            visit(down)
        done.append(rev)

    for rev in sorted(graph):
        visit(rev)
    return done


async def read(
    conn: AsyncConnection[Any], directory: Path, *, table: str | None = None, schema: str | None = None
) -> MigrationStatus:
    from psycopg import sql

    status = MigrationStatus("alembic")
    graph = revisions(directory)
    order = ordered(graph)
    status.local = [graph[r].name for r in order]
    name = table or TABLE
    current: list[str] = []
    if await table_exists(conn, name, schema):
        cur = await conn.execute(sql.SQL("SELECT version_num FROM {}").format(qualified(name, schema)))
        current = [str(r[0]) for r in await cur.fetchall()]
    else:
        status.notes.append(f"table {name} does not exist: nothing was ever applied")
    applied: set[str] = set()
    stack = [r for r in current if r in graph]
    while stack:
        rev = stack.pop()
        if rev in applied:
            continue
        applied.add(rev)
        stack.extend(d for d in graph[rev].down if d in graph)
    status.missing_locally = [r for r in current if r not in graph]
    status.applied = [graph[r].name for r in order if r in applied]
    status.pending = [graph[r].name for r in order if r not in applied]
    heads = sorted(set(graph) - {d for r in graph.values() for d in r.down})
    status.notes.append(f"database at {', '.join(current) or 'no revision'}; heads: {', '.join(heads) or 'none'}")
    return status


@hookimpl
def gonogo_migration_readers() -> list[MigrationReader]:
    return [MigrationReader("alembic", "alembic", read)]
