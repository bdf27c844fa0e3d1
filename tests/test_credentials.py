"""A value that looks like a credential is a secret whatever its name: known token shapes
and high-entropy words; ordinary settings (URLs, hosts, paths, versions, dates, numbers,
UUIDs, lists of origins) are not, or redaction would mangle useful evidence. `public:`
opts a setting out."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from gonogo.core.errors import ConfigError
from gonogo.credentials import credential_kind
from gonogo.redact import Redactor
from gonogo.sources import load_config
from testing.cli import write

ORDINARY = [
    "production", "development", "true", "30s", "4096", "3.14159265358979", "1234567890123456",
    "https://api.example.com/v1/health",
    "https://app.example.com,https://admin.example.com,http://localhost:3000",
    "postgresql://app@db.internal:5432/app", "amqp://guest@rabbitmq:5672/vhost",
    "s3://acme-backups-production/postgres/daily",
    "api.v-edfinance.com", "db-primary-01.eu-west-1.rds.amazonaws.com",
    "postgres-replica-2.db.svc.cluster.local", "redis-cache.internal:6379", "0.0.0.0:8080",
    "/var/lib/postgresql/data", "/run/secrets/db_password", "./config/production.json",
    "src/components/Header.tsx", "apps/api/dist/main.js", "node_modules/.bin/prisma",
    "/usr/local/share/ca-certificates/internal-ca.crt", "/tmp/gonogo-services/prometheus/targets",
    "1.4.2", "v2.10.0-rc.1+build.20261201", "2026-12-01T04:30:22Z", "2026-12-01",
    "2026-12-01 04:30:22.123+01:00",
    # a UUID names a tenant, a project, a client: an identifier, not a credential (a key
    # that is a UUID is redacted by its name, HEROKU_API_KEY)
    "550e8400-e29b-41d4-a716-446655440000",
    "ops-team@example.com", "noreply+alerts@mail.example.co.uk",
    "registry.example.com:5000/team/api:1.4.2", "ghcr.io/acme/web-frontend:2026.12.01",
    "ghcr.io/acme/api@sha256:6d4f2a8e1c3b5a7d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d",
    "MyApplicationServiceName", "ProductionDatabaseReplica", "NestJSApiGatewayService",
    "production-eu-west-1", "my-app-staging-cluster", "development_environment_settings",
    "NEXT_PUBLIC_API_BASE_URL", "Europe/Amsterdam", "en_US.UTF-8", "--max-old-space-size=4096",
    "info,warn,error,debug,trace", "us-east-1,eu-west-1,ap-southeast-2", "application/json",
    "gonogo-example_api_1", "Mozilla/5.0 (X11; Linux x86_64)", "com.example.mobile.app.production",
    "The quick brown fox jumps over the lazy dog", "kubernetes.io/service-account-token",
    "app_production_2026_12_01_backup", "release-2026-12-01-hotfix-2",
    '{"feature_flags":{"new_checkout":true,"beta_banner":false},"max_items":50}',
    '["https://app.example.com","https://admin.example.com"]',
]

CREDENTIALS = [
    ("sk_live_51HxYzAbCdEfGhIjKlMnOpQr", "Stripe key"),
    ("sk_test_4eC39HqLyjWDarjtT1zdp7dc", "Stripe key"),
    ("rk_live_51HxYzAbCdEfGhIjKlMnOpQr", "Stripe key"),
    ("ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "GitHub token"),
    ("gho_16C7e42F292c6912E7710c838347Ae178B4a", "GitHub token"),
    ("ghs_16C7e42F292c6912E7710c838347Ae178B4a", "GitHub token"),
    ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "GitHub token"),
    ("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "Slack token"),
    ("xoxp-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "Slack token"),
    ("AKIAIOSFODNN7EXAMPLE", "AWS access key"),
    ("ASIAY34FZKBOKMUTVV7A", "AWS access key"),
    ("glpat-Zq8Hm1Kd9Xw2Lp4Rt7Yu", "GitLab token"),
    ("AIzaSyA-1234567890abcdefghijklmnopqrstu", "Google API key"),
    ("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", "SendGrid key"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
     "-----END OPENSSH PRIVATE KEY-----", "private key"),
    ("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg\n-----END EC PRIVATE KEY-----", "private key"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
     "JSON Web Token"),
    ("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
     "Slack webhook"),
    ("Bearer ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "GitHub token"),
    ("Zq8Hm1Kd9Xw2Lp4R", "high-entropy string"),                      # 16 characters
    ("k7Qm2Vx9Lr4Tz8Wb3Nc6Hf1Jd5Gs0Yp7Ue2Ia", "high-entropy string"),
    ("3f9a1c7e5b2d8046f1e3a9c7b5d20486", "high-entropy string"),      # hex, 32
    ("x9#Lm!q2@Vz$8rT&w4Pk", "high-entropy string"),                   # with symbols
    ('p"Q7<w>Zk2(m)Lx9`V', "high-entropy string"),                     # quotes, brackets
    ('{"client": "web", "secret": "Zq8Hm1Kd9Xw2Lp4Rt7Yu"}', "high-entropy string"),  # in JSON
    ("admin:Zq8Hm1Kd9Xw2Lp4R", "high-entropy string"),                 # basic-auth pair
    ("https://api.example.com/v1?token=Zq8Hm1Kd9Xw2Lp4Rt7Yu", "high-entropy string"),
    ("postgresql://app@db.internal/app?password=hunter2", "high-entropy string"),  # by param
    ("a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6", "high-entropy string"),      # lower case + digits
]


@pytest.mark.parametrize("value", ORDINARY)
def test_an_ordinary_value_is_not_a_credential(value: str) -> None:
    assert credential_kind(value) is None


@pytest.mark.parametrize(("value", "kind"), CREDENTIALS)
def test_a_credential_is_known_by_its_shape(value: str, kind: str) -> None:
    assert credential_kind(value) == kind


@pytest.mark.parametrize("alphabet", [
    string.ascii_letters + string.digits,                  # API keys
    string.ascii_letters + string.digits + "+/",           # base64
    string.ascii_letters + string.digits + "-_",           # base64url
    string.ascii_letters + string.digits + "!@#$%^&*-_=+",  # generated passwords
])
@pytest.mark.parametrize("length", [16, 24, 40, 64])
def test_random_tokens_are_caught(alphabet: str, length: int) -> None:
    """At least 95% of random tokens of each length over each usual alphabet (seeded, so
    the figure is the same on every run; misses are tokens that happen to repeat)."""
    rng = random.Random(f"{alphabet}{length}")
    tokens = ["".join(rng.choice(alphabet) for _ in range(length)) for _ in range(500)]
    caught = sum(credential_kind(t) is not None for t in tokens)
    assert caught >= 475, f"{caught}/500"


def test_shaped_values_are_redacted_and_public_ones_are_not() -> None:
    redactor = Redactor()
    token = "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    redactor.add_env({"STRIPE_SK": "sk_live_51HxYzAbCdEfGhIjKlMnOpQr",
                      "CI_HELPER": f"Bearer {token}",
                      "AUTH": "k7Qm2Vx9Lr4Tz8Wb3Nc6Hf1Jd5Gs0Yp7Ue2Ia",
                      "PUBLISHABLE": "pk_live_looks_random_k7Qm2Vx9Lr4Tz8Wb3Nc",
                      "RELEASE_SHA": "3f9a1c7e5b2d8046f1e3a9c7b5d20486",
                      "ORIGINS": "https://app.example.com,https://admin.example.com",
                      "FROM_SHELL": "Zq8Hm1Kd9Xw2Lp4Rt7Yu"},
                     public=["RELEASE_SHA", "PUBLISHABLE"],
                     by_value=["STRIPE_SK", "CI_HELPER", "AUTH", "PUBLISHABLE", "RELEASE_SHA",
                               "ORIGINS"])
    text = ("stripe sk_live_51HxYzAbCdEfGhIjKlMnOpQr auth k7Qm2Vx9Lr4Tz8Wb3Nc6Hf1Jd5Gs0Yp7Ue2Ia "
            f"token {token} sha 3f9a1c7e5b2d8046f1e3a9c7b5d20486 origins "
            "https://app.example.com,https://admin.example.com shell Zq8Hm1Kd9Xw2Lp4Rt7Yu")
    assert redactor.text(text) == (
        "stripe [REDACTED:STRIPE_SK] auth [REDACTED:AUTH] token [REDACTED:CI_HELPER] "
        "sha 3f9a1c7e5b2d8046f1e3a9c7b5d20486 origins "
        "https://app.example.com,https://admin.example.com shell Zq8Hm1Kd9Xw2Lp4Rt7Yu")
    assert (redactor.is_secret("AUTH"), redactor.is_secret("RELEASE_SHA")) == (True, False)


def test_public_names_in_the_environment(tmp_path: Path) -> None:
    write(tmp_path / ".env", "PUBLISHABLE_KEY=pk_live_k7Qm2Vx9Lr4Tz8Wb3Nc6Hf1Jd\n"
                             "RELEASE_SHA=3f9a1c7e5b2d8046f1e3a9c7b5d20486\n"
                             "AUTH=k7Qm2Vx9Lr4Tz8Wb3Nc6Hf1Jd5Gs0Yp7Ue2Ia\n")
    (tmp_path / "secrets").mkdir()
    write(tmp_path / "secrets" / "db_pass", "short-pass\n")  # a Docker secret: always secret
    write(tmp_path / "gonogo.yml", "version: 1\nenvironments:\n  production:\n"
                                   "    env_files: [.env]\n    secrets_dir: secrets\n"
                                   "    public: [PUBLISHABLE_KEY, RELEASE_SHA]\n")
    config = load_config(tmp_path / "gonogo.yml", process_env={})
    redactor = config.environment.redactor
    assert redactor.text("pk_live_k7Qm2Vx9Lr4Tz8Wb3Nc6Hf1Jd 3f9a1c7e5b2d8046f1e3a9c7b5d20486 "
                         "k7Qm2Vx9Lr4Tz8Wb3Nc6Hf1Jd5Gs0Yp7Ue2Ia short-pass") == (
        "pk_live_k7Qm2Vx9Lr4Tz8Wb3Nc6Hf1Jd 3f9a1c7e5b2d8046f1e3a9c7b5d20486 [REDACTED:AUTH] "
        "[REDACTED:DB_PASS]")
    assert [n for n in ("PUBLISHABLE_KEY", "RELEASE_SHA", "AUTH", "DB_PASS")
            if redactor.is_secret(n)] == ["AUTH", "DB_PASS"]


@pytest.mark.parametrize(("public", "expected"), [
    ("[1BAD]", "gonogo.yml:5: environments.production.public[0]: expected text matching "
               "^[A-Za-z_][A-Za-z0-9_.-]*$, got '1BAD'"),
    ("[AUTH, AUTH]", "gonogo.yml:5: environments.production.public[1]: AUTH is listed twice in "
                     "public (hint: remove one)"),
    ("[JWT_SECRET]", "gonogo.yml:5: environments.production.public[0]: JWT_SECRET is declared a "
                     "secret under `secrets:` and listed as public (hint: a secret cannot be "
                     "public: remove it from one of the two lists)"),
])
def test_bad_public_lists(tmp_path: Path, public: str, expected: str) -> None:
    write(tmp_path / "gonogo.yml", "version: 1\nsecrets:\n  - {name: JWT_SECRET}\n"
                                   f"environments:\n  production: {{public: {public}}}\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "gonogo.yml", process_env={})
    assert str(info.value).removeprefix(f"{tmp_path}/") == expected
