"""The html report shows evidence as readable text; the github report annotates the
checklist lines whose checks did not hold."""

from __future__ import annotations

import html
import re
from pathlib import Path

from testing.cli import gonogo, write

CONFIG = """version: 1
name: shop
environments:
  production:
    env_files: ["it's.env"]
phases:
  - id: pre
    kind: preflight
    checks:
      - id: settings
        title: JWT_SECRET and DATABASE_URL are set
        type: env.required
        names: [JWT_SECRET, DATABASE_URL]
"""

CHECKLIST = """# Release

## Pre-Deployment Verification

- [ ] Build passes <!-- gonogo: {type: command, run: "true"} -->
- [ ] Tests pass, 100% <!-- gonogo: {type: command, run: "echo 'boom'; exit 3"} -->
- [ ] Lint is clean <!-- gonogo: {type: command, run: "exit 1", advisory: true} -->
- [ ] Critical user flows tested
"""


def test_html_evidence_is_readable_text_not_a_json_dump(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", CONFIG)
    write(tmp_path / "it's.env", "JWT_SECRET=x" + "y" * 40 + "\n")
    done = gonogo("check", "--report", "html:report.html", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    page = (tmp_path / "report.html").read_text()
    assert "\\u0027" not in page and '"missing"' not in page
    blocks = [html.unescape(b) for b in re.findall(r"<pre>(.*?)</pre>", page, re.S)]
    assert "- DATABASE_URL" in blocks
    assert "JWT_SECRET: it's.env:1" in blocks


def test_github_report_annotates_the_failed_checklist_lines(tmp_path: Path) -> None:
    write(tmp_path / "docs" / "CHECKLIST.md", CHECKLIST)
    done = gonogo("check", "-c", "docs/CHECKLIST.md", "--report", "github:-", cwd=tmp_path,
                  env={"GITHUB_WORKSPACE": str(tmp_path)})
    assert done.returncode == 1, done.stdout + done.stderr
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::")]
    run_id = re.search(r"run (\d{8}-\d{6}-[0-9a-f]+)", done.stdout)
    assert run_id is not None
    assert annotations == [
        "::error file=docs/CHECKLIST.md,line=6,title=gonogo%3A tests-pass-100 failed::"
        "Tests pass, 100%25 — exit 3: boom",  # % is escaped: GitHub decodes it
        "::warning file=docs/CHECKLIST.md,line=7,title=gonogo%3A lint-is-clean warned::"
        "Lint is clean — exit 1",
        "::notice file=docs/CHECKLIST.md,line=8,title=gonogo%3A critical-user-flows-tested "
        "pending::Critical user flows tested — awaiting sign-off (no rule recognizes this item; "
        "sign it off, or annotate it)",
        f"::error title=gonogo%3A NO-GO::Release: NO-GO — 1 passed, 1 failed, 1 warned, 1 pending "
        f"(run {run_id.group(1)})",
    ]
