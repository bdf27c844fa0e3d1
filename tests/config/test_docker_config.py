"""`docker_host:` and `registry:` in the config: bad values are one-line config errors
(exit 2, file:line), and a password is only ever a variable's name."""

from __future__ import annotations

from pathlib import Path

from testing.cli import gonogo, write

BASE = """\
version: 1
{top}environments:
  production:
{env}phases:
  - id: p
    kind: preflight
    checks:
      - {{id: ok, run: "true"}}
"""


def validate(tmp_path: Path, top: str = "", env: str = "    {}\n") -> tuple[int, str]:
    write(tmp_path / "gonogo.yml", BASE.format(top=top, env=env))
    result = gonogo("validate", cwd=tmp_path)
    return result.returncode, result.stdout + result.stderr


def test_a_docker_host_must_be_ssh_tcp_or_unix(tmp_path: Path) -> None:
    code, out = validate(tmp_path, env="    docker_host: deploy@vps\n")
    assert code == 2, out
    assert "gonogo.yml:4: environments.production.docker_host: " in out
    assert "expected ssh://user@host[:port], tcp://host:port or unix:///path, got " \
           "'deploy@vps'" in out


def test_an_ssh_docker_host_validates(tmp_path: Path) -> None:
    code, out = validate(tmp_path, env="    docker_host: ssh://deploy@127.0.0.1:2222\n")
    assert code == 0, out


def test_a_registry_password_is_a_variable_name_never_a_literal(tmp_path: Path) -> None:
    code, out = validate(tmp_path, top="registry: {server: r.example.com, username: ci, "
                                       "password: hunter2hunter2}\n")
    assert code == 2, out
    assert ("gonogo.yml:2: registry.password: expected the name of the variable that holds "
            "it, like [REGISTRY_PASSWORD] (a password is never written in the config)") in out
    assert "hunter2hunter2" not in out
