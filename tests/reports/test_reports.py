"""Reports of one real run: console lines, json (fixed shape), junit, markdown, html (escaped)."""

from __future__ import annotations

import json
import os
import pwd
import re
import socket
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from testing.project import json_report, project

OS_USER = pwd.getpwuid(os.geteuid()).pw_name

CONFIG = """
version: 1
name: shop
environments:
  production:
    env_files: [.env.production]
phases:
  - id: pre
    title: Preflight
    kind: preflight
    checks:
      - id: build
        title: API build passes
        run: "echo compiling; echo 'token is '$API_TOKEN; echo 'error TS2304' >&2; exit 2"
      - id: lint
        title: Lint
        run: "exit 1"
        advisory: true
      - id: xss
        title: "<script>alert('x')</script> & co"
        run: "echo '<b>bold</b>'"
  - id: ver
    kind: verify
    checks:
      - id: flows
        title: Critical user flows tested
        type: manual
      - id: smoke
        title: Smoke test
        run: "true"
        needs: [build]
"""
SECRET = "sup3r-s3cret-token-value"


@dataclass
class Run:
    root: Path
    result: subprocess.CompletedProcess[str]
    run_id: str


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("reports")
    project(root, CONFIG)
    write(root / ".env.production", f"API_TOKEN={SECRET}\n")
    result = gonogo("check", "--report", "json:-", "--report", "junit:out/junit.xml",
                    "--report", "markdown:summary.md", "--report", "html", cwd=root)
    match = re.search(r"· run (\S+)", result.stdout)
    assert match, result.stdout + result.stderr
    return Run(root, result, match.group(1))


def test_console_plain_lines_when_not_a_tty(run: Run) -> None:
    assert run.result.returncode == 1
    lines = run.result.stdout.splitlines()
    assert lines[0] == "── Preflight (preflight) "
    items = [re.sub(r"\] \d+\.\ds —", "] T —", line) for line in lines if line.startswith("  ")]
    assert set(items[:3]) == {
        "  ✗ API build passes [pre] T — exit 2: error TS2304",
        "  ⚠ Lint (advisory) [pre] T — exit 1",
        "  ✓ <script>alert('x')</script> & co [pre] T — exit 0",
    }
    assert lines[lines.index("── ver (verify) ") + 1:][:2] == [
        "  ⏳ Critical user flows tested [ver] 0.0s — awaiting sign-off",
        "  ↷ Smoke test [ver] 0.0s — needs build (failed)",
    ]
    summary = run.result.stdout.split("\n\n", 1)[1]
    assert summary.startswith(
        f"NO-GO: 1 passed, 1 failed, 1 warned, 1 skipped, 1 pending · run {run.run_id}\n\n"
        "Blocking the gate:\n"
        "  ✗ API build passes (line 11): exit 2: error TS2304\n"
        "      $ echo compiling; echo 'token is '$API_TOKEN; echo 'error TS2304' >&2; exit 2\n"
        "      compiling\n"
        "      token is [REDACTED:API_TOKEN]\n"
    )
    assert f"Sign off with:\n  gonogo signoff {run.run_id} flows --by NAME\n" in run.result.stdout
    assert "\njunit report: out/junit.xml\nmarkdown report: summary.md\n" in run.result.stdout
    assert "\x1b[" not in run.result.stdout


def test_a_secret_echoed_by_a_command_is_redacted_in_console_and_output_file(run: Run) -> None:
    assert SECRET not in run.result.stdout + run.result.stderr
    log = run.root / ".gonogo" / "runs" / run.run_id / "output" / "build.log"
    assert log.read_text() == "compiling\ntoken is [REDACTED:API_TOKEN]\n\n--- stderr ---\nerror TS2304\n"
    for path in run.root.rglob("*"):
        if path.is_file() and path.name != ".env.production":
            assert SECRET.encode() not in path.read_bytes(), path


def test_json_has_the_fixed_shape(run: Run) -> None:
    data = json_report(run.result.stdout)
    assert {"run_id", "verdict", "exit_code", "started_at", "finished_at", "checks"} <= set(data)
    assert (data["run_id"], data["verdict"], data["exit_code"]) == (run.run_id, "NO-GO", 1)
    assert data["started_at"] <= data["finished_at"]
    for check in data["checks"]:
        assert {"id", "title", "phase", "outcome", "duration_s", "evidence"} <= set(check)
        assert isinstance(check["duration_s"], float)
    assert [(c["id"], c["phase"], c["outcome"]) for c in data["checks"]] == [
        ("build", "pre", "failed"), ("lint", "pre", "warned"), ("xss", "pre", "passed"),
        ("flows", "ver", "pending"), ("smoke", "ver", "skipped"),
    ]
    build = data["checks"][0]
    assert build["title"] == "API build passes"
    assert build["evidence"]["summary"] == "exit 2: error TS2304"
    assert build["evidence"]["exit_code"] == 2
    assert build["evidence"]["output_file"].endswith(f"runs/{run.run_id}/output/build.log")


def test_junit_one_testcase_per_item_named_by_its_title(run: Run) -> None:
    root = ET.parse(run.root / "out" / "junit.xml").getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("5", "1", "2")
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert list(cases) == ["API build passes", "Lint", "<script>alert('x')</script> & co",
                           "Critical user flows tested", "Smoke test"]
    failure = cases["API build passes"].find("failure")
    assert failure is not None and failure.text is not None
    assert failure.get("message") == "exit 2: error TS2304"
    assert failure.text.startswith("exit 2: error TS2304\ncommand: echo compiling;")
    assert failure.text.endswith("--- output (tail) ---\ncompiling\ntoken is [REDACTED:API_TOKEN]\n\n"
                                 "--- stderr ---\nerror TS2304")
    skipped = cases["Critical user flows tested"].find("skipped")
    assert skipped is not None and skipped.get("message") == "pending: awaiting sign-off"
    assert cases["Lint"].find("failure") is None


def test_markdown_summary(run: Run) -> None:
    text = (run.root / "summary.md").read_text()
    assert text.startswith(
        f"## 🔴 shop: NO-GO\n\nRun `{run.run_id}` · environment `production` · "
        "1 passed, 1 failed, 1 warned, 1 skipped, 1 pending\n\n"
        "| | Item | Phase | Time | Result |\n|---|---|---|---|---|\n"
    )
    lines = text.splitlines()
    rows = [re.sub(r"\| \d+\.\ds \|", "| T |", line) for line in lines[6:-2]]
    assert lines[-2:] == ["", f"Run by `{OS_USER}` on `{socket.gethostname()}`, started "
                              f"{lines[-1].split('started ', 1)[1]}"]
    assert re.fullmatch(r"Run by .*, started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.", lines[-1])
    assert rows == [
        "| ❌ | API build passes | pre | T | exit 2: error TS2304 |",
        "| ⚠️ | Lint | pre | T | exit 1 |",
        "| ✅ | &lt;script&gt;alert('x')&lt;/script&gt; & co | pre | T | exit 0 |",
        "| ⏳ | Critical user flows tested | ver | T | awaiting sign-off |",
        "| ⏭️ | Smoke test | ver | T | needs build (failed) |",
    ]


def test_html_is_one_self_contained_escaped_file(run: Run) -> None:
    (html,) = (run.root / ".gonogo" / "runs" / run.run_id).glob("report.html")
    text = html.read_text()
    assert "<script" not in text.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text  # captured output is escaped too
    assert "token is [REDACTED:API_TOKEN]" in text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)  # nothing fetched from elsewhere
    assert '<header class="verdict NO-GO">' in text
    assert f"html report: {html}\n" in run.result.stdout


def test_report_renders_a_stored_run_again(run: Run) -> None:
    again = gonogo("report", run.run_id, "--format", "json", cwd=run.root)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["checks"] == json_report(run.result.stdout)["checks"]
    to_file = gonogo("report", "last", "--format", "junit", "-o", "again.xml", cwd=run.root)
    assert (to_file.returncode, to_file.stdout) == (0, "junit report: again.xml\n")
    assert ET.parse(run.root / "again.xml").getroot().get("verdict") == "NO-GO"


def test_an_unknown_report_format_is_a_usage_error_before_anything_runs(tmp_path: Path) -> None:
    project(tmp_path, "phases:\n  - {id: p, kind: preflight, checks: [{id: a, run: touch ran}]}\n")
    result = gonogo("check", "--report", "pdf:out.pdf", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("gonogo: error: --report 'pdf:out.pdf': unknown format 'pdf' "
                             "(expected one of console, json, junit, markdown, html, checklist, github)\n")
    assert not (tmp_path / "ran").exists()
