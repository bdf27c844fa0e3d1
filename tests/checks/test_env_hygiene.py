"""``env.no_dev_values`` and ``env.drift``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gonogo.core.outcomes import Outcome
from testing.checks import run_check
from testing.cli import gonogo, write
from testing.project import project

GOOD = {
    "NODE_ENV": "production",
    "DEBUG": "false",
    "DATABASE_URL": "postgresql://app:Xk9mQ2vL7pR4tW8z@db.internal:5432/app",
    "API_URL": "https://api.v-edfinance.com",
    "JWT_SECRET": "aZ3kP9mQ2xL7vR4tW8nB6hJ1cD5gS0fE",
    "LOG_FORMAT": "default",
    "SAMESITE": "none",
}


def nodev(env: dict[str, str], workdir: Path = Path("."), **params: Any) -> tuple[Outcome, str]:
    sources = {k: f".env.production:{i}" for i, k in enumerate(env, start=1)}
    result, _ = run_check("env.no_dev_values", params, workdir, env=env, sources=sources,
                          environment="production")
    return result.outcome, result.summary


def test_production_values_pass() -> None:
    assert nodev(GOOD) == (Outcome.PASSED, "no development values in 7 settings")


def test_each_kind_of_development_value_is_named() -> None:
    env = {
        "NODE_ENV": "development",
        "DEBUG": "True",
        "DATABASE_URL": "postgresql://app:pw@localhost:5432/app",
        "MAIL_HOST": "smtp.example.com",
        "STRIPE_SECRET_KEY": "sk_test_51Hx9abcdefghijklmnop",
        "API_TOKEN": "your-api-token-here",
        "SESSION_SECRET": "changeme",
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "APP_NAME": "mytodoapp",
    }
    assert nodev(env) == (
        Outcome.FAILED,
        "8 development values: NODE_ENV (.env.production:1) is 'development', expected production; "
        "DEBUG (.env.production:2) turns debug mode on; "
        "DATABASE_URL (.env.production:3) points at localhost (a local host); "
        "MAIL_HOST (.env.production:4) points at smtp.example.com (a documentation domain); "
        "STRIPE_SECRET_KEY (.env.production:5) is a Stripe test-mode secret key (sk_test_…); "
        "API_TOKEN (.env.production:6) looks like a template placeholder; "
        "SESSION_SECRET (.env.production:7) is a well-known placeholder or weak value; "
        "AWS_ACCESS_KEY_ID (.env.production:8) is the AWS documentation's example access key",
    )


def test_docker_service_names_count_as_local_when_named() -> None:
    env = {"REDIS_URL": "redis://redis:6379/0"}
    assert nodev(env)[0] == Outcome.PASSED
    assert nodev(env, service_names=["redis"]) == (
        Outcome.FAILED,
        "1 development value: REDIS_URL (.env.production:1) points at redis (a docker service name)")


def test_ignore_and_names_narrow_the_scan() -> None:
    env = {"NODE_ENV": "development", "DEBUG": "1"}
    assert nodev(env, ignore=["NODE_ENV", "DEBUG"])[0] == Outcome.PASSED
    assert nodev(env, names=["DEBUG"]) == (
        Outcome.FAILED, "1 development value: DEBUG (.env.production:2) turns debug mode on")


def test_a_secret_copied_from_the_example_is_a_development_value(tmp_path: Path) -> None:
    write(tmp_path / ".env.example", "JWT_SECRET=aZ3kP9mQ2xL7vR4tW8nB6hJ1cD5gS0fE\nNODE_ENV=production\n")
    assert nodev(GOOD, tmp_path) == (
        Outcome.FAILED,
        "1 development value: JWT_SECRET (.env.production:5) is the value from .env.example:1")


# ---- env.drift ---------------------------------------------------------------------


def drift(params: dict[str, Any], env: dict[str, str], workdir: Path = Path("."),
          others: dict[str, dict[str, str]] | None = None) -> tuple[Outcome, str]:
    sources = {k: f".env.production:{i}" for i, k in enumerate(env, start=1)}
    result, _ = run_check("env.drift", params, workdir, env=env, sources=sources,
                          environment="production", others=others)
    return result.outcome, result.summary


def test_keys_listed_in_the_example_must_be_set(tmp_path: Path) -> None:
    write(tmp_path / ".env.example", "# app\nNODE_ENV=production\nJWT_SECRET=\n\nSMTP_HOST=\n")
    assert drift({}, {"NODE_ENV": "production"}, tmp_path) == (
        Outcome.FAILED,
        "2 keys from .env.example not set: JWT_SECRET (line 3), SMTP_HOST (line 5)")
    full = {"NODE_ENV": "production", "JWT_SECRET": "x" * 40, "SMTP_HOST": "smtp.internal"}
    assert drift({}, full, tmp_path) == (Outcome.PASSED, "all 3 keys of the example set")


def test_key_sets_and_reused_secrets_across_environments() -> None:
    ours = {"JWT_SECRET": "aZ3kP9mQ2xL7vR4tW8nB6hJ1cD5gS0fE", "SENTRY_DSN": "https://k@s.io/1",
            "NODE_ENV": "production"}
    theirs = {"JWT_SECRET": "aZ3kP9mQ2xL7vR4tW8nB6hJ1cD5gS0fE", "NODE_ENV": "production",
              "FEATURE_X": "on"}
    assert drift({"against": "staging"}, ours, others={"staging": theirs}) == (
        Outcome.FAILED,
        "only in production: SENTRY_DSN; only in staging: FEATURE_X; JWT_SECRET has the same "
        "value in production (.env.production:1) and in staging (staging.env)",
    )
    theirs = {"JWT_SECRET": "Qw8eR4tY7uI1oP3aS6dF9gH2jK5lZ0xC", "NODE_ENV": "production"}
    assert drift({"against": "staging", "ignore": ["SENTRY_DSN"]}, ours,
                 others={"staging": theirs}) == (
        Outcome.PASSED, "same keys as staging, no shared secrets")


def test_two_secrets_sharing_one_value_fail() -> None:
    value = "aZ3kP9mQ2xL7vR4tW8nB6hJ1cD5gS0fE"
    assert drift({"against": "staging"}, {"JWT_SECRET": value, "JWT_REFRESH_SECRET": value},
                 others={"staging": {"JWT_SECRET": "a" * 8 + "b" * 30, "JWT_REFRESH_SECRET": "c" * 40}}) == (
        Outcome.FAILED,
        "JWT_REFRESH_SECRET (.env.production:2) and JWT_SECRET (.env.production:1) share one value")


def test_nothing_to_compare_and_unknown_environment_are_errors() -> None:
    assert drift({}, {"A": "1"}) == (
        Outcome.ERRORED, "nothing to compare: add `against: ENVIRONMENT` or a .env.example")
    assert drift({"against": "qa"}, {"A": "1"}, others={}) == (
        Outcome.ERRORED, "unknown environment 'qa'")


def test_drift_through_the_real_gate(tmp_path: Path) -> None:
    """Another environment is resolved from the same config; the process environment,
    shared by both resolutions, never counts as reuse."""
    project(tmp_path, """
        version: 1
        environments:
          production: {env_files: [.env.production]}
          staging: {env_files: [.env.staging]}
        phases:
          - id: env
            kind: preflight
            checks:
              - {id: drift, type: env.drift, against: staging}
        """)
    write(tmp_path / ".env.production", "NODE_ENV=production\nJWT_SECRET=aZ3kP9mQ2xL7vR4tW8nB6hJ1cD5gS0fE\n")
    write(tmp_path / ".env.staging", "NODE_ENV=staging\nJWT_SECRET=aZ3kP9mQ2xL7vR4tW8nB6hJ1cD5gS0fE\nDEBUG=1\n")
    shared_env = {"SHARED_TOKEN": "Tk9mQ2vL7pR4tW8zB3nF6hJ1cD5gS0a"}
    proc = gonogo("check", "--env", "production", cwd=tmp_path, env=shared_env)
    assert proc.returncode == 1, proc.stderr
    assert ("— only in staging: DEBUG; JWT_SECRET has the same value in production "
            "(.env.production:2) and in staging (.env.staging:2)") in proc.stdout
    write(tmp_path / ".env.staging", "NODE_ENV=staging\nJWT_SECRET=Qw8eR4tY7uI1oP3aS6dF9gH2jK5lZ0xC\n")
    proc = gonogo("check", "--env", "production", cwd=tmp_path, env=shared_env)
    assert proc.returncode == 0, proc.stdout
    assert "— same keys as staging, no shared secrets" in proc.stdout
