"""`gonogo schema`: the JSON Schema of gonogo.yml, for editors (yaml-language-server)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from gonogo.config.model import CheckCommon, ConfigModel
from gonogo.outputs import write_output
from gonogo.plugins import check_types, driver_names


def build_schema() -> dict[str, Any]:
    schema = ConfigModel.model_json_schema(by_alias=True)
    defs = schema.setdefault("$defs", {})
    common = CheckCommon.model_json_schema(by_alias=True)
    for name, sub in common.pop("$defs", {}).items():
        defs.setdefault(name, sub)
    variants = []
    for name, cls in sorted(check_types().items()):
        sub = cls.model_json_schema(by_alias=True)
        for def_name, def_schema in sub.pop("$defs", {}).items():
            defs.setdefault(def_name, def_schema)
        properties = {**common["properties"], **sub.get("properties", {})}
        properties["type"] = {"const": name}
        variant: dict[str, Any] = {
            "title": f"{name} check",
            "description": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else name,
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
            "required": sorted(set(sub.get("required", [])) | ({"type"} if name != "command" else set())),
        }
        if cls.example:
            variant["examples"] = [{"type": name, **cls.example}]
        variants.append(variant)
    defs["Check"] = {"anyOf": variants}
    # the model takes any name; which ones exist is the registry's to say (plugins included)
    defs["ServiceModel"]["properties"]["driver"]["enum"] = driver_names()
    defs["PhaseModel"]["properties"]["checks"] = {"type": "array", "items": {"$ref": "#/$defs/Check"}}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "gonogo.yml"
    return schema


def main(args: argparse.Namespace) -> int:
    text = json.dumps(build_schema(), indent=2) + "\n"
    if args.output:
        write_output(Path(args.output), text)
    else:
        print(text, end="")
    return 0
