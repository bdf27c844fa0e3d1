"""`gonogo schema`: a JSON Schema editors can use; every documented example validates against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gonogo.commands.schema import build_schema
from gonogo.plugins import check_types
from testing.cli import gonogo


def check_variant(schema: dict[str, Any], name: str) -> dict[str, Any]:
    for variant in schema["$defs"]["Check"]["anyOf"]:
        if variant["properties"]["type"] == {"const": name}:
            return dict(variant)
    raise AssertionError(f"no schema variant for {name}")


def test_schema_is_printed_as_json(tmp_path: Path) -> None:
    result = gonogo("schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "gonogo.yml"
    assert set(schema["properties"]) >= {
        "version", "name", "checklist", "state", "environments", "secrets", "contacts",
        "notify", "defaults", "phases", "services",
    }
    assert schema["additionalProperties"] is False


def test_schema_to_a_file(tmp_path: Path) -> None:
    result = gonogo("schema", "-o", "schema.json", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")
    assert json.loads((tmp_path / "schema.json").read_text())["title"] == "gonogo.yml"


def test_phase_checks_refer_to_one_variant_per_registered_type() -> None:
    schema = build_schema()
    phase = schema["$defs"]["PhaseModel"]
    assert phase["properties"]["checks"] == {"type": "array", "items": {"$ref": "#/$defs/Check"}}
    names = [v["properties"]["type"]["const"] for v in schema["$defs"]["Check"]["anyOf"]]
    assert names == sorted(check_types())


def test_check_variants_use_the_names_users_write() -> None:
    schema = build_schema()
    command = check_variant(schema, "command")
    assert "run" in command["properties"] and "command" not in command["properties"]
    assert {"id", "title", "timeout", "needs", "advisory", "retry"} <= set(command["properties"])
    assert command["additionalProperties"] is False
    assert "type" not in command["required"]  # `run:` alone means a command
    http = check_variant(schema, "http")
    assert "type" in http["required"] and "url" in http["required"]
    assert "json" in schema["$defs"]["HttpExpect"]["properties"]


def test_durations_are_text_with_a_unit() -> None:
    retry = build_schema()["$defs"]["Retry"]["properties"]["interval"]
    assert "anyOf" not in retry  # a bare number is no longer a duration
    assert {k: retry[k] for k in ("type", "pattern", "description")} == {
        "type": "string", "pattern": r"^(\d+(\.\d+)?(ms|s|m|h|d))+$",
        "description": "a duration like 500ms, 30s, 10m, 1h (more than 0, at most 7d)"}


@pytest.mark.parametrize("name", sorted(check_types()))
def test_each_examples_entry_is_a_valid_check(name: str) -> None:
    variant = check_variant(build_schema(), name)
    (example,) = variant["examples"]
    assert example["type"] == name
    assert set(example) <= set(variant["properties"])
    assert set(variant["required"]) <= set(example)


def test_an_editor_validating_with_the_schema_agrees_with_the_loader() -> None:
    import jsonschema
    import yaml

    from tests.config.test_load import PRODUCT_EXAMPLE

    validator = jsonschema.Draft202012Validator(build_schema())
    document = yaml.safe_load(PRODUCT_EXAMPLE)
    assert list(validator.iter_errors(document)) == []
    document["phases"][0]["checks"][0]["timeot"] = "1s"
    document["phases"][1]["checks"][0]["expect"]["status"] = "ok"
    assert not validator.is_valid(document)
    del document["phases"][0]["checks"][0]["timeot"]
    assert not validator.is_valid(document)
    document["phases"][1]["checks"][0]["expect"]["status"] = [200, 204]
    assert validator.is_valid(document)
