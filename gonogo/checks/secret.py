"""``secret.strength``: a secret is long, varied and unguessable — and the message says
why one is weak without ever showing it.

Rules (each reported separately): minimum length, minimum distinct characters, an
entropy estimate, a denylist of placeholders and well-known weak values, dictionary
words that make a key guessable, and equality with the ``.env.example`` value.
``framework: true`` applies Django's rule for signing keys (50+ characters, 5+ distinct).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field, model_validator

from gonogo.checks.base import Check, CheckContext, Evidence
from gonogo.checks.env_common import placeholder, read_example, test_key, weak_word, where
from gonogo.core.errors import CheckFailed
from gonogo.envfiles import EnvValue
from gonogo.hookimpl import hookimpl

DEFAULT_MIN_LENGTH = 32
FRAMEWORK_MIN_LENGTH = 50  # Django's SECRET_KEY_MIN_LENGTH
DEFAULT_MIN_DISTINCT = 5  # Django's SECRET_KEY_MIN_UNIQUE_CHARACTERS
DEFAULT_MIN_ENTROPY = 64.0
FRAMEWORK_MIN_ENTROPY = 128.0


@dataclass(frozen=True)
class Rules:
    min_length: int = DEFAULT_MIN_LENGTH
    min_distinct: int = DEFAULT_MIN_DISTINCT
    min_entropy: float = DEFAULT_MIN_ENTROPY
    denylist: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        *,
        min_length: int | None = None,
        min_distinct: int | None = None,
        min_entropy: float | None = None,
        framework: bool = False,
        denylist: list[str] | None = None,
    ) -> Rules:
        return cls(
            min_length=min_length or (FRAMEWORK_MIN_LENGTH if framework else DEFAULT_MIN_LENGTH),
            min_distinct=min_distinct or DEFAULT_MIN_DISTINCT,
            min_entropy=(min_entropy if min_entropy is not None
                         else FRAMEWORK_MIN_ENTROPY if framework else DEFAULT_MIN_ENTROPY),
            denylist=frozenset(d.lower() for d in denylist or ()),
        )


@dataclass
class Strength:
    """The verdict on one value: its measurements and the reasons it is weak (no value)."""

    length: int
    distinct: int
    entropy_bits: float
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reasons

    def as_data(self) -> dict[str, Any]:
        return {"length": self.length, "distinct": self.distinct,
                "entropy_bits": round(self.entropy_bits), "weak": self.reasons}


def entropy_bits(value: str) -> float:
    """An estimate of the guessing work in ``value``, in bits.

    Shannon entropy of the characters times the length, where a value that repeats a
    shorter unit counts once (``abcabcabc`` is ``abc``) and characters that continue an
    arithmetic run (``abcdef``, ``123456``) count nothing. A lower bound for random
    strings, and low for the keyboard walks and repetitions people type."""
    unit = _shortest_period(value)
    if not unit:
        return 0.0
    counts = Counter(unit)
    n = len(unit)
    per_char = -sum(c / n * math.log2(c / n) for c in counts.values())
    predictable = sum(
        1 for i in range(2, n) if ord(unit[i]) - ord(unit[i - 1]) == ord(unit[i - 1]) - ord(unit[i - 2])
    )
    return per_char * (n - predictable)


def _shortest_period(value: str) -> str:
    n = len(value)
    for size in range(1, n // 2 + 1):
        if n % size == 0 and value[:size] * (n // size) == value:
            return value[:size]
    return value


def assess(value: str, rules: Rules, *, name: str = "", example: EnvValue | None = None) -> Strength:
    """Measure ``value`` against ``rules``; every reason is phrased to follow the setting's name."""
    strength = Strength(len(value), len(set(value)), entropy_bits(value))
    reasons = strength.reasons
    why = placeholder(value, name)
    if why is None and value.strip().lower() in rules.denylist:
        why = "is on this check's denylist"
    if why:
        reasons.append(why)
    if example is not None and example.value and value == example.value:
        reasons.append(f"is the value from {example.source}")
    if test := test_key(name, value):
        reasons.append(f"is {test}")
    if strength.length < rules.min_length:
        reasons.append(f"is {strength.length} characters, needs at least {rules.min_length}")
    if strength.distinct < rules.min_distinct:
        reasons.append(
            f"has only {strength.distinct} distinct characters, needs at least {rules.min_distinct}"
        )
    if not why and strength.entropy_bits < rules.min_entropy:
        reasons.append(
            f"has an estimated {strength.entropy_bits:.0f} bits of entropy, "
            f"needs at least {rules.min_entropy:.0f} (too repetitive or predictable)"
        )
    if not why and (word := weak_word(value)):
        reasons.append(f"contains the dictionary word {word!r}, which makes it guessable")
    return strength


class SecretStrengthCheck(Check):
    """A secret is set and strong: long, varied, not a placeholder, not the example value."""

    type_name = "secret.strength"
    example = {"name": "JWT_SECRET", "min_length": 32}

    name: str | None = None
    names: list[str] = []
    min_length: int | None = Field(default=None, ge=1)
    min_distinct: int | None = Field(default=None, ge=1)
    min_entropy: float | None = Field(default=None, ge=0)
    #: A framework signing key (Django SECRET_KEY, Rails secret_key_base): 50+ characters.
    framework: bool = False
    denylist: list[str] = []
    #: The example env file whose values must not be reused (default: .env.example if present).
    env_example: str | None = Field(default=None, alias="example")

    @model_validator(mode="after")
    def _one_name(self) -> SecretStrengthCheck:
        if not self.name and not self.names:
            raise ValueError("expected `name: SECRET_NAME` or `names: [A, B]`")
        return self

    @property
    def all_names(self) -> list[str]:
        return ([self.name] if self.name else []) + [n for n in self.names if n != self.name]

    @property
    def rules(self) -> Rules:
        return Rules.of(min_length=self.min_length, min_distinct=self.min_distinct,
                        min_entropy=self.min_entropy, framework=self.framework,
                        denylist=self.denylist)

    def describe(self) -> str:
        return f"secret.strength: {', '.join(self.all_names)} ({self.rules.min_length}+ characters)"

    async def run(self, ctx: CheckContext) -> Evidence:
        example = read_example(ctx, self.env_example)
        rules = self.rules
        problems: list[str] = []
        data: dict[str, Any] = {}
        for name in self.all_names:
            setting = ctx.settings.get(name)
            if setting is None:
                problems.append(f"{name} is not set" + (
                    f" in environment {ctx.environment}" if ctx.environment else ""))
                data[name] = {"present": False}
                continue
            if not setting.value:
                problems.append(f"{where(setting)} is empty")
                data[name] = {"present": True, "source": setting.source, "length": 0}
                continue
            strength = assess(setting.value, rules, name=name, example=example.get(name))
            data[name] = {"present": True, "source": setting.source, **strength.as_data()}
            if not strength.ok:
                problems.append(f"{where(setting)} " + "; ".join(strength.reasons))
        if problems:
            raise CheckFailed("; ".join(problems), {"secrets": data})
        count = len(self.all_names)
        noun = "secret is" if count == 1 else f"{count} secrets are"
        return Evidence(
            summary=f"{noun} strong ({rules.min_length}+ characters, "
                    f"{rules.min_distinct}+ distinct, ~{rules.min_entropy:.0f}+ bits)",
            data={"secrets": data},
        )


@hookimpl
def gonogo_check_types() -> list[type[Check]]:
    return [SecretStrengthCheck]
