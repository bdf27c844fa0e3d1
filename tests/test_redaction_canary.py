"""Canary secrets planted in a real project must never reach any byte gonogo writes.

The canaries sit in env files (one of them multi-line, one inside a URL); real commands
print them to stdout and stderr in pieces, in base64 at every alignment, URL-encoded and
inside JSON; a real HTTP server returns them in bodies, cut at the excerpt boundary; an
unreachable URL carries one as its password. Some canaries have names that say nothing
(`STRIPE_SK`, `AUTH`, a GitHub token as `CI_HELPER` in a compose file's `environment:`, a
Docker secret file `upstream`): they are secrets by the shape of their value, or by being a
secret file. Then every artifact is searched for every
canary in every encoding: the SQLite file and its WAL, every file of the run folder, each
report format, `show` / `report` / `runs` output, stdout/stderr, and crash logs.
"""

from __future__ import annotations

import argparse
import base64
import json
import socket
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from gonogo import error_handler
from gonogo.redact import Redactor
from testing.cli import gonogo, write
from testing.http_server import Route, serve
from testing.project import project

JWT = 'Cn1-jwt q8Zr/Tp+Lw=Kd&x"y<z>Vb3'
DB_PASSWORD = "Cn2dbPassw0rdZq81Hm"
KEY_LINES = ("Cn3keyLineOneAbCdEfGh", "Cn3keyLineTwoIjKlMnOp")
PRIVATE_KEY = "-----BEGIN CANARY KEY-----\n" + "\n".join(KEY_LINES) + "\n-----END CANARY KEY-----"
API_TOKEN = "Cn4tokenXyZ987Wq"
# secrets by the shape of their value alone: no name pattern matches these names
STRIPE_SK = "sk_live_Cn5" + "4eC39HqLyjWDarjtT1zdp7dc"
AUTH = "Cn6" + "k7Qm2Vx9Lr4Tz8Wb3Nc6Hf1Jd5Gs0Yp7UeIa"  # 40 random characters
GITHUB = "ghp_Cn7" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q"
UPSTREAM = "Cn8upstreamPw"  # short and plain: secret because it is a Docker secret file
SHAPED = (STRIPE_SK, AUTH, GITHUB, UPSTREAM)
CANARIES = (JWT, DB_PASSWORD, *KEY_LINES, API_TOKEN, *SHAPED)


def forms(secret: str, halves: bool = True) -> set[bytes]:
    """The canary as text a program might print: raw, URL-encoded, JSON-escaped, base64
    (standard and URL-safe) at all three alignments inside a larger blob."""
    out = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    raw = secret.encode()
    for k, skip in enumerate((0, 2, 3)):
        padded = b"\0" * k + raw
        full = 4 * (len(padded) // 3)
        out.add(base64.b64encode(padded).decode()[skip:full])
        out.add(base64.urlsafe_b64encode(padded).decode()[skip:full])
    # the first and last 10 characters: a secret cut in two must not survive in halves
    if halves:
        out |= {secret[:10], secret[-10:]}
    return {f.encode() for f in out}


ALL_FORMS = {form: secret for secret in CANARIES for form in forms(secret)}


def leaks(data: bytes) -> list[str]:
    return sorted({f"{ALL_FORMS[f].encode()!r} as {f!r}" for f in ALL_FORMS if f in data})


PRINTER = r"""
import base64, json, os, sys, time
from urllib.parse import quote
jwt, url, key = os.environ["JWT_SECRET"], os.environ["DATABASE_URL"], os.environ["PRIVATE_KEY"]
for stream in (sys.stdout, sys.stderr):           # split across writes, with a pause
    stream.write("token=" + jwt[:9]); stream.flush(); time.sleep(0.2)
    stream.write(jwt[9:] + "\n"); stream.flush()
for k in range(3):                                 # base64 at every alignment
    print(base64.b64encode(b"x" * k + jwt.encode() + b"tail").decode())
    print(base64.urlsafe_b64encode(b"pre" * k + key.encode()).decode())
print(quote(jwt, safe=""), json.dumps({"jwt": jwt, "key": key, "url": url}))
print(key)
print("connecting to", url)
for name in ("STRIPE_SK", "AUTH", "CI_HELPER", "UPSTREAM"):
    print(f"{name}={os.environ[name]}")
    sys.stderr.write(f"{name.lower()}: {os.environ[name]}\n")
sys.stderr.write("x" * 150 + jwt + "\n")           # cut at the summary's 160 characters
sys.exit(1)
"""


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    write(tmp_path / "printer.py", PRINTER)
    write(tmp_path / ".env.production", "\n".join([
        "# canaries",
        f"JWT_SECRET='{JWT}'",
        f"DATABASE_URL=postgresql://app:{DB_PASSWORD}@localhost:5432/app",
        f'PRIVATE_KEY="{PRIVATE_KEY}"',
        f"API_TOKEN={API_TOKEN}",
        "NODE_ENV=development",
        f"STRIPE_SK={STRIPE_SK}",
        f"AUTH={AUTH}",
        "",
    ]))
    write(tmp_path / "compose.yml", "services:\n  app:\n    image: app:1\n    environment:\n"
                                    f"      CI_HELPER: {GITHUB}\n      LOG_LEVEL: info\n")
    write(tmp_path / "secrets" / "upstream", UPSTREAM + "\n")
    return tmp_path


def test_no_canary_in_any_artifact(planted: Path) -> None:
    body = json.dumps({"pad": "p" * 280, "jwt": JWT, "key": PRIVATE_KEY,
                       "b64": base64.b64encode(JWT.encode()).decode()})
    with serve({"/health": Route(200, body, {"Content-Type": "application/json"})}) as server:
        project(planted, f"""
            version: 1
            environments:
              production:
                env_files: [.env.production]
                compose: {{file: compose.yml, service: app}}
                secrets_dir: secrets
            phases:
              - id: gate
                kind: preflight
                checks:
                  - {{id: printer, run: "{sys.executable} printer.py"}}
                  - {{id: echoed, run: "echo 'db=${{DATABASE_URL}}'; exit 4"}}
                  - id: body
                    type: http
                    url: {server.url}/health
                    expect: {{body_contains: "never there"}}
                  - id: refused
                    type: http
                    url: "http://ops:${{API_TOKEN}}@127.0.0.1:{closed_port()}/health"
                  - {{id: strength, type: secret.strength, names: [JWT_SECRET, PRIVATE_KEY], min_length: 64}}
                  - {{id: db, type: env.url, name: DATABASE_URL, hosts: [db.internal]}}
                  - {{id: nodev, type: env.no_dev_values}}
                  - {{id: drift, type: env.drift}}
            """)
        crash = planted / "crash"
        env = {"GONOGO_CRASH_DIR": str(crash)}
        outputs = [gonogo("check", "--report", "json", "--report", "junit", "--report",
                          "markdown", "--report", "html", cwd=planted, env=env)]
    assert outputs[0].returncode == 1, outputs[0].stderr
    for args in (["show", "last"], ["runs"], ["runs", "--format", "json"], ["secrets"],
                 ["secrets", "--format", "json"],
                 *(["report", "last", "--format", f] for f in
                   ("console", "json", "junit", "markdown", "html"))):
        outputs.append(gonogo(*args, cwd=planted, env=env))
        assert outputs[-1].returncode in (0, 1), outputs[-1].stderr

    # the canaries were really there: the captured output carries the markers
    run_dirs = list((planted / ".gonogo" / "runs").iterdir())
    assert len(run_dirs) == 1
    printed = (run_dirs[0] / "output" / "printer.log").read_text()
    assert printed.count("[REDACTED:JWT_SECRET]") >= 8
    assert "[REDACTED:PRIVATE_KEY]" in printed and "[REDACTED:DATABASE_URL.password]" in printed
    assert "[REDACTED:API_TOKEN]" in outputs[0].stdout  # in the refused URL
    for name in ("STRIPE_SK", "AUTH", "CI_HELPER", "UPSTREAM"):
        assert f"{name}=[REDACTED:{name}]" in printed
        assert f"{name.lower()}: [REDACTED:{name}]" in printed

    artifacts: dict[str, bytes] = {}
    for path in sorted((planted / ".gonogo").rglob("*")):
        if path.is_file():
            artifacts[str(path.relative_to(planted))] = path.read_bytes()
    assert {".gonogo/state.db", ".gonogo/runs/" + run_dirs[0].name + "/report.html"} <= set(artifacts)
    for i, proc in enumerate(outputs):
        artifacts[f"command {i} ({' '.join(proc.args[3:])}) stdout"] = proc.stdout.encode()
        artifacts[f"command {i} stderr"] = proc.stderr.encode()
    if crash.exists():
        for path in crash.iterdir():
            artifacts[str(path)] = path.read_bytes()
    found = {name: leaks(data) for name, data in artifacts.items() if leaks(data)}
    assert found == {}


def test_no_canary_in_a_crash_log(planted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """An internal error whose message and cause carry secrets: one redacted line on
    stderr and a redacted crash log."""
    monkeypatch.setenv("GONOGO_CRASH_DIR", str(tmp_path / "crash"))
    redactor = Redactor()
    redactor.add_env({"JWT_SECRET": JWT, "PRIVATE_KEY": PRIVATE_KEY, "API_TOKEN": API_TOKEN,
                      "DATABASE_URL": f"postgresql://app:{DB_PASSWORD}@db/app",
                      "STRIPE_SK": STRIPE_SK, "AUTH": AUTH, "CI_HELPER": GITHUB},
                     by_value=["STRIPE_SK", "AUTH", "CI_HELPER"])
    redactor.add("UPSTREAM", UPSTREAM)

    def explode(args: argparse.Namespace) -> int:
        try:
            json.loads(json.dumps({"key": PRIVATE_KEY}) + "}" + quote(JWT))
        except ValueError as exc:
            token = base64.b64encode(b"ab" + API_TOKEN.encode()).decode()
            raise RuntimeError(f"while using {JWT} and {token} for "
                               f"postgresql://app:{DB_PASSWORD}@db/app with {STRIPE_SK}, "
                               f"{AUTH}, {GITHUB} and {UPSTREAM}") from exc
        return 0

    error_handler.use_redactor(redactor)
    try:
        code = error_handler.run_command(explode, argparse.Namespace())
    finally:
        error_handler.use_redactor(Redactor())
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith("gonogo: unexpected error: RuntimeError: while using [REDACTED:JWT_SECRET]")
    logs = list((tmp_path / "crash").iterdir())
    assert len(logs) == 1
    log = logs[0].read_bytes()
    assert b"Traceback" in log and b"[REDACTED:DATABASE_URL.password]" in log
    assert (leaks(err.encode()), leaks(log)) == ([], [])


def test_the_redactor_covers_each_encoding() -> None:
    redactor = Redactor()
    redactor.add("JWT_SECRET", JWT)
    redactor.add("PRIVATE_KEY", PRIVATE_KEY)
    for secret in (JWT, *KEY_LINES):
        for form in forms(secret, halves=False):
            text = f"before {form.decode()} after"
            assert leaks(redactor.text(text).encode()) == [], text
    assert redactor.text(PRIVATE_KEY.replace("\n", "\r\n")) == "[REDACTED:PRIVATE_KEY]"
    assert redactor.text("excerpt ends " + JWT[:12]) == "excerpt ends [REDACTED:JWT_SECRET]"
    assert redactor.text(JWT[-12:] + " tail starts") == "[REDACTED:JWT_SECRET] tail starts"
    assert redactor.data({"k": [JWT, {"n": quote_plus(JWT)}]}) == {
        "k": ["[REDACTED:JWT_SECRET]", {"n": "[REDACTED:JWT_SECRET]"}]}
