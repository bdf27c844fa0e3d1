"""`health.failures`: a release the platform reports up but whose probe keeps failing (503
under load) fails its gate after that many probes in a row and is rolled back at once,
instead of serving errors until `within` runs out."""

from __future__ import annotations

from pathlib import Path

from testing.cli import gonogo, write
from testing.http_server import Route, serve

CONFIG = """\
version: 1
name: shop
environments:
  production: {{}}
services:
  - name: api
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live'
    rollback: 'echo "$GONOGO_VERSION" > live'
    current: 'cat live 2>/dev/null || true'
    health: {{url: "{url}/health", within: 10m, interval: 50ms{failures}}}
"""


def test_a_release_answering_503_fails_its_gate_after_the_probes_in_a_row(tmp_path: Path) -> None:
    live = tmp_path / "live"

    def health(method: str, path: str, body: bytes, headers: dict[str, str]) -> Route:
        """v2 answers 503 (its pool is exhausted); v1 answers 200."""
        return Route(503, "pool exhausted") if live.read_text() == "v2\n" else Route(200, "ok")

    with serve({"/health": health}) as server:
        write(tmp_path / "gonogo.yml", CONFIG.format(url=server.url, failures=", failures: 3"))
        first = gonogo("deploy", "--env", "production", "--version", "v1", "--yes", cwd=tmp_path)
        assert first.returncode == 0, first.stdout + first.stderr
        second = gonogo("deploy", "--env", "production", "--version", "v2", "--yes", cwd=tmp_path)
    assert second.returncode == 5, second.stdout + second.stderr
    assert "api is not healthy on v2: 3 probes in a row failed: HTTP 503, expected 200" in second.stdout
    assert live.read_text() == "v1\n"
    assert "✓ api healthy again on v1" in second.stdout


def test_failures_must_be_at_least_one(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", CONFIG.format(url="http://127.0.0.1:9", failures=", failures: 0"))
    result = gonogo("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert "services[0].health.failures" in result.stderr
