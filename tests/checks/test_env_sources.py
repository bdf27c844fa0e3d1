"""Where settings come from — env files, Docker secret files, a compose service, the
process environment — each value remembering file:line; and bad input as one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.core.errors import ConfigError
from gonogo.envfiles import read_env_file
from gonogo.sources import load_config
from testing.cli import gonogo, write
from testing.project import project

DOTENV = """\
# production settings
export NODE_ENV=production
SINGLE='single # not a comment'
DOUBLE="tab\\tnew\\nline \\"quoted\\""
PLAIN=value # a comment

MULTI="-----BEGIN KEY-----
line two
-----END KEY-----"
EMPTY=
SPACED = spaced value
"""


def test_full_dotenv_syntax_with_lines(tmp_path: Path) -> None:
    values = read_env_file(write(tmp_path / ".env", DOTENV), display=".env")
    seen = {k: (v.value, v.source) for k, v in values.items()}
    assert seen == {
        "NODE_ENV": ("production", ".env:2"),
        "SINGLE": ("single # not a comment", ".env:3"),
        "DOUBLE": ('tab\tnew\nline "quoted"', ".env:4"),
        "PLAIN": ("value", ".env:5"),
        "MULTI": ("-----BEGIN KEY-----\nline two\n-----END KEY-----", ".env:7"),
        "EMPTY": ("", ".env:10"),
        "SPACED": ("spaced value", ".env:11"),
    }
    assert repr(values["MULTI"]) == "EnvValue('MULTI', source='.env:7')"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A=1\n\nsk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
         ".env:3: expected NAME=value, got a line without '='"),
        ("A=1\nB=\"unclosed sk_live_4eC39HqLyjWDarjtT1zdp7dc\nC=3\n",
         ".env:2: cannot parse the value of B (an unclosed quote?)"),
        ("A=1\nmy key=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
         ".env:2: expected NAME=value, the name before '=' is not a valid variable name"),
        ("A=1\n# again\nA=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
         ".env:3: A is set twice (first at line 1)"),
    ],
)
def test_bad_lines_are_located_and_never_quoted(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        read_env_file(write(tmp_path / ".env", text), display=".env")
    assert str(caught.value).split(" (hint:")[0] == message
    assert "sk_live" not in str(caught.value)


def test_secrets_dir_and_compose_and_precedence(tmp_path: Path) -> None:
    project(tmp_path, """
        version: 1
        environments:
          production:
            compose: {file: deploy/docker-compose.yml, service: api}
            vars: {FROM_VARS: vars}
            env_files: [.env.production]
            secrets_dir: secrets
        """)
    write(tmp_path / "deploy" / "docker-compose.yml", """\
services:
  db:
    image: postgres
  api:
    image: team/api
    env_file:
      - api.env
      - {path: optional.env, required: false}
    environment:
      NODE_ENV: production
      DEBUG: false
      PORT: 3000
      SHELL_PASSTHROUGH:
""")
    write(tmp_path / "deploy" / "api.env", "API_ONLY=1\nNODE_ENV=development\nOVERRIDDEN=compose\n")
    write(tmp_path / ".env.production", "OVERRIDDEN=envfile\nJWT_SECRET=from-file\n")
    write(tmp_path / "secrets" / "jwt_secret", "from-secret-file\n")
    write(tmp_path / "secrets" / "Mixed_Name", "kept")
    write(tmp_path / "secrets" / ".hidden", "skipped")
    config = load_config(tmp_path / "gonogo.yml", env="production",
                         process_env={"FROM_PROCESS": "1", "API_ONLY": "process"})
    seen = {k: (v.value, v.source) for k, v in config.environment.values.items()}
    assert seen == {
        "API_ONLY": ("process", "process environment"),
        "NODE_ENV": ("production", "deploy/docker-compose.yml:10"),
        "OVERRIDDEN": ("envfile", ".env.production:1"),
        "DEBUG": ("false", "deploy/docker-compose.yml:11"),
        "PORT": ("3000", "deploy/docker-compose.yml:12"),
        "FROM_VARS": ("vars", f"{tmp_path / 'gonogo.yml'}:5"),
        "JWT_SECRET": ("from-secret-file", "secrets/jwt_secret"),
        "Mixed_Name": ("kept", "secrets/Mixed_Name"),
        "FROM_PROCESS": ("1", "process environment"),
    }
    assert "from-secret-file" in config.environment.redactor.secrets


def test_compose_environment_as_a_list(tmp_path: Path) -> None:
    project(tmp_path, """
        version: 1
        environments:
          production: {compose: {file: compose.yml, service: api}}
        """)
    write(tmp_path / "compose.yml",
          "services:\n  api:\n    environment:\n      - NODE_ENV=production\n      - PASSTHROUGH\n")
    config = load_config(tmp_path / "gonogo.yml", process_env={})
    assert {k: v.source for k, v in config.environment.values.items()} == {
        "NODE_ENV": "compose.yml:4"}


def run_bad(tmp_path: Path, config: str, files: dict[str, str]) -> str:
    project(tmp_path, config)
    for name, text in files.items():
        write(tmp_path / name, text)
    proc = gonogo("check", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    return proc.stderr.strip()


PROD = """
    version: 1
    environments:
      production:
        env_files: [.env.production]
    secrets:
      - {name: JWT_SECRET}
      - name: DB_PASSWORD
      - name: JWT_SECRET
        purpose: declared again
    """


def test_a_secret_declared_twice(tmp_path: Path) -> None:
    assert run_bad(tmp_path, PROD, {".env.production": "A=1\n"}) == (
        "gonogo: error: gonogo.yml:8: secrets[2].name: secret 'JWT_SECRET' is declared twice "
        "(first at line 6) (hint: merge the two entries)")


def test_an_unparsable_env_file_line(tmp_path: Path) -> None:
    config = PROD.replace("  - name: JWT_SECRET\n        purpose: declared again\n", "")
    assert run_bad(tmp_path, config, {".env.production": "A=1\nJWT_SECRET='sk_live_x\n"}) == (
        "gonogo: error: .env.production:2: cannot parse the value of JWT_SECRET (an unclosed "
        "quote?) (hint: quote values with spaces or '#': NAME=\"a value\")")


def test_unreadable_and_missing_files(tmp_path: Path) -> None:
    config = """
        version: 1
        environments:
          production:
            env_files: [.env.production]
        """
    (tmp_path / ".env.production").mkdir()
    assert run_bad(tmp_path, config, {}) == (
        "gonogo: error: gonogo.yml:4: environments.production.env_files[0]: env file "
        "'.env.production' is not a file (hint: create it or remove it from env_files)")
    (tmp_path / ".env.production").rmdir()
    assert run_bad(tmp_path, config, {}).endswith("env file '.env.production' not found "
                                                  "(hint: create it or remove it from env_files)")
    (tmp_path / ".env.production").write_bytes(b"A=1\nB=caf\xff\n")
    assert run_bad(tmp_path, config, {}) == "gonogo: error: .env.production:2: not UTF-8 text (byte 9)"


def test_missing_secrets_dir_and_compose_problems(tmp_path: Path) -> None:
    config = """
        version: 1
        environments:
          production:
            secrets_dir: /nonexistent/run/secrets
        """
    assert run_bad(tmp_path, config, {}) == (
        "gonogo: error: gonogo.yml:4: environments.production.secrets_dir: secrets directory "
        "'/nonexistent/run/secrets' not found (hint: run inside the container that mounts it, "
        "or remove secrets_dir)")
    config = """
        version: 1
        environments:
          production:
            compose: {file: compose.yml, service: web}
        """
    assert run_bad(tmp_path, config, {"compose.yml": "services:\n  api: {image: x}\n"}) == (
        "gonogo: error: compose.yml:1: no service 'web' in the compose file (hint: services: api)")
    assert run_bad(tmp_path, config.replace("compose.yml", "missing.yml"), {}) == (
        "gonogo: error: gonogo.yml:4: environments.production.compose.file: compose file "
        "'missing.yml' not found (hint: compose.file is relative to the config's folder)")


def test_a_config_error_quoting_an_interpolated_secret_is_redacted(tmp_path: Path) -> None:
    config = """
        version: 1
        environments:
          production: {env_files: [.env.production]}
        phases:
          - id: p
            kind: preflight
            checks:
              - {id: h, type: http, url: "${DATABASE_URL}"}
        """
    stderr = run_bad(tmp_path, config, {".env.production": "DATABASE_URL=postgresql://app:Pw9xK2mQ7vL4@db/app\n"})
    assert "Pw9xK2mQ7vL4" not in stderr
    assert "[REDACTED:DATABASE_URL.password]" in stderr
