"""Commands that read history (`runs`, `show`, `report`, `releases`, `lock status`, and
`signoff`/`resume` of a run that cannot exist) never create a state store where there was
none: they say there is none — in a folder with no config, beside a config, and against a
`state: postgresql://…` database that holds no tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from testing.postgres import execute, fresh_database

CONFIG = """\
version: 1
name: shop
phases:
  - id: pre
    kind: preflight
    checks:
      - {id: build, run: "true"}
"""


def everything_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def read_only_commands(where: str) -> list[tuple[list[str], int, str, str]]:
    """(argv, exit code, stdout, stderr) a user sees when nothing has run ``where``."""
    nothing = f"no state at {where}"
    no_run = f"gonogo: error: no run {{!r}}: {nothing} (nothing has run here yet)\n"
    return [
        (["runs"], 0, "", f"gonogo: no runs yet ({nothing})\n"),
        (["runs", "--format", "json"], 0, "[]\n", f"gonogo: no runs yet ({nothing})\n"),
        (["show", "last"], 2, "", no_run.format("last")),
        (["report", "last", "--format", "html", "-o", "out.html"], 2, "", no_run.format("last")),
        (["releases"], 0, "", f"gonogo: no releases yet ({nothing})\n"),
        (["releases", "--format", "json"], 0, '{\n  "live": [],\n  "releases": []\n}\n',
         f"gonogo: no releases yet ({nothing})\n"),
        (["lock"], 0, f"no deploy lock is held ({nothing})\n", ""),
        (["signoff", "last", "flows", "--by", "alice"], 2, "", no_run.format("last")),
        (["resume", "last"], 2, "", no_run.format("last")),
    ]


@pytest.mark.parametrize("with_config", [False, True], ids=["empty folder", "beside a config"])
def test_read_only_commands_create_nothing(tmp_path: Path, with_config: bool) -> None:
    if with_config:
        write(tmp_path / "gonogo.yml", CONFIG)
    before = everything_under(tmp_path)
    seen: list[tuple[list[str], int, str, str]] = []
    for argv, *_ in read_only_commands(f"{tmp_path}/.gonogo"):
        result = gonogo(*argv, cwd=tmp_path)
        seen.append((argv, result.returncode, result.stdout, result.stderr))
    assert seen == read_only_commands(f"{tmp_path}/.gonogo")
    assert everything_under(tmp_path) == before


@pytest.mark.postgres
def test_read_only_commands_do_not_create_tables_in_a_postgres_state(tmp_path: Path) -> None:
    with fresh_database("gonogo_state") as url:
        write(tmp_path / "gonogo.yml", CONFIG + f'state: "{url}"\n')
        seen: list[tuple[list[str], int, str, str]] = []
        for argv, *_ in read_only_commands(url):  # a URL without a password shows as it is
            result = gonogo(*argv, cwd=tmp_path)
            seen.append((argv, result.returncode, result.stdout, result.stderr))
        assert seen == read_only_commands(url)
        assert execute(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'") == []
        assert everything_under(tmp_path) == ["gonogo.yml"]

        # once something ran, the same commands read it
        assert gonogo("check", cwd=tmp_path).returncode == 0
        listed = json.loads(gonogo("runs", "--format", "json", cwd=tmp_path).stdout)
        assert [r["verdict"] for r in listed] == ["GO"]
