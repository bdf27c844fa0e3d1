"""`gonogo completion SHELL`: the bash code sourced in a real bash, then asked for completions
the way bash's completion asks (COMP_WORDS, COMP_LINE, COMP_POINT), answered by gonogo itself."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from testing.cli import gonogo

BIN = Path(sys.executable).parent


def complete(line: str, cwd: Path) -> list[str]:
    """What bash offers after ``line``, through the function `complete -p gonogo` names."""
    words = shlex.split(line) + ([""] if line.endswith(" ") else [])
    script = f"""
        eval "$(gonogo completion bash)"
        spec=$(complete -p gonogo)
        [[ $spec == *" -F "* ]] || {{ echo "no completion function: $spec" >&2; exit 9; }}
        func=${{spec##*-F }}; func=${{func%% *}}
        COMP_LINE={shlex.quote(line)}; COMP_POINT=${{#COMP_LINE}}; COMP_TYPE=9
        COMP_WORDS=({" ".join(shlex.quote(w) for w in words)}); COMP_CWORD={len(words) - 1}
        "$func" gonogo {shlex.quote(words[-1])} {shlex.quote(words[-2])}
        compgen -W "${{COMPREPLY[*]}}" -- {shlex.quote(words[-1])}
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONOGO_", "_ARGCOMPLETE"))}
    env["PATH"] = f"{BIN}:{env.get('PATH', '/usr/bin:/bin')}"
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_bash_completes_commands_options_and_choices(tmp_path: Path) -> None:
    assert complete("gonogo ch", tmp_path) == ["check"]
    assert sorted(complete("gonogo re", tmp_path)) == ["releases", "report", "restore", "resume"]
    assert complete("gonogo check --skip", tmp_path) == ["--skip-tag"]
    assert complete("gonogo report last --format j", tmp_path) == ["json", "junit"]
    assert complete("gonogo completion ", tmp_path) == ["-h", "--help", "bash", "zsh", "fish"]


@pytest.mark.parametrize("shell,registers", [
    ("zsh", "compdef _python_argcomplete gonogo"),
    ("fish", "complete --command gonogo"),
])
def test_zsh_and_fish_code_registers_gonogo(tmp_path: Path, shell: str, registers: str) -> None:
    done = gonogo("completion", shell, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(f"# gonogo completion for {shell}: ")
    assert registers in done.stdout


def test_an_unknown_shell_is_a_usage_error(tmp_path: Path) -> None:
    done = gonogo("completion", "tcsh", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines()[-1] == ("gonogo completion: error: argument shell: invalid choice: 'tcsh' "
                                            "(choose from 'bash', 'zsh', 'fish')")
