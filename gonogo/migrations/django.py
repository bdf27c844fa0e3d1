"""Django: ``django_migrations`` against each app's ``migrations/*.py``.

The app label is the name of the folder holding ``migrations/`` (Django's default);
squashed migrations (``replaces = [...]``) count as applied when recorded themselves or
when everything they replace is. Rows of apps without a local folder (django.contrib,
third-party packages) are not reported.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gonogo.hookimpl import hookimpl
from gonogo.migrations import MigrationReader, MigrationStatus, qualified, table_exists

if TYPE_CHECKING:
    from psycopg import AsyncConnection

TABLE = "django_migrations"
SKIP_DIRS = frozenset({"node_modules", "site-packages", ".git", ".venv", "venv", "__pycache__", ".tox"})


def _replaces(path: Path) -> list[tuple[str, str]]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (SyntaxError, UnicodeDecodeError, OSError):
        return []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "replaces" for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return []
            return [(str(a), str(n)) for a, n in value]
    return []


def local_migrations(root: Path) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(app, name) → what it replaces, for every migration file under ``root``."""
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for folder in sorted(root.rglob("migrations")):
        if not folder.is_dir() or any(part in SKIP_DIRS for part in folder.parts):
            continue
        if not (folder / "__init__.py").exists():
            continue
        app = folder.parent.name
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith(("_", "~", ".")):
                continue
            found[(app, path.stem)] = _replaces(path)
    return found


async def read(
    conn: AsyncConnection[Any], directory: Path, *, table: str | None = None, schema: str | None = None
) -> MigrationStatus:
    from psycopg import sql

    status = MigrationStatus("django")
    local = local_migrations(directory)
    status.local = [f"{a}.{n}" for a, n in local]
    name = table or TABLE
    recorded: set[tuple[str, str]] = set()
    if await table_exists(conn, name, schema):
        cur = await conn.execute(sql.SQL("SELECT app, name FROM {}").format(qualified(name, schema)))
        recorded = {(str(a), str(n)) for a, n in await cur.fetchall()}
    else:
        status.notes.append(f"table {name} does not exist: nothing was ever applied")
    replaced_by = {old: key for key, olds in local.items() for old in olds}
    for key, olds in local.items():
        label = f"{key[0]}.{key[1]}"
        if key in replaced_by:
            continue  # judged through its squashed migration
        applied = key in recorded or (bool(olds) and all(o in recorded for o in olds))
        (status.applied if applied else status.pending).append(label)
    apps = {a for a, _ in local}
    for app, migration in sorted(recorded):
        if app in apps and (app, migration) not in local and (app, migration) not in replaced_by:
            status.missing_locally.append(f"{app}.{migration}")
    return status


@hookimpl
def gonogo_migration_readers() -> list[MigrationReader]:
    return [MigrationReader("django", ".", read)]
