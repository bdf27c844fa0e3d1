"""`gonogo import CHECKLIST.md [-c SIDECAR] [-o gonogo.yml]`: the bound checklist as YAML.

The output is the same model a Markdown run uses (phases, checks, secrets, contacts,
services, plus the sidecar's settings), so running it gives the same results.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import yaml

from gonogo.config.load import build_config
from gonogo.config.read import is_markdown
from gonogo.core.errors import UsageError
from gonogo.markdown.sidecar import resolve
from gonogo.outputs import refuse_overwrite, write_output

#: Top-level keys in the order a person reads them.
ORDER = ("version", "name", "root", "state", "environments", "secrets", "contacts", "notify", "defaults",
         "services", "phases")


def main(args: argparse.Namespace) -> int:
    checklist = Path(args.checklist)
    if not is_markdown(checklist):
        raise UsageError(f"{checklist}: expected a Markdown checklist (.md or .markdown)")
    output = Path(args.output) if args.output and args.output != "-" else None
    if output is not None:
        refuse_overwrite(output, args.force)
    sidecar = Path(args.config) if args.config else None
    located, _ = resolve(checklist, env=getattr(args, "env", None), process_env=os.environ,
                         sidecar_path=sidecar)
    # fail here, not when the imported file is first used
    config = build_config(located, sidecar or checklist, env=None, extra_vars={}, strict=False,
                          process_env=os.environ)
    data = dict(located.data)
    if output is not None:
        # relative paths (env files, check paths, commands' folder, services) start from
        # the config's folder: one `root:` keeps them all working from wherever the file goes
        data["root"] = os.path.relpath(config.root, output.parent.resolve())
        if data["root"] == ".":
            del data["root"]
    shown = os.path.relpath(checklist, output.parent) if output is not None else str(checklist)
    text = to_yaml(data, shown)
    if output is None:
        sys.stdout.write(text)
        return 0
    write_output(output, text, make_parents=True)
    print(f"wrote {output}", file=sys.stderr)
    return 0


def to_yaml(data: dict[str, Any], checklist: str) -> str:
    """The config as YAML, keys in reading order; ``checklist`` as seen from the file."""
    body = {k: data[k] for k in ORDER if k in data}
    body.update({k: v for k, v in data.items() if k not in body and k not in ("checklist", "bind")})
    header = (f"# Imported from {Path(checklist).name} by `gonogo import`.\n"
              "# Edit this file, or keep running the Markdown (`gonogo check -c "
              f"{checklist}`): both give the same results.\n")
    dumped = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100,
                            default_flow_style=False)
    return header + dumped
