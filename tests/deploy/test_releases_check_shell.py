"""`gonogo releases --check` with the shell driver: `current:` is what it can tell, so a
version changed by hand is a difference (exit 1) and a service without `current:` is
`unknown` — recorded as such, and never agreeing."""

from __future__ import annotations

import json
from pathlib import Path

from testing.cli import gonogo, write
from tests.deploy.test_resume_since import CONFIG


def _project(root: Path, config: str = CONFIG) -> Path:
    write(root / "gonogo.yml", config)
    (root / "live").mkdir()
    first = gonogo("deploy", "--version", "v1", cwd=root)
    assert first.returncode == 0, first.stdout + first.stderr
    return root


def test_check_agrees_then_catches_a_version_changed_by_hand(tmp_path: Path) -> None:
    root = _project(tmp_path)
    agreed = gonogo("releases", "--check", cwd=root)
    assert (agreed.returncode, agreed.stdout) == (0, (
        "production: the journal agrees with the engine for every service "
        "(api v1 running, web v1 running)\n"))

    (root / "live" / "web").write_text("v9\n")
    differs = gonogo("releases", "--check", cwd=root)
    assert (differs.returncode, differs.stdout) == (1, (
        "web: journal says v1 (live), engine runs v9 (live) — `current:` printed v9\n"
        "production: the journal differs from the engine for 1 service (see above)\n"))

    (root / "live" / "web").unlink()
    gone = gonogo("releases", "--check", "--format", "json", cwd=root)
    assert gone.returncode == 1
    assert json.loads(gone.stdout)["differences"] == [
        {"service": "web", "journal": "v1 (live)", "engine": "nothing",
         "detail": "`current:` printed nothing"}]


def test_a_service_the_driver_cannot_observe_is_unknown_and_never_agrees(
        tmp_path: Path) -> None:
    config = CONFIG.replace("    current: 'cat live/web 2>/dev/null || true'\n", "")
    root = _project(tmp_path, config)
    live = json.loads(gonogo("releases", "--format", "json", cwd=root).stdout)["live"]
    assert {s["service"]: (s["version"], s["state"]) for s in live} == {
        "api": ("v1", "live"), "web": ("v1", "unknown")}
    checked = gonogo("releases", "--check", cwd=root)
    assert (checked.returncode, checked.stdout) == (1, (
        "web: journal says v1 (unknown), engine runs unknown (cannot tell) — the shell driver "
        "has no `current:` command to ask\n"
        "production: the journal differs from the engine for 1 service (see above)\n"))
    # gonogo still knows what it deployed there: the next deploy plans from it
    plan = gonogo("deploy", "--version", "v2", "--dry-run", cwd=root)
    assert "  2. web  shell   v1 → v2" in plan.stdout, plan.stdout
