"""Items about the database: backups, restore verification, migrations, JSONB schemas."""

from __future__ import annotations

import re
from typing import Any

from gonogo.markdown.parse import Item, Section
from gonogo.markdown.recognize.base import Context, Recognized, free, has

_DUMP = re.compile(r"\b(pg_dump|pg_dumpall|mysqldump|mongodump)\b")


def backup_created(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    if not (has(text, r"\bbackups?\b|\bback(ed)? up\b|\bdump\b")
            and not has(text, r"verif|restor|test|valid|check")):
        return None
    url = ctx.ref("DATABASE_URL", "database_url")
    directory = ctx.ref("backup_dir") or "backups"
    params = {"database_url": url or "${DATABASE_URL}", "path": f"{directory}/backup_{{timestamp}}.dump"}
    dumps = [c for c in free(ctx, section.commands) if _DUMP.search(c.text)]
    return Recognized("postgres.backup", params, "postgres.backup",
                      needs=[] if url else ["DATABASE_URL"], consumes=dumps)


def backup_verified(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    if not (has(text, r"\bbackups?\b|\bdump\b") and has(text, r"verif|restor|test|valid")):
        return None
    if ctx.backup_check is None:
        return Recognized("postgres.restore_verify", {}, "postgres.restore_verify", needs=["backup"],
                          note="no item before it is bound to postgres.backup")
    # it restores the file that check writes: never before that check has finished
    return Recognized("postgres.restore_verify", {"backup": ctx.backup_check}, "postgres.restore_verify",
                      after=[ctx.backup_check])


def migrations(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"\bmigrat"):
        return None
    tool, directory = ctx.scan.migration_tool
    url = ctx.ref("DATABASE_URL", "database_url")
    params: dict[str, Any] = {"database_url": url or "${DATABASE_URL}"}
    if tool:
        params = {"tool": tool, **params}
    if directory:
        params["dir"] = directory
    needs = ([] if url else ["DATABASE_URL"]) + ([] if tool else ["migrations tool"])
    return Recognized("migrations", params, "migrations", needs=needs)


def jsonb(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"\bjsonb?\b") or not has(item.text, r"schema|valid"):
        return None
    return Recognized("postgres.jsonb_schema", {}, "postgres.jsonb_schema",
                      needs=["table, column and schema (bind it in the sidecar)"])
