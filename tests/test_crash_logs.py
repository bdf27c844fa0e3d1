"""Where a crash log goes: the state folder of the project (0700 folder, 0600 file), else
``$XDG_STATE_HOME/gonogo`` (default ``~/.local/state/gonogo``); never a guessable /tmp path.
Still redacted.

An internal error cannot be produced through gonogo's public surface on purpose (each one
found is fixed), so these tests run the real CLI entry point in a real process with one
function replaced by one that raises: the "bug"."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from testing.cli import write
from testing.project import project

JWT = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQtbm90LWZvci15b3U.Zm9vYmFyYmF6cXV4cXV1eA"

BUGGY_GONOGO = """
import os, sys, importlib
from pathlib import Path

module_name, attr, leak_from = sys.argv[1:4]
module = importlib.import_module(module_name)

def bug(*args, **kwargs):
    print(f"pid {os.getpid()}", flush=True)
    leaked = Path(leak_from).read_text().split("=", 1)[1].strip() if leak_from != "-" else "x"
    raise RuntimeError(f"internal bug holding {leaked}")

setattr(module, attr, bug)
from gonogo.cli import main
sys.exit(main(sys.argv[4:]))
"""


def buggy_gonogo(target: str, *args: str, cwd: Path, env: dict[str, str],
                 leak_from: str = "-") -> tuple[subprocess.CompletedProcess[str], int]:
    """``gonogo ARGS`` whose ``target`` (``module:function``) raises; returns its pid too."""
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("GONOGO_", "XDG_"))}
    full_env.update({"NO_COLOR": "1", **env})
    result = subprocess.run([sys.executable, "-c", BUGGY_GONOGO, *target.split(":"), leak_from,
                             *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                            timeout=120)
    match = re.search(r"^pid (\d+)$", result.stdout, re.MULTILINE)
    assert match, result.stdout + result.stderr
    return result, int(match.group(1))


def crash_log_of(result: subprocess.CompletedProcess[str]) -> Path:
    assert result.returncode == 3, result.stdout + result.stderr
    match = re.fullmatch(r"gonogo: unexpected error: RuntimeError: internal bug holding (.*)\n"
                         r"gonogo: a crash log with details is at (\S+) — please attach it to "
                         r"a bug report\n", result.stderr)
    assert match, result.stderr
    return Path(match.group(2))


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def test_a_crash_during_a_run_is_logged_in_that_projects_state_folder(tmp_path: Path) -> None:
    app = tmp_path / "app"
    project(app, """
        version: 1
        environments:
          production: {env_files: [.env.production]}
        phases:
          - id: pre
            kind: preflight
            checks:
              - {id: build, run: "true"}
        """)
    write(app / ".env.production", f"JWT_SECRET={JWT}\n")
    home = tmp_path / "home"
    result, pid = buggy_gonogo("gonogo.gate:print_summary", "check", "-c", "app/gonogo.yml",
                               "--env", "production", cwd=tmp_path,
                               env={"HOME": str(home)}, leak_from="app/.env.production")
    log = crash_log_of(result)
    assert "internal bug holding [REDACTED:JWT_SECRET]\n" in result.stderr
    assert log.parent == app / ".gonogo" / "crash"
    assert re.fullmatch(rf"crash-\d{{8}}-\d{{6}}-{pid}\.log", log.name)
    assert (mode(log.parent), mode(log)) == (oct(0o700), oct(0o600))
    text = log.read_text()
    assert "Traceback (most recent call last):" in text and "[REDACTED:JWT_SECRET]" in text
    assert JWT not in text
    assert not (tmp_path / ".gonogo").exists() and not home.exists()


def test_without_a_state_folder_the_crash_log_goes_to_xdg_state_home(tmp_path: Path) -> None:
    state_home = tmp_path / "state-home"
    result, pid = buggy_gonogo("gonogo.commands.validate:main", "validate", cwd=tmp_path,
                               env={"HOME": str(tmp_path / "home"),
                                    "XDG_STATE_HOME": str(state_home)})
    log = crash_log_of(result)
    assert log.parent == state_home / "gonogo"
    assert (mode(log.parent), mode(log)) == (oct(0o700), oct(0o600))
    assert not (tmp_path / ".gonogo").exists()

    # no $XDG_STATE_HOME (or a relative one, which the spec says to ignore): ~/.local/state
    for xdg in ({}, {"XDG_STATE_HOME": "relative/state"}):
        result, pid = buggy_gonogo("gonogo.commands.validate:main", "validate", cwd=tmp_path,
                                   env={"HOME": str(tmp_path / "home"), **xdg})
        log = crash_log_of(result)
        assert log.parent == tmp_path / "home" / ".local" / "state" / "gonogo"
        assert mode(log) == oct(0o600)
    assert not (tmp_path / "relative").exists()


def test_a_crash_beside_an_existing_state_folder_is_logged_there(tmp_path: Path) -> None:
    (tmp_path / ".gonogo").mkdir()
    result, _ = buggy_gonogo("gonogo.commands.validate:main", "validate", cwd=tmp_path,
                             env={"HOME": str(tmp_path / "home")})
    assert crash_log_of(result).parent == tmp_path / ".gonogo" / "crash"


def test_when_no_folder_can_hold_it_there_is_no_crash_log_and_nothing_in_tmp(
    tmp_path: Path,
) -> None:
    blocker = write(tmp_path / "not-a-folder", "")
    result, pid = buggy_gonogo("gonogo.commands.validate:main", "validate", cwd=tmp_path,
                               env={"HOME": str(blocker), "XDG_STATE_HOME": str(blocker),
                                    "XDG_CACHE_HOME": str(blocker)})
    assert result.returncode == 3
    assert result.stderr == (
        "gonogo: unexpected error: RuntimeError: internal bug holding x\n"
        f"gonogo: no crash log could be written ({blocker}/gonogo: Not a directory); "
        "set GONOGO_CRASH_DIR to a writable folder and run again for one\n")
    assert not Path(f"/tmp/gonogo-crash-{pid}.log").exists()
