"""Inputs `bench/fuzz.py` found that ended in "unexpected error" (exit 3) on main: each now
ends with exit 2 and one line naming what is wrong. Run through the real CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from testing.cli import gonogo, write

LONG = "b" * 300  # longer than NAME_MAX (255)
CHECKLIST = "# Deploy\n\n## Pre-Deployment\n\n- [ ] `true` succeeds\n\n```bash\ntrue\n```\n"


@pytest.mark.parametrize(
    ("files", "args", "stderr"),
    [
        # a write helper turns any OSError into a one-line usage error naming the path
        ({}, ["schema", "-o", "/no/such/dir/x.json"],
         "gonogo: error: cannot write /no/such/dir/x.json: No such file or directory\n"),
        ({"dir/x": ""}, ["schema", "-o", "dir"], "gonogo: error: cannot write dir: Is a directory\n"),
        ({"dir/x": ""}, ["schema", "-o", f"dir/{LONG}"],
         f"gonogo: error: cannot write dir/{LONG}: File name too long\n"),
        ({"CHECKLIST.md": CHECKLIST, "dir/x": ""}, ["import", "CHECKLIST.md", "-o", f"dir/{LONG}", "--force"],
         f"gonogo: error: cannot write dir/{LONG}: File name too long\n"),
        # a sidecar whose `checklist:` holds a NUL byte (Path.resolve raised ValueError)
        ({"CHECKLIST.md": "# # ", "gonogo.yml": '{checklist: "h\\0ttp"}\n'}, ["import", "CHECKLIST.md", "-o", "out.yml"],
         "gonogo: error: gonogo.yml:1: checklist: 'h\\x00ttp' not found "
         "(hint: the path is relative to the folder of gonogo.yml)\n"),
        # an env file whose name is longer than NAME_MAX (is_file() raised OSError)
        ({"gonogo.yml": f"version: 1\nenvironments:\n  production:\n    env_files: [{LONG}]\n"},
         ["validate", "-e", "production"],
         f"gonogo: error: gonogo.yml:4: environments.production.env_files[0]: env file '{LONG[:80]}' "
         "cannot be read: File name too long (hint: create it or remove it from env_files)\n"),
        # YAML values their tag cannot hold: PyYAML raises ValueError/AttributeError, not a YAMLError
        ({"gonogo.yml": "version: 1\nname: 2020-13-45\n"}, ["validate"],
         "gonogo: error: gonogo.yml:2: name: invalid timestamp '2020-13-45' (month must be in 1..12)\n"),
        ({"gonogo.yml": "version: 1\nname: !!timestamp 2020x\n"}, ["validate"],
         "gonogo: error: gonogo.yml:2: name: invalid timestamp '2020x'\n"),
        # an empty tagged scalar: PyYAML's !!float/!!int raise IndexError, !!bool KeyError
        ({"CHECKLIST.md": "# T\n\n## Pre-Deployment\n\n- [ ] x <!--gonogo:!!float  -->\n"},
         ["explain", "CHECKLIST.md"],
         "gonogo: error: CHECKLIST.md:5: invalid gonogo annotation: a value its YAML tag cannot hold "
         "(hint: write <!-- gonogo: {type: http, url: https://…, expect: {status: 200}} -->)\n"),
        ({"gonogo.yml": "version: 1\nname: !!bool\n"}, ["validate"],
         "gonogo: error: gonogo.yml:2: name: invalid bool ''\n"),
        # a sidecar whose `checklist:` is longer than a file name may be
        ({"CHECKLIST.md": CHECKLIST, "gonogo.yml": f"checklist: {LONG}\n"}, ["validate", "-c", "CHECKLIST.md"],
         f"gonogo: error: gonogo.yml:1: checklist: {LONG[:80]!r} cannot be read: File name too long\n"),
        ({"CHECKLIST.md": "# T\n\n## Pre-Deployment\n\n- [ ] x <!-- gonogo: {a: !!timestamp 2020-13x} -->\n"},
         ["explain", "CHECKLIST.md"],
         "gonogo: error: CHECKLIST.md:5: invalid gonogo annotation: a value its YAML tag cannot hold "
         "(hint: write <!-- gonogo: {type: http, url: https://…, expect: {status: 200}} -->)\n"),
    ],
)
def test_found_by_fuzzing_is_one_line_and_exit_2(
    tmp_path: Path, files: dict[str, str], args: list[str], stderr: str
) -> None:
    for name, text in files.items():
        write(tmp_path / name, text)
    result = gonogo(*args, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", stderr)
    left = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert left - {".gonogo/state.db"} == set(files)  # nothing half-written


@pytest.mark.parametrize("command", ["runs", "releases"])
@pytest.mark.parametrize(
    ("limit", "problem"),
    [
        ("99999999999999999999", "expected a number from 1 to 100000, got 99999999999999999999"),
        ("-1", "expected a number from 1 to 100000, got -1"),
        ("0", "expected a number from 1 to 100000, got 0"),
        ("9" * 5000, f"expected a whole number, got '{'9' * 20}…'"),
    ],
)
def test_a_limit_out_of_range_is_a_usage_error(tmp_path: Path, command: str, limit: str, problem: str) -> None:
    result = gonogo(command, "-n", limit, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"usage: gonogo {command} ")
    assert result.stderr.splitlines()[-1] == f"gonogo {command}: error: argument --limit/-n: {problem}"


def test_a_limit_in_range_still_lists(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", "version: 1\nphases:\n  - id: p\n    kind: preflight\n"
                                   "    checks:\n      - {id: a, run: 'true'}\n")
    assert gonogo("check", cwd=tmp_path).returncode == 0
    result = gonogo("runs", "-n", "1", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.count('"run_id"') == 1


def test_restore_from_a_loop_of_links_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "loop.dump").symlink_to("loop.dump")
    result = gonogo("restore", "--from", "loop.dump", "--to", "postgresql://127.0.0.1:1/x", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"gonogo: error: --from loop.dump: Symlink loop from '{tmp_path / 'loop.dump'}'\n"


def test_schema_into_a_device_writes_into_it_and_never_replaces_it(tmp_path: Path) -> None:
    result = gonogo("schema", "-o", "/dev/stdout", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("{") and '"title": "gonogo.yml"' in result.stdout


def test_a_report_into_a_device_writes_into_it_and_never_replaces_it(tmp_path: Path) -> None:
    """`--report json:/dev/stdout` (and so /dev/null, as root) must not rename a file over it."""
    write(tmp_path / "gonogo.yml", "version: 1\nphases:\n  - id: pre\n    kind: preflight\n"
                                   "    checks:\n      - {id: ok, run: 'true'}\n")
    result = gonogo("check", "--report", "json:/dev/stdout", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"verdict": "GO"' in result.stdout
    assert Path("/dev/stdout").resolve().is_char_device() or Path("/dev/stdout").exists()
    assert not Path("/dev/stdout.tmp").exists()


def test_restore_cleanup_of_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    result = gonogo("restore", "--to", "postgresql://127.0.0.1:9/app", "--yes", "--cleanup",
                    cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("gonogo: restore --cleanup: cannot connect to ")
    assert result.stderr.endswith("; nothing was dropped\n") and result.stderr.count("\n") == 1


def test_a_report_path_that_is_not_utf8_prints_escaped(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", "version: 1\nphases:\n  - id: pre\n    kind: preflight\n"
                                   "    checks:\n      - {id: ok, run: 'true'}\n")
    assert gonogo("check", cwd=tmp_path).returncode == 0
    name = b"r\xff.html"
    result = gonogo("report", "last", "--format", "html", "-o", os.fsdecode(name), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "html report: r\\udcff.html\n"
    assert (tmp_path.joinpath(os.fsdecode(name))).is_file()
