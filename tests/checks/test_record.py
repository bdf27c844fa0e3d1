"""``record``: one appended row per deploy in a Markdown status document."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gonogo.checks.base import CheckContext
from gonogo.core.outcomes import CheckResult, Outcome
from gonogo.plugins import check_types
from gonogo.redact import Redactor

HEADER = "| Time (UTC) | Environment | Version | Services | Verdict | By | Run | Report |"


def record(tmp_path: Path, version: str, outcome: Outcome = Outcome.PASSED) -> str:
    deployed = CheckResult("deploy.api", "Deploy api", "services", "deploy", "service.compose",
                           outcome, "now on v", evidence={"to": {"version": version, "image": None}})
    ctx = CheckContext(workdir=tmp_path, env={"GONOGO_VERSION": version, "GONOGO_USER": "alice"},
                       redactor=Redactor(), run_id=f"run-{version}",
                       run_dir=tmp_path / ".gonogo" / "runs" / f"run-{version}",
                       environment="production", results={"deploy.api": deployed})
    check = check_types()["record"].model_validate({"path": "docs/devops/deployment-status.md"})
    return asyncio.run(check.run(ctx)).summary


def test_the_document_is_created_with_a_header_and_gains_one_row_per_deploy(tmp_path: Path) -> None:
    assert record(tmp_path, "v1.4.0") == "appended to docs/devops/deployment-status.md: v1.4.0 in production, GO"
    record(tmp_path, "v1.5.0", Outcome.FAILED)
    lines = (tmp_path / "docs/devops/deployment-status.md").read_text().splitlines()
    assert lines[:4] == ["# Deployment status", "", HEADER, "|---|---|---|---|---|---|---|---|"]
    rows = [line.split(" | ")[1:] for line in lines[4:]]
    assert rows == [
        ["production", "v1.4.0", "api v1.4.0", "GO", "alice", "`run-v1.4.0`",
         "[report](../../.gonogo/runs/run-v1.4.0/report.html) |"],
        ["production", "v1.5.0", "api v1.5.0", "NO-GO", "alice", "`run-v1.5.0`",
         "[report](../../.gonogo/runs/run-v1.5.0/report.html) |"],
    ]


def test_earlier_content_is_never_rewritten(tmp_path: Path) -> None:
    doc = tmp_path / "docs/devops/deployment-status.md"
    doc.parent.mkdir(parents=True)
    before = "# Status\n\nHand-written notes | with a pipe\n\n" + HEADER + "\n|---|\n| old | row |"
    doc.write_text(before)  # no newline at the end, and an old row
    record(tmp_path, "v2")
    text = doc.read_text()
    assert text.startswith(before + "\n")
    assert text[len(before) + 1:].startswith("| ") and text.count(HEADER) == 1
    doc.write_text(text + "\nA paragraph after the table.\n")
    record(tmp_path, "v3")
    tail = doc.read_text().splitlines()[-5:]
    assert tail[0] == "A paragraph after the table."
    assert tail[1:4] == ["", HEADER, "|---|---|---|---|---|---|---|---|"]
    assert "| v3 |" in tail[4]  # a new table, still valid Markdown  # a new table, still valid Markdown


def test_a_status_document_that_cannot_be_written_is_an_error(tmp_path: Path) -> None:
    from testing.checks import run_check

    (tmp_path / "docs").write_text("a file, not a folder")
    result, _ = run_check("record", {"path": "docs/status.md"}, tmp_path)
    assert result.outcome == Outcome.ERRORED
    assert result.summary.startswith("cannot append to docs/status.md: ")
