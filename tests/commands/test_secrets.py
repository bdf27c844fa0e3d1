"""`gonogo secrets`: the inventory of the reference checklist's Required Secrets table —
present, strength, fingerprint, age — and never a value."""

from __future__ import annotations

import hashlib
import hmac
import json
import stat
from datetime import date, timedelta
from pathlib import Path

from testing.cli import gonogo, write
from testing.project import project

POSTGRES = "Xk9mQ2vL7pR4tW8zB3nF6hJ1cD5gS0aY"
JWT_31 = "aZ3kP9mQ2xL7vR4tW8nB6hJ1cD5gS0f"
JWT_OK = "aZ3kP9mQ2xL7vR4tW8nB6hJ1cD5gS0fE"
REFRESH = "Hn4Vb8Mc2Xz6Lk0Jh5Gf9Ds3Ap7Qw1Er"
API = "Tk9mQ2vL7pR4tW8zB3nF6hJ1cD5gS0aZ"


def make(tmp_path: Path, production: str, staging: str = "") -> None:
    rotated = (date.today() - timedelta(days=10)).isoformat()
    old = (date.today() - timedelta(days=200)).isoformat()
    project(tmp_path, f"""
        version: 1
        environments:
          production: {{env_files: [.env.production]}}
          staging: {{env_files: [.env.staging]}}
        secrets:
          - {{name: POSTGRES_PASSWORD, location: VPS `.env.production`, purpose: Database access, rotated: {rotated}}}
          - {{name: JWT_SECRET, location: VPS `.env.production`, purpose: Token signing, rotated: {old}, max_age: 90d}}
          - {{name: JWT_REFRESH_SECRET, location: VPS `.env.production`, purpose: Refresh token signing}}
          - {{name: DOCKERHUB_TOKEN, location: GitHub Secrets, purpose: CI/CD image push}}
          - {{name: VPS_SSH_KEY, location: GitHub Secrets, purpose: Deployment SSH}}
          - {{name: STAGING_ONLY_KEY, environments: [staging]}}
        """)
    write(tmp_path / ".env.production", production)
    write(tmp_path / ".env.staging", staging or production)


def fp(tmp_path: Path, value: str) -> str:
    key = (tmp_path / ".gonogo" / "fingerprint.key").read_text().strip().encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:8]


def test_inventory_table_shows_presence_strength_fingerprint_and_age(tmp_path: Path) -> None:
    make(tmp_path, f"POSTGRES_PASSWORD={POSTGRES}\nJWT_SECRET={JWT_31}\nAPI_TOKEN={API}\n")
    proc = gonogo("secrets", "--env", "production", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    key_file = tmp_path / ".gonogo" / "fingerprint.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert proc.stdout.splitlines() == [
        "secrets for environment production — values are never shown; fingerprints are keyed "
        "HMAC-SHA256 (compare them across environments)",
        "NAME                LOCATION             PURPOSE                PRESENT             "
        "SOURCE             STRENGTH  FINGERPRINT  AGE",
        f"POSTGRES_PASSWORD   VPS .env.production  Database access        yes                 "
        f".env.production:1  strong    {fp(tmp_path, POSTGRES)}     10d",
        f"JWT_SECRET          VPS .env.production  Token signing          yes                 "
        f".env.production:2  WEAK (1)  {fp(tmp_path, JWT_31)}     200d OVERDUE",
        "JWT_REFRESH_SECRET  VPS .env.production  Refresh token signing  NO                  "
        "-                  -         -            -",
        "DOCKERHUB_TOKEN     GitHub Secrets       CI/CD image push       not checkable here  "
        "-                  -         -            -",
        "VPS_SSH_KEY         GitHub Secrets       Deployment SSH         not checkable here  "
        "-                  -         -            -",
        f"API_TOKEN *         -                    -                      yes                 "
        f".env.production:3  strong    {fp(tmp_path, API)}     -",
        "",
        "✗ JWT_REFRESH_SECRET is not set — expected in VPS `.env.production`",
        "✗ JWT_SECRET (.env.production:2) is 31 characters, needs at least 32",
        "",
        "* found in the environment's files but not in the `secrets:` inventory",
        "",
        "6 secrets: 2 strong, 1 weak, 1 missing, 2 not checkable from here",
    ]
    for value in (POSTGRES, JWT_31, API):
        assert value not in proc.stdout + proc.stderr


def test_json_and_exit_0_when_every_checkable_secret_is_present_and_strong(tmp_path: Path) -> None:
    make(tmp_path, f"POSTGRES_PASSWORD={POSTGRES}\nJWT_SECRET={JWT_OK}\nJWT_REFRESH_SECRET={REFRESH}\n")
    proc = gonogo("secrets", "--env", "production", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["ok"] is True and data["environment"] == "production"
    assert data["fingerprint_key"] == str(tmp_path / ".gonogo" / "fingerprint.key")
    rows = {r["name"]: r for r in data["secrets"]}
    assert list(rows) == ["POSTGRES_PASSWORD", "JWT_SECRET", "JWT_REFRESH_SECRET",
                          "DOCKERHUB_TOKEN", "VPS_SSH_KEY"]
    assert rows["JWT_SECRET"] == {
        "name": "JWT_SECRET", "location": "VPS `.env.production`", "purpose": "Token signing",
        "declared": True, "checkable": True, "present": True, "source": ".env.production:2",
        "strong": True, "weak": [], "fingerprint": fp(tmp_path, JWT_OK),
        "rotated": (date.today() - timedelta(days=200)).isoformat(), "age_days": 200,
        "overdue": True, "ok": True,
    }
    assert rows["DOCKERHUB_TOKEN"]["present"] is None and rows["DOCKERHUB_TOKEN"]["ok"] is True
    for value in (POSTGRES, JWT_OK, REFRESH):
        assert value not in proc.stdout


def test_fingerprints_compare_environments_without_values(tmp_path: Path) -> None:
    make(tmp_path, f"POSTGRES_PASSWORD={POSTGRES}\nJWT_SECRET={JWT_OK}\n",
         staging=f"POSTGRES_PASSWORD={POSTGRES}\nJWT_SECRET={REFRESH}\nSTAGING_ONLY_KEY={API}\n")
    runs = {}
    for env in ("production", "staging"):
        proc = gonogo("secrets", "--env", env, "--format", "json", cwd=tmp_path)
        runs[env] = {r["name"]: r for r in json.loads(proc.stdout)["secrets"]}
    prod, staging = runs["production"], runs["staging"]
    assert prod["POSTGRES_PASSWORD"]["fingerprint"] == staging["POSTGRES_PASSWORD"]["fingerprint"]
    assert prod["JWT_SECRET"]["fingerprint"] != staging["JWT_SECRET"]["fingerprint"]
    assert "STAGING_ONLY_KEY" in staging and "STAGING_ONLY_KEY" not in prod
    # a second project holds another key: its fingerprints say nothing about this one's
    other = tmp_path / "other"
    make(other, f"POSTGRES_PASSWORD={POSTGRES}\n")
    proc = gonogo("secrets", "--env", "production", "--format", "json", cwd=other)
    theirs = {r["name"]: r for r in json.loads(proc.stdout)["secrets"]}
    assert theirs["POSTGRES_PASSWORD"]["fingerprint"] != prod["POSTGRES_PASSWORD"]["fingerprint"]


def test_a_secret_declared_twice_is_a_config_error(tmp_path: Path) -> None:
    project(tmp_path, """
        version: 1
        secrets:
          - {name: JWT_SECRET}
          - {name: JWT_SECRET, purpose: twice}
        """)
    proc = gonogo("secrets", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (
        2, "gonogo: error: gonogo.yml:4: secrets[1].name: secret 'JWT_SECRET' is declared twice "
           "(first at line 3) (hint: merge the two entries)\n")


def test_settings_secret_by_value_are_listed_and_public_ones_are_not(tmp_path: Path) -> None:
    project(tmp_path, """
        version: 1
        environments:
          production: {env_files: [.env.production], public: [RELEASE_SHA]}
        """)
    write(tmp_path / ".env.production", f"AUTH={API}\nRELEASE_SHA=3f9a1c7e5b2d8046f1e3a9c7b5d20486\n"
                                        "NODE_ENV=production\n")
    proc = gonogo("secrets", "--env", "production", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [line.split()[:2] for line in proc.stdout.splitlines()[2:3]] == [["AUTH", "*"]]
    assert "RELEASE_SHA" not in proc.stdout and API not in proc.stdout
