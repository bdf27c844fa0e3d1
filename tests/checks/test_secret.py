"""``secret.strength``: why a secret is weak, said without the value."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from gonogo.checks.secret import Rules, assess, entropy_bits
from gonogo.core.outcomes import Outcome
from testing.checks import run_check
from testing.cli import write

STRONG = "aZ3kP9mQ2xL7vR4tW8nB6hJ1cD5gS0fE"  # 32 characters, mixed
SRC = {"JWT_SECRET": ".env.production:3"}


def strength(value: str, **params: object) -> tuple[Outcome, str]:
    result, _ = run_check("secret.strength", {"name": "JWT_SECRET", **params}, Path("."),
                          env={"JWT_SECRET": value}, sources=SRC)
    assert value not in result.summary and value not in json.dumps(result.evidence)
    return result.outcome, result.summary


def test_a_long_random_secret_passes() -> None:
    assert strength(STRONG) == (
        Outcome.PASSED, "secret is strong (32+ characters, 5+ distinct, ~64+ bits)")
    assert strength(secrets.token_urlsafe(48), framework=True)[0] == Outcome.PASSED


def test_31_characters_fails_naming_where_it_came_from() -> None:
    assert strength(STRONG[:31]) == (
        Outcome.FAILED, "JWT_SECRET (.env.production:3) is 31 characters, needs at least 32")


def test_min_length_is_configurable_and_framework_keys_need_50() -> None:
    assert strength(STRONG[:20], min_length=16)[0] == Outcome.PASSED
    assert strength(STRONG, framework=True) == (
        Outcome.FAILED, "JWT_SECRET (.env.production:3) is 32 characters, needs at least 50")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("changeme", "is a well-known placeholder or weak value"),
        ("Password", "is a well-known placeholder or weak value"),
        ("your-jwt-secret-here", "looks like a template placeholder"),
        ("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "looks like a template placeholder"),
        ("<generate with openssl rand -hex 32>", "looks like a template placeholder"),
    ],
)
def test_placeholders_are_named_as_such(value: str, reason: str) -> None:
    outcome, summary = strength(value, min_length=1, min_distinct=1)
    assert (outcome, summary) == (Outcome.FAILED, f"JWT_SECRET (.env.production:3) {reason}")


def test_every_reason_is_listed() -> None:
    assert strength("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab") == (
        Outcome.FAILED,
        "JWT_SECRET (.env.production:3) has only 2 distinct characters, needs at least 5; "
        "has an estimated 1 bits of entropy, needs at least 64 (too repetitive or predictable)",
    )


def test_repetition_and_runs_count_as_low_entropy() -> None:
    assert entropy_bits("a1b2a1b2a1b2a1b2a1b2a1b2a1b2a1b2") == pytest.approx(8.0)
    assert entropy_bits("abcdefghijklmnopqrstuvwxyz012345") <= 20
    assert entropy_bits(STRONG) > 100
    outcome, summary = strength("abcdefghijklmnopqrstuvwxyz0123456789")
    assert outcome == Outcome.FAILED and "bits of entropy, needs at least 64" in summary


def test_a_dictionary_word_makes_a_long_key_guessable() -> None:
    assert strength("my-super-secret-jwt-signing-value-2024") == (
        Outcome.FAILED,
        "JWT_SECRET (.env.production:3) contains the dictionary word 'secret', "
        "which makes it guessable",
    )


def test_a_value_equal_to_its_name_is_weak() -> None:
    result, _ = run_check("secret.strength", {"name": "SESSION_SIGNING", "min_length": 4},
                          Path("."), env={"SESSION_SIGNING": "session-signing"})
    assert result.summary == "SESSION_SIGNING (test) is its own name"


def test_the_example_files_value_is_weak(tmp_path: Path) -> None:
    write(tmp_path / ".env.example", "# copy me\nJWT_SECRET=" + STRONG + "\n")
    result, _ = run_check("secret.strength", {"name": "JWT_SECRET"}, tmp_path,
                          env={"JWT_SECRET": STRONG}, sources=SRC)
    assert (result.outcome, result.summary) == (
        Outcome.FAILED, "JWT_SECRET (.env.production:3) is the value from .env.example:2")


def test_djangos_insecure_prefix_and_stripe_test_keys() -> None:
    key = "django-insecure-" + secrets.token_urlsafe(40)
    assert strength(key)[1] == ("JWT_SECRET (.env.production:3) is Django's generated "
                                "development key (django-insecure-…)")
    assert strength("sk_test_" + secrets.token_hex(24))[1] == (
        "JWT_SECRET (.env.production:3) is a Stripe test-mode secret key (sk_test_…)")


def test_missing_and_empty_and_several_names() -> None:
    result, _ = run_check("secret.strength", {"names": ["JWT_SECRET", "JWT_REFRESH_SECRET"]},
                          Path("."), env={"JWT_SECRET": ""}, sources=SRC, environment="production")
    assert (result.outcome, result.summary) == (
        Outcome.FAILED,
        "JWT_SECRET (.env.production:3) is empty; JWT_REFRESH_SECRET is not set in environment "
        "production",
    )
    result, _ = run_check("secret.strength", {"names": ["A_KEY", "B_KEY"]}, Path("."),
                          env={"A_KEY": STRONG, "B_KEY": STRONG[::-1]})
    assert (result.outcome, result.summary) == (
        Outcome.PASSED, "2 secrets are strong (32+ characters, 5+ distinct, ~64+ bits)")
    assert result.evidence["secrets"]["A_KEY"] == {
        "present": True, "source": "test", "length": 32, "distinct": 32,
        "entropy_bits": round(entropy_bits(STRONG)), "weak": []}


def test_a_name_is_required() -> None:
    from pydantic import ValidationError

    from gonogo.checks.secret import SecretStrengthCheck

    with pytest.raises(ValidationError, match="expected `name: SECRET_NAME`"):
        SecretStrengthCheck.model_validate({})


def test_assess_with_a_denylist() -> None:
    rules = Rules.of(min_length=4, denylist=["Hunter2Hunter2"])
    assert assess("hunter2hunter2", rules).reasons == ["is on this check's denylist"]
