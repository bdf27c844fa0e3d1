"""`gonogo import CHECKLIST.md -o PATH`: the written config runs from wherever it is written."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from testing.cli import gonogo, write

CHECKLIST = """\
# Release

## Verify

- [ ] Checklist is in the working folder
- [ ] Env file is readable
- [ ] Scripts folder has the deploy script
- [ ] Token is set
"""

SIDECAR = """\
checklist: CHECKLIST.md
environments:
  production:
    env_files: [.env.production]
bind:
  - item: Checklist is in the working folder
    run: test -f CHECKLIST.md
  - item: Env file is readable
    type: file
    path: .env.production
  - item: Scripts folder has the deploy script
    run: test -x deploy.sh
    cwd: scripts
  - item: Token is set
    type: env.required
    names: [DEPLOY_TOKEN]
"""


def outcomes(folder: Path, config: str) -> tuple[int, list[tuple[str, str]]]:
    report = folder / "report.json"
    report.unlink(missing_ok=True)
    result = gonogo("check", "-c", config, "--report", f"json:{report}", cwd=folder)
    checks = json.loads(report.read_text())["checks"]
    return result.returncode, [(c["title"], c["outcome"]) for c in checks]


def test_an_imported_config_written_elsewhere_keeps_its_relative_paths(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs / "CHECKLIST.md", CHECKLIST)
    write(docs / "gonogo.yml", SIDECAR)
    write(docs / ".env.production", "DEPLOY_TOKEN=t0k3n-for-the-test\n")
    write(docs / "scripts" / "deploy.sh", "#!/bin/sh\n").chmod(0o755)
    markdown = outcomes(tmp_path, "docs/CHECKLIST.md")
    assert markdown == (0, [
        ("Checklist is in the working folder", "passed"), ("Env file is readable", "passed"),
        ("Scripts folder has the deploy script", "passed"), ("Token is set", "passed")])

    result = gonogo("import", "docs/CHECKLIST.md", "-o", "other/dir/gonogo.yml", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "wrote other/dir/gonogo.yml\n")
    text = (tmp_path / "other/dir/gonogo.yml").read_text()
    assert text.startswith(
        "# Imported from CHECKLIST.md by `gonogo import`.\n"
        "# Edit this file, or keep running the Markdown (`gonogo check -c ../../docs/CHECKLIST.md`): "
        "both give the same results.\nversion: 1\nname: Release\nroot: ../../docs\n")
    assert "t0k3n" not in text

    result = gonogo("validate", "-c", "other/dir/gonogo.yml", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == ("other/dir/gonogo.yml: ok — 1 phases, 4 checks (4 automated, 0 manual), "
                             "environment production\n")
    assert outcomes(tmp_path, "other/dir/gonogo.yml") == markdown
    assert outcomes(tmp_path / "other" / "dir", "gonogo.yml") == markdown  # from its own folder too
    # history lives where the Markdown's does: one list of runs, whichever file ran
    runs = gonogo("runs", "-c", "other/dir/gonogo.yml", cwd=tmp_path).stdout
    assert len([line for line in runs.splitlines() if " check " in line]) == 3


def test_an_import_beside_the_checklist_needs_no_root(tmp_path: Path) -> None:
    write(tmp_path / "CHECKLIST.md", CHECKLIST)
    write(tmp_path / "gonogo.yml", SIDECAR)
    write(tmp_path / ".env.production", "DEPLOY_TOKEN=t0k3n-for-the-test\n")
    result = gonogo("import", "CHECKLIST.md", "-o", "imported.yml", cwd=tmp_path)
    assert result.returncode == 0
    data = yaml.safe_load((tmp_path / "imported.yml").read_text())
    assert "root" not in data and data["environments"]["production"]["env_files"] == [".env.production"]


def test_a_root_that_is_not_a_folder_is_an_error_at_its_line(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", "version: 1\nroot: ../nowhere\nphases:\n  - id: verify\n"
          "    kind: verify\n    checks:\n      - run: 'true'\n")
    result = gonogo("validate", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, (
        "gonogo: error: gonogo.yml:2: root: '../nowhere' is not a folder "
        "(hint: root is relative to the folder of this file)\n"))


def test_a_sidecar_with_root_runs_there_and_ticks_back_its_checklist(tmp_path: Path) -> None:
    write(tmp_path / "CHECKLIST.md", "# R\n\n## Verify\n\n- [ ] ok\n")
    write(tmp_path / "ops" / "gonogo.yml", "root: ..\nchecklist: ../CHECKLIST.md\nbind:\n"
          "  - item: ok\n    run: test -f CHECKLIST.md\n")
    result = gonogo("check", "-c", "ops/gonogo.yml", "--report", "checklist:ticked.md", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert "\n- [x] ok — ✅ " in (tmp_path / "ticked.md").read_text()
    assert (tmp_path / ".gonogo").is_dir() and not (tmp_path / "ops" / ".gonogo").exists()
