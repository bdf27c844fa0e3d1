"""Checklist items in every form people write them (table rows with a box per row, numbered
step headings, plain bullets under a checklist heading), and their tick-back in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gonogo.markdown import checklist_source
from gonogo.markdown.tickback import Mark, tick
from testing.cli import gonogo

TABLE = (
    "---\r\ntitle: Release\r\n---\r\n# Release\r\n\r\n## Pre-deployment checklist\r\n\r\n"
    "```bash\r\ncat VERSION\r\ncat MISSING\r\n```\r\n\r\n<!-- sign each row -->\r\n"
    "| Item | Status | Verified By | Date |\r\n|------|--------|-------------|------|\r\n"
    "| `cat VERSION` succeeds | [ ]    |             |      |\r\n"
    "| `cat MISSING` succeeds | ☐ | | |\r\n"
    "| Release notes reviewed <br> by the team | &#9744; | | |"
)


def _explain(tmp_path: Path, name: str, text: str) -> dict:  # type: ignore[type-arg]
    (tmp_path / name).write_text(text, encoding="utf-8", newline="")
    result = gonogo("explain", name, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data: dict = json.loads(result.stdout)  # type: ignore[type-arg]
    return data


def test_table_rows_with_boxes_are_items_with_their_lines(tmp_path: Path) -> None:
    text = TABLE + "\r\n\r\n| Check | Staging | Production |\r\n| --- | :---: | :---: |\r\n" \
        "| Health endpoint answers | :white_check_mark: | :x: |\r\n"
    data = _explain(tmp_path, "t.md", text)
    items = [(c["line"], c["text"], c["form"]) for c in data["checks"] if c["item"]]
    assert items == [(16, "`cat VERSION` succeeds", "table"), (17, "`cat MISSING` succeeds", "table"),
                     (18, "Release notes reviewed by the team", "table"),
                     (22, "Health endpoint answers", "table")]
    assert [c["check"]["why"] for c in data["checks"][:2]] == ["would run", "would run"]


def test_check_ticks_a_table_back_in_place_every_other_byte_kept(tmp_path: Path) -> None:
    (tmp_path / "VERSION").write_text("1.0\n")
    (tmp_path / "t.md").write_bytes(TABLE.encode())
    result = gonogo("check", "-c", "t.md", "--report", "checklist:ticked.md", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    ticked = (tmp_path / "ticked.md").read_bytes().decode()
    date = ticked.split("| gonogo      | ")[1][:10]
    assert ticked == TABLE.replace(
        "| `cat VERSION` succeeds | [ ]    |             |      |",
        f"| `cat VERSION` succeeds | ✅     | gonogo      | {date} |").replace(
        "| `cat MISSING` succeeds | ☐ | | |", f"| `cat MISSING` succeeds | ❌ | gonogo | {date} |").replace(
        "| Release notes reviewed <br> by the team | &#9744; | | |",
        "| Release notes reviewed <br> by the team | ⏳      | | |")


def test_several_boxes_in_a_row_all_get_the_result() -> None:
    text = "## Verify\n\n| Check | Staging | Production |\n|---|:---:|:---:|\n| Health ok | ☐ | ☐ |\n"
    assert tick(text, {5: Mark(True, "— ✅ 0.1s", "✅")}).splitlines()[4] == "| Health ok | ✅ | ✅ |"


def test_a_status_column_headed_with_its_legend_takes_rows_as_items(tmp_path: Path) -> None:
    # The shape of tests/data/checklists/49: blank cells under "Status (✅/⚠️/❌)".
    text = ("## Quality Gates\n\n| Item | Status (✅/⚠️/❌) | Owner | Notes |\n|---|---|---|---|\n"
            "| Regression suite executed |                   | QE Team |       |\n")
    data = _explain(tmp_path, "g.md", text)
    assert [(c["line"], c["text"], c["form"]) for c in data["checks"]] == [
        (5, "Regression suite executed", "table")]
    ticked = tick(text, {5: Mark(True, "— ✅ 0.1s", "✅")})
    assert ticked.splitlines()[4] == "| Regression suite executed | ✅                | QE Team | ✅ 0.1s |"


def test_a_box_before_the_text_and_a_status_column_beside_a_check_column(tmp_path: Path) -> None:
    # The shape of tests/data/checklists/61: "Check" heads the text column, "Status" the blank one.
    text = "## Testing\n\n| Check | Status | Notes |\n|-------|--------|-------|\n| [ ] All unit tests pass | | |\n"
    data = _explain(tmp_path, "c.md", text)
    assert [(c["line"], c["text"], c["form"]) for c in data["checks"]] == [(5, "All unit tests pass", "table")]


def test_a_status_cell_with_a_labelled_box_is_the_rows_box(tmp_path: Path) -> None:
    # The shape of tests/data/checklists/67: "[ ] Not started" under Status, an ID in the first cell.
    text = ("## Effort Status\n\n| Effort | Description | Status | Commit |\n|---|---|---|---|\n"
            "| **M-19** | Rename bundles | [ ] Not started | Commit 1 |\n"
            "| **F-13** | Workflow expansion | [x] Done | Commit 2 |\n")
    data = _explain(tmp_path, "s.md", text)
    assert [(c["line"], c["text"], c["form"]) for c in data["checks"]] == [
        (5, "**M-19**", "table"), (6, "**F-13**", "table")]
    ticked = tick(text, {5: Mark(False, "— ❌ exit 1", "❌")})
    assert ticked.splitlines()[4] == "| **M-19** | Rename bundles | ❌              | Commit 1 |"


def test_a_bold_row_number_is_not_the_items_text(tmp_path: Path) -> None:
    # The shape of tests/data/checklists/68 (OWASP ASVS): "**14.1.1**", then the text, then levels.
    text = ("## V14.1 Build and Deploy\n\n| # | Description | L1 | L2 | L3 | CWE |\n"
            "| :---: | :--- | :---: | :---:| :---: | :---: |\n"
            "| **14.1.1** | Verify that builds are repeatable. | | ✓ | ✓ | |\n")
    data = _explain(tmp_path, "v.md", text)
    assert [(c["line"], c["text"], c["form"]) for c in data["checks"]] == [
        (5, "Verify that builds are repeatable.", "table")]


def test_square_button_emoji_are_empty_boxes(tmp_path: Path) -> None:
    # The shape of tests/data/checklists/70: ✅ for done rows, 🔲 (the glyph of
    # :black_square_button:) for the rest, in a column headed ✓.
    text = ("## 12.2 CI/CD & Automation\n\n| ✓ | Item | Tool |\n|---|------|------|\n"
            "| ✅ | Semantic versioning | npm |\n| 🔲 | Dependabot / Renovate | weekly |\n")
    data = _explain(tmp_path, "e.md", text)
    assert [(c["line"], c["text"], c["form"]) for c in data["checks"]] == [
        (5, "Semantic versioning", "table"), (6, "Dependabot / Renovate", "table")]
    ticked = tick(text, {6: Mark(True, "— ✅ 0.1s", "✅")})
    assert ticked.splitlines()[5] == "| ✅ | Dependabot / Renovate | weekly |"


STEPS = """\
# Deploying the site

## Step 1: Verify the build

Check the artefact exists.

```console
$ cat VERSION
1.0
```

## Step 2: Verify and clean

```sh
rm -rf build
```

## 3) Tell the team

- read it once more
"""


def test_numbered_step_headings_are_items_whose_code_block_is_their_command(tmp_path: Path) -> None:
    (tmp_path / "VERSION").write_text("1.0\n")
    data = _explain(tmp_path, "steps.md", STEPS)
    checks = [(c["line"], c["text"], c["form"], c["type"], c["check"]["why"]) for c in data["checks"]]
    assert checks[0] == (3, "Step 1: Verify the build", "step", "command", "would run")
    assert checks[1][:4] == (12, "Step 2: Verify and clean", "step", "manual")
    assert checks[1][4].startswith("manual: `rm` may change something; not run by check")
    assert checks[2][:4] == (18, "3) Tell the team", "step", "manual")
    assert len(checks) == 3  # the commands belong to their steps; "read it once more" is a note
    result = gonogo("check", "-c", "steps.md", "--report", "checklist:ticked.md", cwd=tmp_path)
    ticked = (tmp_path / "ticked.md").read_text(encoding="utf-8")
    assert ticked == STEPS.replace("## Step 1: Verify the build", "## Step 1: Verify the build ✅").replace(
        "## Step 2: Verify and clean", "## Step 2: Verify and clean ⏳").replace(
        "## 3) Tell the team", "## 3) Tell the team ⏳"), result.stdout


def test_plain_bullets_under_a_checklist_heading_are_items(tmp_path: Path) -> None:
    text = ("# Service\n\n## Notes\n\n- written in Go\n\n## Before you deploy\n\n- Changelog updated\n"
            "- Migrations reviewed\n  - nested detail\n\n1. Tell support\n")
    data = _explain(tmp_path, "b.md", text)
    assert [(c["line"], c["text"], c["form"]) for c in data["checks"]] == [
        (9, "Changelog updated", "bullet"), (10, "Migrations reviewed", "bullet"), (13, "Tell support", "bullet")]
    ticked = tick(text, {9: Mark(True, "— ✍ signed off by ana"), 13: Mark(False, "— ⏳ awaiting sign-off")})
    assert ticked == text.replace("- Changelog updated", "- Changelog updated — ✍ signed off by ana").replace(
        "1. Tell support", "1. Tell support — ⏳ awaiting sign-off")


def test_bullets_are_notes_where_the_section_has_boxes() -> None:
    text = "## Verify\n\n- [ ] Tests pass\n- a note\n"
    data = checklist_source(text, "c.md").data
    assert [c["title"] for c in data["phases"][0]["checks"]] == ["Tests pass"]


def test_powershell_and_untagged_command_fences(tmp_path: Path) -> None:
    text = ("## Verify\n\n```powershell\nPS C:\\app> Get-ChildItem\n```\n\n```\ngit status --short\n```\n\n"
            "```\nserver: nginx\nport: 80\n```\n")
    data = _explain(tmp_path, "f.md", text)
    steps = [(c["line"], c["type"], c["reason"]) for c in data["checks"]]
    assert steps == [
        (4, "manual", "a powershell command: gonogo runs POSIX shell commands; run it yourself and sign off"),
        (8, "command", None)]


@pytest.mark.parametrize(
    ("heading", "kind"),
    [("デプロイ前の確認", "preflight"), ("ロールバック手順", "rollback"), ("部署前检查", "preflight"),
     ("回滚方案", "rollback"), ("部署后验证", "post"), ("Antes del despliegue", "preflight"),
     ("Verificación", "verify"), ("Reversão", "rollback"), ("Monitoramento", "watch"),
     ("Avant le déploiement", "preflight"), ("Retour arrière", "rollback"), ("Sauvegarde", "backup"),
     ("Vor dem Deployment", "preflight"), ("Überprüfung", "verify"), ("Überwachung", "watch"),
     ("Перед деплоем", "preflight"), ("Откат", "rollback"), ("Проверка после выпуска", "post"),
     ("배포 전 점검", "preflight"), ("롤백", "rollback"), ("배포 후 확인", "post")],
)
def test_phase_kind_from_headings_in_other_languages(heading: str, kind: str) -> None:
    data = checklist_source(f"# Title\n\n## {heading}\n\n- [ ] something\n", "c.md").data
    assert data["phases"][0]["kind"] == kind


def test_a_heading_no_language_names_never_runs_things(tmp_path: Path) -> None:
    data = _explain(tmp_path, "u.md", "# T\n\n## Zutaten\n\n```bash\ncat VERSION\n```\n\n- [ ] `cat VERSION` works\n")
    assert [(c["line"], c["type"], c["check"]["runs"]) for c in data["checks"]] == [
        (6, "manual", False), (9, "manual", False)]
    assert data["checks"][1]["reason"].startswith("the heading 'Zutaten' names no phase gonogo knows")


def test_a_checklist_table_is_not_a_secrets_inventory() -> None:
    text = "## Verify\n\n| Name | Description | Done |\n|---|---|---|\n| **SOP** | Operations are documented | [ ] |\n"
    data = checklist_source(text, "c.md").data
    assert "secrets" not in data
    assert [c["title"] for c in data["phases"][0]["checks"]] == ["**SOP**"]
