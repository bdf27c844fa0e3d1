"""postgres.jsonb_schema: every JSONB value matches a JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from testing.checks import run_check
from testing.postgres import execute, fresh_database

pytestmark = pytest.mark.postgres

LESSON = {
    "type": "object",
    "required": ["title", "blocks"],
    "properties": {
        "title": {"type": "string"},
        "blocks": {"type": "array", "items": {"type": "object", "required": ["type"],
                                              "properties": {"type": {"enum": ["text", "quiz"]}}}},
    },
}


def make_lessons(url: str, bad_ids: set[int], n: int = 50) -> None:
    execute(url, "CREATE TABLE lessons (id int PRIMARY KEY, content jsonb)")
    for i in range(1, n + 1):
        content: Any = {"title": f"Lesson {i}", "blocks": [{"type": "text"}, {"type": "quiz"}]}
        if i in bad_ids:
            content["blocks"][1]["type"] = "video"
        execute(url, "INSERT INTO lessons VALUES (%s, %s)", (i, json.dumps(content)))


def test_schema_file_all_valid(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas/lesson.json").write_text(json.dumps(LESSON))
    with fresh_database() as url:
        make_lessons(url, set())
        execute(url, "INSERT INTO lessons VALUES (999, NULL)")
        result, _ = run_check("postgres.jsonb_schema", {"database_url": url, "table": "lessons",
                                                        "column": "content",
                                                        "schema": "schemas/lesson.json"}, tmp_path)
    assert (result.outcome, result.summary) == (
        "passed", "51 rows of lessons.content match the schema (1 NULL skipped)")


def test_violations_report_count_keys_and_paths(tmp_path: Path) -> None:
    with fresh_database() as url:
        make_lessons(url, {3, 7, 11, 20, 31, 40, 44})
        result, _ = run_check("postgres.jsonb_schema", {"database_url": url, "table": "lessons",
                                                        "column": "content", "schema": LESSON},
                              tmp_path)
    assert result.outcome == "failed"
    assert result.summary == (
        "7 of 50 rows in lessons.content do not match the schema: "
        "id=3 at $.blocks[1].type: 'video' is not one of ['text', 'quiz']; "
        "id=7 at $.blocks[1].type: 'video' is not one of ['text', 'quiz']; "
        "id=11 at $.blocks[1].type: 'video' is not one of ['text', 'quiz']; "
        "id=20 at $.blocks[1].type: 'video' is not one of ['text', 'quiz']; "
        "id=31 at $.blocks[1].type: 'video' is not one of ['text', 'quiz'] …")
    assert result.evidence["violations"] == 7


def test_sample_checks_about_n_rows(tmp_path: Path) -> None:
    with fresh_database() as url:
        execute(url, "CREATE TABLE events (id int PRIMARY KEY, payload jsonb)")
        execute(url, "INSERT INTO events SELECT g, jsonb_build_object('title', 't', 'blocks', "
                     "'[]'::jsonb) FROM generate_series(1, 20000) g")
        execute(url, "ANALYZE events")
        result, _ = run_check("postgres.jsonb_schema", {"database_url": url, "table": "events",
                                                        "column": "payload", "schema": LESSON,
                                                        "sample": 500}, tmp_path)
    assert result.outcome == "passed"
    assert 0 < result.evidence["checked"] <= 500
    assert result.summary == f"{result.evidence['checked']:,} sampled rows of events.payload match the schema"


def test_unknown_table_and_bad_schema(tmp_path: Path) -> None:
    with fresh_database() as url:
        result, _ = run_check("postgres.jsonb_schema", {"database_url": url, "table": "nope",
                                                        "column": "c", "schema": LESSON}, tmp_path)
    assert (result.outcome, result.summary) == ("errored", 'nope: relation "nope" does not exist')
    from pydantic import ValidationError

    from gonogo.plugins import check_types

    with pytest.raises(ValidationError, match="not a valid JSON Schema"):
        check_types()["postgres.jsonb_schema"].model_validate(
            {"database_url": "postgresql://x@h/d", "table": "t", "column": "c",
             "schema": {"type": "nonsense"}})
