"""Any text yields a model or a one-line ConfigError, never another exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonogo.core.errors import ConfigError
from gonogo.markdown import checklist_source
from gonogo.markdown.tickback import Mark, tick

FRAGMENTS = st.sampled_from([
    "# ", "## Deploy", "### Verify Deployment", "- [ ] ", "- [x] ", "* [X] ", "1. [ ] ", "  - [ ] ",
    "```bash\n", "```\n", "$ ", "\\\n", "cd x\n", "curl https://a.b/health\n", "<!-- gonogo: {type: http} -->",
    "<!-- gonogo-phase: {kind: verify} -->", "<!-- gonogo: [", "| Secret | Location |\n|---|---|\n| `A_B` | x |\n",
    "---\ntitle: x\n---\n", "\r\n", "\n", "\ufeff", "`JWT_SECRET` is strong (32+ characters)", "API `/health` returns 200",
    "rm -rf /", "docker-compose up", "> ", "<div>", "${x}", "😀", "\t", "Deploy in order:\n1. **API**\n",
])
TEXT = st.one_of(st.text(), st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_any_text_gives_a_model_or_a_one_line_error(text: str) -> None:
    try:
        located = checklist_source(text, "c.md")
    except ConfigError as exc:
        assert "\n" not in str(exc)
        return
    assert located.data["phases"]
    tick(text, {line: Mark(True, "— ✅ 0.1s") for line in located.lines.values()})
