"""Parsing and binding a Markdown checklist: what `explain` and a run see."""

from __future__ import annotations

import pytest

from gonogo.core.errors import ConfigError
from gonogo.markdown import checklist_source
from gonogo.markdown.bind import compile_document
from gonogo.markdown.parse import parse
from gonogo.markdown.shell import commands_of_block, destructive, nonterminating
from gonogo.plugins import check_types


def checks(text: str, **variables: str) -> dict[str, dict[str, object]]:
    data = checklist_source(text, "c.md", variables=variables).data
    return {c["title"]: c for p in data["phases"] for c in p["checks"]}


def test_items_keep_their_lines_and_headings_become_phases() -> None:
    text = "# Release\n\n## Pre-Deployment\n\n- [ ] Tests pass\n- [x] Changelog written\n\n## Rollback\n\n- [ ] Revert\n"
    data = checklist_source(text, "c.md").data
    assert [(p["id"], p["kind"]) for p in data["phases"]] == [("pre-deployment", "preflight"), ("rollback", "rollback")]
    located = checklist_source(text, "c.md")
    assert located.line_of(("phases", 0, "checks", 1)) == 6
    assert data["name"] == "Release"


@pytest.mark.parametrize(
    ("heading", "kind"),
    [("Pre-Deployment Verification", "preflight"), ("Code Quality Gates", "preflight"),
     ("Create Backup", "backup"), ("Deploy Services", "deploy"), ("Verify Deployment", "verify"),
     ("Monitor", "watch"), ("Post-Deployment", "post"), ("Document", "post"), ("Rollback Plan", "rollback"),
     ("Pre-Deployment Verification\n\n### Environment Variables", "preflight")],
)
def test_phase_kind_from_heading_words(heading: str, kind: str) -> None:
    data = checklist_source(f"# Title\n\n## {heading}\n\n- [ ] something\n", "c.md").data
    assert data["phases"][0]["kind"] == kind


def test_phase_annotation_overrides_the_heading() -> None:
    text = "## Deploy\n<!-- gonogo-phase: {kind: verify} -->\n\n- [ ] it works\n"
    assert checklist_source(text, "c.md").data["phases"][0]["kind"] == "verify"


def test_bad_phase_annotation_is_a_located_error() -> None:
    with pytest.raises(ConfigError) as err:
        checklist_source("## Deploy\n<!-- gonogo-phase: {kind: later} -->\n\n- [ ] x\n", "c.md")
    assert str(err.value) == (
        "c.md:2: gonogo-phase: expected kind to be one of preflight, backup, deploy, verify, "
        "watch, post, rollback, got 'later'"
    )


def test_inline_annotation_binds_the_item() -> None:
    text = "## Verify\n\n- [ ] API up <!-- gonogo: {type: http, url: 'http://127.0.0.1:1/h', expect: {status: 204}} -->\n"
    check = checks(text)["API up"]
    assert check["type"] == "http" and check["url"] == "http://127.0.0.1:1/h"
    assert check["expect"] == {"status": 204}


def test_malformed_annotation_is_one_line_error() -> None:
    with pytest.raises(ConfigError) as err:
        checklist_source("## A\n\n- [ ] x <!-- gonogo: [1, 2 -->\n", "c.md")
    assert str(err.value).startswith("c.md:3: invalid gonogo annotation:")


def test_no_items_and_no_code_is_an_error() -> None:
    with pytest.raises(ConfigError) as err:
        checklist_source("# Just prose\n\nNothing to run.\n", "c.md")
    assert str(err.value) == (
        "c.md:1: no checklist items (`- [ ] …`) and no shell code blocks found "
        "(hint: gonogo runs task-list items and ```bash blocks; see `gonogo explain`)"
    )


def test_shell_blocks_prompts_comments_continuations_and_cd() -> None:
    content = "# comment\n$ cd apps/api\n$ npx prisma \\\n  migrate status  # why\n"
    commands = commands_of_block(content, 10)
    assert [(c.line, c.text, c.cwd) for c in commands] == [(12, "npx prisma migrate status", "apps/api")]


def test_console_blocks_skip_output_lines() -> None:
    commands = commands_of_block("$ pnpm test\nPASS  all good\n$ echo ok\n", 5, console=True)
    assert [c.text for c in commands] == ["pnpm test", "echo ok"]


def test_hash_lines_in_fences_are_not_headings() -> None:
    doc = parse("## Build\n\n```bash\n# Not a heading\nmake\n```\n\n- [ ] make succeeds\n", "c.md")
    assert [s.title for s in doc.sections if s.title] == ["Build"]


@pytest.mark.parametrize(
    ("command", "why"),
    [("docker-compose -f x.yml up", "docker-compose up without -d"), ("tail -f /var/log/app.log", "tail -f"),
     ("watch kubectl get pods", "watch"), ("docker logs -f api", "logs -f"), ("docker compose up -d", None),
     ("pnpm install", None)],
)
def test_commands_that_never_end(command: str, why: str | None) -> None:
    assert nonterminating(command) == why


@pytest.mark.parametrize(
    ("command", "what"),
    [("rm -rf dist", "rm -rf"), ("psql -c 'DROP TABLE users'", "DROP"),
     ("docker service update --image a:b svc", "docker service update"), ("pg_restore -d x f.dump", "pg_restore"),
     ("ls -la", None)],
)
def test_destructive_commands(command: str, what: str | None) -> None:
    assert destructive(command) == what


def test_destructive_command_in_preflight_is_refused_and_an_allow_comment_runs_it() -> None:
    text = "## Pre-deployment\n\n```bash\nrm -rf dist\nrm -rf build  # gonogo: allow\n```\n"
    found = checks(text)
    assert found["rm -rf dist"]["type"] == "manual"
    assert found["rm -rf dist"]["reason"] == (
        "`rm` may change something; not run by check — annotate with <!-- gonogo: {run: …} --> "
        "or `# gonogo: allow` to run it")
    assert found["rm -rf build"]["type"] == "command"


def test_nonterminating_step_is_reported_not_run() -> None:
    found = checks("## Pre-deployment checks\n\n```sh\ndocker-compose -f p.yml up\n```\n")
    step = found["docker-compose -f p.yml up"]
    assert step["type"] == "manual" and step["advisory"] is True
    assert str(step["reason"]).startswith("does not end by itself (docker-compose up without -d)")


def test_shell_variables_stay_for_the_shell() -> None:
    found = checks("## Pre-deployment checks\n\n```bash\necho ${HOME}\n```\n")
    assert found["echo ${HOME}"]["run"] == "echo $${HOME}"


REFERENCE_LIKE = """# Checklist

## Pre-Deployment

### Quality

```bash
pnpm install
pnpm --filter api build
pnpm --filter web build
pnpm --filter web lint
```

- [ ] `pnpm install` succeeds
- [ ] API build passes
- [ ] Lint passes (no errors)

### Environment

- [ ] `ALLOWED_ORIGINS` includes production domain
- [ ] `DATABASE_URL` points to production DB

## Verify Deployment

```bash
curl -s https://api.example.org/health | jq
curl -s https://example.org
```

- [ ] API `/health` returns 200
- [ ] Web homepage loads
"""


def test_items_bind_to_the_commands_of_their_section() -> None:
    found = checks(REFERENCE_LIKE)
    assert found["`pnpm install` succeeds"]["run"] == "pnpm install"
    assert found["API build passes"]["run"] == "pnpm --filter api build"
    assert found["Lint passes (no errors)"]["run"] == "pnpm --filter web lint"
    # the web build is nobody's item: it stays a command step of its own
    assert found["pnpm --filter web build"]["type"] == "command"


def test_http_items_come_from_the_curl_lines() -> None:
    found = checks(REFERENCE_LIKE)
    assert found["API `/health` returns 200"]["url"] == "https://api.example.org/health"
    assert found["Web homepage loads"]["url"] == "https://example.org"
    assert "curl -s https://example.org" not in found  # the http check replaces the curl step


def test_sidecar_values_rewrite_urls_and_fill_needs() -> None:
    found = checks(REFERENCE_LIKE, api_url="http://127.0.0.1:9", domain="example.org", db_host="db.internal")
    assert found["API `/health` returns 200"]["url"] == "${api_url}/health"
    assert found["`ALLOWED_ORIGINS` includes production domain"]["contains"] == ["https://${domain}"]
    assert found["`DATABASE_URL` points to production DB"]["hosts"] == ["${db_host}"]


def test_missing_values_bind_manual_with_what_is_needed() -> None:
    found = checks(REFERENCE_LIKE)
    assert found["`ALLOWED_ORIGINS` includes production domain"]["type"] == "manual"
    assert found["`ALLOWED_ORIGINS` includes production domain"]["reason"] == "needs: domain"


def test_unavailable_check_type_is_said_plainly() -> None:
    doc = parse("## Monitor\n\n- [ ] Notify team of deployment\n", "c.md")
    compiled = compile_document(doc, variables={"notify_url": "json://x"}, types={"manual": object})
    assert compiled.bindings[0].reason == "needs check type notify (not available in this version)"


def test_tables_become_secrets_and_contacts() -> None:
    text = ("- [ ] x\n\n| Role | Contact |\n|---|---|\n| DBA | @dana |\n\n"
            "| Secret | Location | Purpose |\n|---|---|---|\n| `JWT_SECRET` | VPS `.env` | signing |\n")
    located = checklist_source(text, "c.md")
    assert located.data["contacts"] == [{"role": "DBA", "contact": "@dana"}]
    assert located.data["secrets"] == [{"name": "JWT_SECRET", "location": "VPS `.env`", "purpose": "signing"}]
    assert located.line_of(("secrets", 0)) == 9


def test_registered_types_are_only_used_when_present() -> None:
    assert "manual" in check_types()
