"""`gonogo init`: a starter gonogo.yml (and `--checklist`, a Markdown checklist) for a repo."""

from __future__ import annotations

import argparse
from pathlib import Path

from gonogo.core.errors import UsageError
from gonogo.init import write_checklist, write_yaml
from gonogo.init.detect import scan
from gonogo.init.plan import build_plan
from gonogo.yamlsource import Located, format_path, parse_yaml

CONFIG_NAME = "gonogo.yml"
CHECKLIST_NAME = "DEPLOYMENT_CHECKLIST.md"


def main(args: argparse.Namespace) -> int:
    root = Path(args.dir or ".")
    if not root.is_dir():
        raise UsageError(f"--dir {args.dir}: not a directory")
    targets = [root / CONFIG_NAME] + ([root / CHECKLIST_NAME] if args.checklist else [])
    existing = [t for t in targets if t.exists()]
    if existing and not args.force:
        raise UsageError(
            f"{_shown(existing[0], root, args.dir)} already exists; pass --force to overwrite it"
        )
    found = scan(root)
    plan = build_plan(found)
    config_text = write_yaml.render(plan)
    todos = todo_paths(parse_yaml(config_text, CONFIG_NAME))
    try:
        targets[0].write_text(config_text, encoding="utf-8")
        if args.checklist:
            targets[1].write_text(write_checklist.render(plan), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write in {root}: {exc.strerror}") from None
    for line in found.summary() or ["nothing recognisable: a generic starter"]:
        print(f"found: {line}")
    checks = sum(len(p.checks) for p in plan.phases)
    config_shown = _shown(targets[0], root, args.dir)
    print(f"wrote {config_shown}: {len(plan.phases)} phases, {checks} checks")
    if args.checklist:
        print(f"wrote {_shown(targets[1], root, args.dir)}: the same gates as a Markdown checklist")
    if todos:
        at, path = todos[0]
        print(f"{len(todos)} values are marked TODO; `gonogo validate` points at each, "
              f"starting with {config_shown}:{at} ({path})")
    else:
        print("next: `gonogo validate`, then `gonogo check`")
    return 0


def todo_paths(located: Located) -> list[tuple[int | None, str]]:
    """(line, path) of every value that still reads ``TODO``, in file order."""
    found: list[tuple[int | None, str]] = []

    def visit(value: object, path: tuple[str | int, ...]) -> None:
        if isinstance(value, str) and value.startswith("TODO"):
            found.append((located.line_of(path), format_path(path)))
        elif isinstance(value, dict):
            for key, item in value.items():
                visit(item, path + (key,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                visit(item, path + (i,))

    visit(located.data, ())
    return sorted(found, key=lambda t: t[0] or 0)


def _shown(path: Path, root: Path, given: str | None) -> str:
    return str(path) if given else path.name
