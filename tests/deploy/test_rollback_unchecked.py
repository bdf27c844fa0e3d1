"""Rough edges of a rollback, as a user reads them afterwards (real subprocesses, SQLite):

* the migration guard of `gonogo rollback` cannot compare anything when the config has no
  `migrations` check — it says so (printed and journaled as a warning), never a silent pass;
* a service the checklist's own rollback step moved to the `:previous` alias of the very
  image gonogo returned it to is recorded under the release's version, not as `previous`.
"""

from __future__ import annotations

import json
from pathlib import Path

from gonogo.deploy.observe import recorded
from gonogo.drivers.base import Observed
from testing.cli import gonogo, write

CONFIG = """\
version: 1
name: shop
environments:
  production: {}
phases:
  - id: pre
    kind: preflight
    checks:
      - {id: ok, title: Tests pass, run: "true"}
services:
  - name: api
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live'
    current: 'cat live 2>/dev/null || true'
    health: {command: 'test -s live', within: 2s, interval: 100ms}
"""


def test_rollback_without_a_migrations_check_warns_that_it_compared_nothing(
        tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", CONFIG)
    assert gonogo("deploy", "--version", "v1", cwd=tmp_path).returncode == 0
    assert gonogo("deploy", "--version", "v2", cwd=tmp_path).returncode == 0
    result = gonogo("rollback", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    warning = ("the database's migrations were not compared with v1: the config has no "
               "`migrations` check (add one so a rollback can tell whether the database is "
               "ahead of v1)")
    assert f"\nwarning: {warning}\n" in result.stdout
    run = json.loads(gonogo("report", "last", "--format", "json", cwd=tmp_path).stdout)
    items = {c["title"]: c for c in run["checks"]}
    item = items["The database is not ahead of the rollback target"]
    assert (item["outcome"], item["evidence"]["summary"]) == ("warned", warning)


def test_the_previous_alias_of_the_release_digest_is_recorded_as_that_release() -> None:
    digest = "sha256:" + "2f" * 32
    seen = Observed(f"reg:5000/team/api:previous@{digest}", "previous", "running", "1 task")
    assert recorded(seen, "v2", f"reg:5000/team/api:v2@{digest}") == (
        "v2", f"reg:5000/team/api:previous@{digest}", "live")
    # another content under the alias is what the engine says it is
    other = Observed(f"reg:5000/team/api:previous@sha256:{'aa' * 32}", "previous", "running", "")
    assert recorded(other, "v2", f"reg:5000/team/api:v2@{digest}")[0] == "previous"
