"""Every config error is one line: file:line, the path to the bad value, expected vs found, a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.core.errors import ConfigError
from gonogo.sources import load_config
from testing.cli import write

ONE_CHECK = """\
version: 1
phases:
  - id: p
    kind: preflight
    checks:
      - id: a
{}
"""


def error_of(tmp_path: Path, text: str, **kwargs: str) -> str:
    write(tmp_path / "gonogo.yml", text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "gonogo.yml", process_env={}, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    prefix = f"{tmp_path}/"
    assert message.startswith(prefix)
    return message[len(prefix):]


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        (
            "        run: 'true'\n        timeout: soon",
            "gonogo.yml:8: phases[0].checks[0].timeout: expected a duration like 30s or 5m, got 'soon'",
        ),
        (
            "        run: 'true'\n        retry: {interval: often}",
            "gonogo.yml:8: phases[0].checks[0].retry.interval: "
            "expected a duration like 30s or 5m, got 'often'",
        ),
        (
            "        run: 'true'\n        timeot: 1s",
            "gonogo.yml:8: phases[0].checks[0].timeot: unknown key 'timeot' "
            "(hint: did you mean 'timeout'?)",
        ),
        (
            "        run: 'true'\n        jobs: 3",
            "gonogo.yml:8: phases[0].checks[0].jobs: unknown key 'jobs' (hint: allowed keys: "
            "advisory, cwd, env, exit_codes, id, needs, retry, run, shell, stderr_contains, "
            "stderr_matches, stdout_contains, stdout_matches, timeout, title, type)",
        ),
        (
            "        type: htp\n        url: http://x",
            "gonogo.yml:7: phases[0].checks[0].type: unknown check type 'htp' "
            "(hint: did you mean 'http'? known types: ",
        ),
        (
            "        title: no type",
            "gonogo.yml:6: phases[0].checks[0]: missing 'type' "
            "(hint: add `type: http|command|file|tcp|manual|…`, or `run:` for a command)",
        ),
        (
            "        type: tcp",
            "gonogo.yml:6: phases[0].checks[0]: missing required key 'port'",
        ),
        (
            "        type: tcp\n        port: 70000",
            "gonogo.yml:8: phases[0].checks[0].port: expected at most 65535, got 70000",
        ),
        (
            "        run: 5",
            "gonogo.yml:7: phases[0].checks[0].run: expected a string or a list, got 5",
        ),
        (
            "        run: [ls, 1]",
            "gonogo.yml:7: phases[0].checks[0].run[1]: expected a string, got 1",
        ),
        (
            "        run: []",
            "gonogo.yml:7: phases[0].checks[0].run: expected at least 1 item, got an empty list",
        ),
        (
            "        run: 'true'\n        needs: a-string",
            "gonogo.yml:8: phases[0].checks[0].needs: expected a list, got 'a-string'",
        ),
        (
            "        type: http\n        url: ftp://example.com",
            "gonogo.yml:8: phases[0].checks[0].url: expected an http:// or https:// URL, "
            "got 'ftp://example.com'",
        ),
        (
            "        type: http\n        url: http://x\n        expect: {status: ok}",
            "gonogo.yml:9: phases[0].checks[0].expect.status: expected an integer or a list, got 'ok'",
        ),
        (
            "        type: http\n        url: http://x\n        expect: {jsno: {a: 1}}",
            "gonogo.yml:9: phases[0].checks[0].expect.jsno: unknown key 'jsno' "
            "(hint: did you mean 'json'?)",
        ),
        (
            "        run: 'true'\n        stdout_matches: '('",
            "gonogo.yml:8: phases[0].checks[0].stdout_matches: expected a regular expression, "
            "got '(' (missing ), unterminated subpattern at position 0)",
        ),
        (
            "        type: file\n        path: x\n        mode: '999'",
            "gonogo.yml:9: phases[0].checks[0].mode: expected an octal mode like '0600', got '999'",
        ),
        (
            "        run: 'echo ${UNSET_VAR}'",
            "gonogo.yml:7: phases[0].checks[0].run: undefined variable ${UNSET_VAR} "
            "(hint: set it in environments.<env>.vars, an env file or the process environment)",
        ),
        (
            "        run: 'true'\n        id: -bad",
            "gonogo.yml:8: phases[0].checks[0].id: duplicate key 'id' "
            "(hint: each key may appear once per mapping)",
        ),
    ],
)
def test_check_errors(tmp_path: Path, check: str, expected: str) -> None:
    assert error_of(tmp_path, ONE_CHECK.format(check)).startswith(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 2\n", "gonogo.yml:1: version: expected 1, got 2"),
        ("verison: 1\n", "gonogo.yml:1: verison: unknown key 'verison' (hint: did you mean 'version'?)"),
        ("phases: 3\n", "gonogo.yml:1: phases: expected a list, got 3"),
        ("- a\n- b\n", "gonogo.yml:1: expected a mapping of top-level keys (version, name, phases, …), "
                       "got a list"),
        ("name: a\nname: b\n", "gonogo.yml:2: name: duplicate key 'name' "
                               "(hint: each key may appear once per mapping)"),
        ("phases:\n  - id: p\n    kind: preflite\n",
         "gonogo.yml:3: phases[0].kind: expected 'preflight', 'backup', 'deploy', 'verify', 'watch', "
         "'post' or 'rollback', got 'preflite'"),
        ("phases:\n  - {id: p, kind: preflight}\n  - {id: p, kind: verify}\n",
         "gonogo.yml:3: phases[1].id: duplicate phase id 'p' (hint: phase ids must be unique)"),
        ("phases:\n  - id: p\n    kind: preflight\n    checks:\n      - {id: a, run: x}\n      - {id: a, run: y}\n",
         "gonogo.yml:6: phases[0].checks[1].id: duplicate check id 'a' (hint: give each check a unique id)"),
        ("defaults: {jobs: 0}\n", "gonogo.yml:1: defaults.jobs: expected at least 1, got 0"),
        ("environments: {a: 1}\n", "gonogo.yml:1: environments.a: expected a mapping, got 1"),
        ("environments:\n  prod:\n    vars: {x: [1]}\n",
         "gonogo.yml:3: environments.prod.vars.x: expected a string or an integer or a number or "
         "true or false, got a list"),
        ("services: [{name: api, driver: k8s}]\n",
         "gonogo.yml:1: services[0].driver: expected 'compose', 'swarm' or 'shell', got 'k8s'"),
    ],
)
def test_top_level_errors(tmp_path: Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, text) == expected


NEEDS = """\
phases:
  - id: first
    kind: preflight
    checks:
      - {id: build, run: 'true'}
      - {id: a, run: 'true', needs: [b]}
      - {id: b, run: 'true', needs: [c]}
      - {id: c, run: 'true', needs: [a]}
"""


def test_a_needs_cycle_is_named_in_order(tmp_path: Path) -> None:
    assert error_of(tmp_path, NEEDS) == (
        "gonogo.yml:6: phases[0].checks[1].needs: needs form a cycle: a -> b -> c -> a "
        "(hint: remove one of these needs)"
    )


def test_an_unknown_need_suggests_the_closest_id(tmp_path: Path) -> None:
    text = NEEDS.replace("needs: [b]", "needs: [biuld]").replace("needs: [a]", "needs: []")
    assert error_of(tmp_path, text) == (
        "gonogo.yml:6: phases[0].checks[1].needs[0]: unknown check id 'biuld' "
        "(hint: did you mean 'build'?)"
    )


def test_needs_may_not_point_at_a_later_phase(tmp_path: Path) -> None:
    text = (
        "phases:\n"
        "  - {id: one, kind: preflight, checks: [{id: early, run: 'true', needs: [late]}]}\n"
        "  - {id: two, kind: verify, checks: [{id: late, run: 'true'}]}\n"
    )
    assert error_of(tmp_path, text) == (
        "gonogo.yml:2: phases[0].checks[0].needs[0]: 'late' runs in a later phase than 'early' "
        "(hint: needs may name checks in the same or an earlier phase)"
    )


def test_a_missing_env_file_names_the_line_that_lists_it(tmp_path: Path) -> None:
    text = "environments:\n  production:\n    env_files:\n      - .env.production\n"
    assert error_of(tmp_path, text, env="production") == (
        "gonogo.yml:4: environments.production.env_files[0]: env file '.env.production' not found "
        "(hint: create it or remove it from env_files)"
    )


def test_a_bad_line_in_an_env_file_names_that_file_and_line(tmp_path: Path) -> None:
    write(tmp_path / ".env", "GOOD=1\nthis is not an assignment\n")
    text = "environments:\n  production:\n    env_files: [.env]\n"
    write(tmp_path / "gonogo.yml", text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "gonogo.yml", process_env={})
    # the offending line is not echoed: it may hold a secret
    assert str(info.value).startswith(".env:2: expected NAME=value, got ")
    assert "assignment" not in str(info.value)


def test_an_unknown_environment_lists_the_declared_ones(tmp_path: Path) -> None:
    text = "environments:\n  staging: {}\n  production: {}\n"
    assert error_of(tmp_path, text, env="prod") == (
        "gonogo.yml:1: unknown environment 'prod' (hint: declared environments: staging, production)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\nphases:\n  - id: p\n    kind: preflight\n    checks:\n      - run: [unclosed\n",
         "gonogo.yml:6: invalid YAML: expected ',' or ']', but got '<stream end>'"),
        ("name: a\n\tb: c\n", "gonogo.yml:2: invalid YAML: found character '\\t' that cannot start any token"),
        ("name: ok\nbad: \x00\n", "gonogo.yml:2: invalid YAML: unacceptable character #x0000: "
                                  "special characters are not allowed"),
        ("a: &a [*a]\n", "gonogo.yml:1: a[0]: an alias refers to a value that contains it"),
        ("<<: 1\n", "gonogo.yml:1: invalid YAML: expected a mapping or list of mappings for merging, "
                    "but found scalar"),
        ("[" * 5000 + "]" * 5000, "gonogo.yml: invalid YAML: nested too deeply"),
        ("a: !!python/object:os.system x\n", "gonogo.yml:1: a: unsupported YAML value: could not "
         "determine a constructor for the tag 'tag:yaml.org,2002:python/object:os.system'"),
        ("--- a\n--- b\n", "gonogo.yml:2: invalid YAML: but found another document"),
    ],
)
def test_malformed_yaml(tmp_path: Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, text) == expected


def test_an_alias_bomb_is_refused_not_expanded(tmp_path: Path) -> None:
    lines = ["a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    message = error_of(tmp_path, "\n".join(lines) + "\n")
    assert message == "gonogo.yml:1: more than 100000 values (do aliases expand without end?)"


def test_unreadable_sources(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^nothere\.yml: file not found$"):
        load_config("nothere.yml")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a directory, expected a file"
    (tmp_path / "bad.yml").write_bytes(b"name: \xff\xfe\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "bad.yml")
    assert str(info.value) == f"{tmp_path}/bad.yml: not UTF-8 text (byte 6)"


# ---- durations: a unit, more than 0, at most a week -------------------------------------


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        ("        run: 'true'\n        timeout: 0",
         "gonogo.yml:8: phases[0].checks[0].timeout: expected a duration of more than 0, got 0"),
        ("        run: 'true'\n        timeout: 0s",
         "gonogo.yml:8: phases[0].checks[0].timeout: expected a duration of more than 0, got '0s'"),
        ("        run: 'true'\n        timeout: -5s",
         "gonogo.yml:8: phases[0].checks[0].timeout: expected a duration of more than 0, got '-5s'"),
        ("        run: 'true'\n        timeout: -5",
         "gonogo.yml:8: phases[0].checks[0].timeout: expected a duration of more than 0, got -5"),
        ("        run: 'true'\n        timeout: 8d",
         "gonogo.yml:8: phases[0].checks[0].timeout: expected a duration of at most 7d, got '8d'"),
        ("        run: 'true'\n        retry: {within: 5}",
         "gonogo.yml:8: phases[0].checks[0].retry.within: expected a duration like 30s or 5m, "
         "got 5 (hint: a bare number has no unit: write 5s or 5m)"),
        ("        run: 'true'\n        retry: {interval: '1.5'}",
         "gonogo.yml:8: phases[0].checks[0].retry.interval: expected a duration like 30s or 5m, "
         "got '1.5' (hint: a bare number has no unit: write 1.5s or 1.5m)"),
        ("        type: http\n        url: http://x\n        expect: {max_latency: 0ms}",
         "gonogo.yml:9: phases[0].checks[0].expect.max_latency: expected a duration of more "
         "than 0, got '0ms'"),
    ],
)
def test_duration_errors(tmp_path: Path, check: str, expected: str) -> None:
    assert error_of(tmp_path, ONE_CHECK.format(check)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("defaults: {timeout: 0}\n",
         "gonogo.yml:1: defaults.timeout: expected a duration of more than 0, got 0"),
        ("phases:\n  - {id: w, kind: watch, duration: 30, checks: []}\n",
         "gonogo.yml:2: phases[0].duration: expected a duration like 30s or 5m, got 30 "
         "(hint: a bare number has no unit: write 30s or 30m)"),
        ("services:\n  - {name: api, driver: shell, deploy: 'true', health: {within: 30d}}\n",
         "gonogo.yml:2: services[0].health.within: expected a duration of at most 7d, got '30d'"),
        ("secrets:\n  - {name: JWT_SECRET, max_age: 0d}\n",
         "gonogo.yml:2: secrets[0].max_age: expected a duration of more than 0, got '0d'"),
    ],
)
def test_top_level_duration_errors(tmp_path: Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, text) == expected


def test_a_secret_may_age_for_months(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", "secrets:\n  - {name: JWT_SECRET, max_age: 90d}\n")
    assert load_config(tmp_path / "gonogo.yml", process_env={}).model.secrets[0].max_age == 90 * 86400


# ---- URLs are parsed when the config loads ----------------------------------------------

HTTP_URL = "expected an http:// or https:// URL, got "


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        ("        type: http\n        url: http//x",
         f"gonogo.yml:8: phases[0].checks[0].url: {HTTP_URL}'http//x' (has no scheme://)"),
        ("        type: http\n        url: 'http://[::1'",
         f"gonogo.yml:8: phases[0].checks[0].url: {HTTP_URL}'http://[::1' "
         "(has an unclosed [ in its host)"),
        ("        type: http\n        url: ftp://x",
         f"gonogo.yml:8: phases[0].checks[0].url: {HTTP_URL}'ftp://x' (has scheme 'ftp')"),
        ("        type: http\n        url: 'http:///health'",
         f"gonogo.yml:8: phases[0].checks[0].url: {HTTP_URL}'http:///health' (has no host)"),
        ("        type: http\n        url: 'http:/x'",
         f"gonogo.yml:8: phases[0].checks[0].url: {HTTP_URL}'http:/x' (has no // after the scheme)"),
        ("        type: http\n        url: 'http://x:99999/'",
         f"gonogo.yml:8: phases[0].checks[0].url: {HTTP_URL}'http://x:99999/' "
         "(has a port out of range 0-65535)"),
        ("        type: http\n        url: 'http://user:hunter2@/'",
         f"gonogo.yml:8: phases[0].checks[0].url: {HTTP_URL}'http://user:***@/' (has no host)"),
        ("        type: http.latency\n        url: 'http//x'\n        p95: 300ms",
         f"gonogo.yml:8: phases[0].checks[0].url: {HTTP_URL}'http//x' (has no scheme://)"),
        ("        type: prometheus\n        url: 'localhost:9090'\n        query: up\n        max: 1",
         f"gonogo.yml:8: phases[0].checks[0].url: {HTTP_URL}'localhost:9090' (has no scheme://)"),
        ("        type: alerts\n        url: 'http://'",
         f"gonogo.yml:8: phases[0].checks[0].url: {HTTP_URL}'http://' (has no host)"),
        ("        type: http.flow\n        steps:\n          - request: {url: 'http//x/login'}",
         f"gonogo.yml:9: phases[0].checks[0].steps[0].request.url: {HTTP_URL}'http//x/login' "
         "(has no scheme://)"),
        ("        type: notify\n        urls: ['slack//T000/B000/XXXX']",
         "gonogo.yml:8: phases[0].checks[0].urls[0]: expected a URL like json://host/path, "
         "got a value that has no scheme://"),
        ("        type: postgres.query\n        database_url: 'mysql://u:pw@db/app'\n        sql: select 1",
         "gonogo.yml:8: phases[0].checks[0].database_url: expected a postgres:// or "
         "postgresql:// URL, got a value that has scheme 'mysql'"),
        ("        type: migrations\n        tool: prisma\n        database_url: 'postgresql://u:pw@db:5432x/app'",
         "gonogo.yml:9: phases[0].checks[0].database_url: expected a postgres:// or "
         "postgresql:// URL, got a value that has an invalid port"),
        ("        type: registry.tag\n        tag: v1\n        registry: 'http://localhost:5000'",
         "gonogo.yml:9: phases[0].checks[0].registry: expected a registry host like "
         "registry.example.com:5000, got 'http://localhost:5000'"),
    ],
)
def test_url_errors(tmp_path: Path, check: str, expected: str) -> None:
    assert error_of(tmp_path, ONE_CHECK.format(check)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("notify: ['json//127.0.0.1:8099/hook']\n",
         "gonogo.yml:1: notify[0]: expected a URL like json://host/path, got a value that has "
         "no scheme://"),
        ("services:\n  - name: api\n    driver: shell\n    deploy: 'true'\n"
         "    health: {url: 'http://ops:hunter2@127.0.0.1:80a/health'}\n",
         f"gonogo.yml:5: services[0].health.url: {HTTP_URL}'http://ops:***@127.0.0.1:80a/health' "
         "(has an invalid port)"),
    ],
)
def test_top_level_url_errors(tmp_path: Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        ("        type: http\n        url: '${API}/health'",
         f"gonogo.yml:8: phases[0].checks[0].url: {HTTP_URL}'http//api.internal/health' "
         "(has no scheme://)"),
        ("        type: http.flow\n        steps:\n          - request: {url: '${API}/login'}\n"
         "          - request: {url: 'http://x/${token}'}",
         f"gonogo.yml:9: phases[0].checks[0].steps[0].request.url: {HTTP_URL}"
         "'http//api.internal/login' (has no scheme://)"),
    ],
)
def test_urls_are_parsed_after_interpolation(tmp_path: Path, check: str, expected: str) -> None:
    write(tmp_path / "gonogo.yml", ONE_CHECK.format(check))
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "gonogo.yml", process_env={"API": "http//api.internal"})
    assert str(info.value) == f"{tmp_path}/{expected}"


def test_a_service_health_url_is_parsed_with_the_settings_known_at_load(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", "services:\n  - name: api\n    driver: shell\n"
          "    deploy: 'true'\n    health: {url: '${API}/health?v=${version}'}\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "gonogo.yml", process_env={"API": "http://[::1"})
    assert str(info.value) == (f"{tmp_path}/gonogo.yml:5: services[0].health.url: {HTTP_URL}"
                               "'http://[::1/health?v=${version}' (has an unclosed [ in its host)")


def test_placeholders_filled_at_run_time_stand_for_a_word(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", ONE_CHECK.format(
        "        type: http.flow\n        steps:\n"
        "          - request: {url: 'http://127.0.0.1:${PORT}/login'}\n"
        "            capture: {id: $.id}\n"
        "          - request: {url: 'http://127.0.0.1:${PORT}/users/${id}'}"))
    config = load_config(tmp_path / "gonogo.yml", process_env={"PORT": "8080"})
    assert config.checks["a"].type == "http.flow"
