"""MkDocs hooks (mkdocs.yml `hooks:`): pages generated at build time from the code, so the
site cannot drift from it — one page per registered check type (its docstring, fields and
documented example), the CLI reference from the argparse parser, the exit codes from
``gonogo.errors``. The nav is set here too, taking in docs/plugins.md when it exists."""

from __future__ import annotations

import ast
import inspect
import os
import re
import textwrap
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from pydantic import BaseModel
from pydantic.fields import FieldInfo

#: What each exit code means; a code in gonogo.core.errors without a line here fails the build.
EXIT_MEANINGS = {
    "EXIT_GO": "GO, or the command succeeded",
    "EXIT_NOGO": "NO-GO: a blocking check did not pass; nothing was changed",
    "EXIT_USAGE": "usage or config error: one line, `file:line: path: expected …, got …`",
    "EXIT_INTERNAL": "internal error: a message and the path of a crash log",
    "EXIT_PENDING": "PENDING: the only gaps are items awaiting a human sign-off",
    "EXIT_ROLLED_BACK": "the deploy failed and was rolled back",
    "EXIT_ROLLBACK_FAILED": "the deploy failed and the rollback failed too (contacts printed)",
    "EXIT_POST_FAILED": "deployed and verified, but a `post` step failed (nothing rolled back)",
    "EXIT_INTERRUPTED": "interrupted (Ctrl-C); what ran is recorded, `gonogo resume` continues a deploy",
}

GUIDES = [
    {"Markdown checklists": "markdown.md"},
    {"Secrets and environments": "secrets.md"},
    {"PostgreSQL backups": "postgres.md"},
    {"Quality gates": "quality-gates.md"},
    {"Deploy and rollback": "deploy.md"},
    {"Watching a release": "watch.md"},
    {"The dashboard (gonogo serve)": "serve.md"},
    {"CI and pre-commit": "ci.md"},
]


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    from gonogo.plugins import check_types

    docs = Path(config.docs_dir)
    guides = [g for g in GUIDES if (docs / next(iter(g.values()))).exists()]
    if (docs / "plugins.md").exists():
        guides.append({"Plugins": "plugins.md"})
    config.nav = [
        {"Home": "index.md"},
        {"Getting started": "getting-started.md"},
        {"Guides": guides},
        {"Check types": ["checks/index.md",
                         *(f"checks/{name}.md" for name in sorted(check_types()))]},
        {"CLI reference": "cli.md"},
        {"Exit codes": "exit-codes.md"},
    ]
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    from gonogo.plugins import check_types

    found = check_types()
    pages = {"checks/index.md": checks_index(found), "cli.md": cli_reference(),
             "exit-codes.md": exit_codes()}
    for name, cls in found.items():
        pages[f"checks/{name}.md"] = check_page(cls)
    for path, content in pages.items():
        files.append(File.generated(config, path, content=content))
    return files


# ---- check types ----------------------------------------------------------------------


def cell(text: str) -> str:
    """Text inside a Markdown table cell: a ``|`` would end the cell."""
    return text.replace("|", "\\|")


def type_text(annotation: Any) -> str:
    """A field's type as a user reads it: ``list[str]``, ``int | None``, ``duration``."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        for meta in annotation.__metadata__:
            schema = getattr(meta, "json_schema", None) or {}
            if "duration" in str(schema.get("description", "")):
                return "duration"
        return type_text(args[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_text(a) for a in args)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if annotation is type(None):
        return "None"
    if annotation is Any:
        return "any"
    if origin is not None:
        return f"{getattr(origin, '__name__', str(origin))}[{', '.join(type_text(a) for a in args)}]"
    if isinstance(annotation, type):
        return annotation.__name__
    return re.sub(r"(?:[a-z_]+\.)+([A-Za-z]\w*)", r"\1", str(annotation).replace("typing.", ""))


def field_notes(cls: type) -> dict[str, str]:
    """What the source says of each field: a ``#:`` comment above it, a comment after it,
    or a string right below it (an attribute docstring)."""
    notes: dict[str, str] = {}
    try:
        lines, _ = inspect.getsourcelines(cls)
    except (OSError, TypeError):
        return notes
    source = textwrap.dedent("".join(lines))
    body = ast.parse(source).body[0]
    assert isinstance(body, ast.ClassDef)
    text = source.splitlines()
    for i, node in enumerate(body.body):
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            continue
        name, parts = node.target.id, []
        row = node.lineno - 2
        while row >= 0 and text[row].strip().startswith("#:"):
            parts.insert(0, text[row].strip()[2:].strip())
            row -= 1
        after = text[node.end_lineno - 1].split("#", 1) if node.end_lineno else []
        if len(after) == 2 and "'" not in after[1] and '"' not in after[1]:
            parts.append(after[1].strip())
        nxt = body.body[i + 1] if i + 1 < len(body.body) else None
        if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant) \
                and isinstance(nxt.value.value, str):
            parts.append(" ".join(nxt.value.value.split()))
        if parts:
            notes[name] = " ".join(parts)
    return notes


def default_text(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "see below"
    return f"`{yaml.safe_dump(value, default_flow_style=True).strip().removesuffix('...').strip()}`"


def fields_table(cls: type[BaseModel], seen: set[type]) -> tuple[list[str], list[type[BaseModel]]]:
    notes = {}
    for klass in reversed(cls.__mro__):
        if isinstance(klass, type) and issubclass(klass, BaseModel) and klass is not BaseModel:
            notes.update(field_notes(klass))
    rows = ["| key | type | default | what it is |", "|---|---|---|---|"]
    nested: list[type[BaseModel]] = []
    for name, field in cls.model_fields.items():
        about = field.description or notes.get(name, "")
        rows.append(f"| `{field.alias or name}` | {cell(type_text(field.annotation))} | "
                    f"{default_text(field)} | {cell(about)} |")
        for inner in _models_in(field.annotation):
            if inner not in seen:
                seen.add(inner)
                nested.append(inner)
    return rows, nested


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def check_page(cls: Any) -> str:
    name = cls.type_name
    lines = [f"# `{name}`", "", inspect.cleandoc(cls.__doc__ or ""), ""]
    if cls.manual:
        lines += ["!!! note", "    A person produces the evidence: the run waits as `pending` "
                  "until `gonogo signoff`.", ""]
    if cls.changes_state:
        lines += ["!!! warning", "    It changes something when it runs: `gonogo check` reports "
                  "it skipped; only `gonogo deploy` (and `backup`) run it.", ""]
    if cls.secret_fields:
        lines += [f"Secret parameters, never shown: {', '.join(f'`{f}`' for f in cls.secret_fields)}.", ""]
    rows, nested = fields_table(cls, set())
    lines += ["## Parameters", "", *rows, "",
              "Every check also takes the [common keys](index.md#common-keys).", ""]
    seen = set(nested)
    while nested:
        model = nested.pop(0)
        rows, more = fields_table(model, seen)
        doc = inspect.cleandoc(model.__doc__ or "") if model.__doc__ != BaseModel.__doc__ else ""
        lines += [f"### `{model.__name__}`", "", *([doc, ""] if doc else []), *rows, ""]
        nested += more
    example = {"id": f"my-{name.replace('.', '-')}", "type": name, **cls.example}
    lines += ["## Example", "", "```yaml", yaml.safe_dump([example], sort_keys=False).rstrip(),
              "```", "", f"Source: `{cls.__module__.replace('.', '/')}.py`", ""]
    return "\n".join(lines)


def checks_index(found: dict[str, Any]) -> str:
    from gonogo.config.model import CheckCommon

    rows, _ = fields_table(CheckCommon, set())
    lines = ["# Check types", "", "Each check type is a small class whose fields are its "
             "parameters; these pages are generated from them.", "",
             "| type | what it checks |", "|---|---|"]
    for name in sorted(found):
        first = inspect.cleandoc(found[name].__doc__ or "").split("\n\n")[0].replace("\n", " ")
        lines.append(f"| [`{name}`]({name}.md) | {cell(first)} |")
    lines += ["", "## Common keys", "", "Keys every check accepts, whatever its type.", "", *rows, ""]
    return "\n".join(lines)


# ---- CLI and exit codes ---------------------------------------------------------------


def cli_reference() -> str:
    import argparse

    from gonogo.cli import build_parser

    os.environ["COLUMNS"] = "100"  # argparse wraps help to the terminal: keep the page stable
    parser = build_parser()
    lines = ["# CLI reference", "", "Generated from gonogo's argument parser.", "",
             "```text", parser.format_help().rstrip(), "```", ""]
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in sub._choices_actions}
    for name, command in sub.choices.items():
        lines += [f"## `gonogo {name}`", "", f"{helps.get(name) or ''}", "",
                  "```text", command.format_help().rstrip(), "```", ""]
    return "\n".join(lines)


def exit_codes() -> str:
    from gonogo.core import errors

    codes = {name: value for name, value in vars(errors).items()
             if name.startswith("EXIT_") and isinstance(value, int)}
    missing = set(codes) - set(EXIT_MEANINGS)
    if missing:
        raise ValueError(f"scripts/docs_hooks.py: no meaning for {', '.join(sorted(missing))}")
    rows = [(value, f"`{name}`", EXIT_MEANINGS[name]) for name, value in codes.items()]
    if "EXIT_POST_FAILED" not in codes:  # a literal 7 in the deploy code, for now
        rows.append((7, "", EXIT_MEANINGS["EXIT_POST_FAILED"]))
    lines = ["# Exit codes", "", "Every command exits with one of these (`gonogo.core.errors`).", "",
             "| exit | name | meaning |", "|---|---|---|"]
    lines += [f"| {value} | {name} | {meaning} |" for value, name, meaning in sorted(rows)]
    return "\n".join(lines) + "\n"
