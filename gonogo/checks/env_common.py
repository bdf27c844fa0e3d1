"""What the environment and secret check types share: finding a setting and saying where
it came from, the ``.env.example`` file, local and documentation hosts, placeholders.

Nothing here returns or formats a setting's value: messages name the setting and its
source (``JWT_SECRET (.env.production:3)``) and say what is wrong with it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path

from gonogo.checks.base import CheckContext
from gonogo.core.errors import CheckError, CheckFailed, GonogoError
from gonogo.envfiles import EnvValue, read_env_file

EXAMPLE_NAMES = (".env.example", ".env.sample", ".env.template", ".env.dist", "example.env")
PRODUCTION_NAMES = frozenset({"production", "prod", "live", "prd"})

#: Exact values (compared case-insensitively) that are placeholders or well-known weak secrets.
WEAK_VALUES = frozenset(
    """changeme change_me change-me changethis changeit secret secrets password passwd
    passw0rd p@ssw0rd p@ssword pass 1234 12345 123456 1234567 12345678 123456789 1234567890
    qwerty qwerty123 letmein admin administrator root toor test testing test123 dev
    development local localhost example sample dummy placeholder default todo tbd fixme
    xxx null none undefined nil empty foo bar baz foobar abc abc123 mysecret supersecret
    secretkey secret_key secret-key jwt_secret jwtsecret your_secret yoursecret token key
    apikey api_key insecure notasecret not-a-secret replaceme replace_me s3cr3t""".split()
)
#: Shapes of template placeholders (matched case-insensitively against the whole value).
PLACEHOLDER_PATTERNS = tuple(
    re.compile(p, re.I)
    for p in (
        r"(your|my|the|insert|put|enter|add|set)[-_ .]?.*[-_ .](here|goes[-_ .]?here)",
        r"(your|insert|enter|replace)[-_ .].*",
        r"x{3,}|\*{3,}|\.{3,}|_{3,}|-{3,}|0{6,}",
        r"<[^<>]*>|\{\{.*\}\}|\[\[.*\]\]|%[A-Z_]+%",
        r"\$\{[A-Za-z_][A-Za-z0-9_]*\}",
        r".*(change[-_ ]?me|replace[-_ ]?me|fill[-_ ]?me|placeholder).*",
        r"(.*[^a-z])?(todo|fixme|tbd)([^a-z].*)?",
    )
)
#: Words that make a signing key guessable, whatever its length (5+ letters: random text
#: practically never contains them by chance).
WEAK_WORDS = ("secret", "password", "passwd", "changeme", "example", "sample", "dummy",
              "default", "placeholder", "qwerty", "letmein", "admin")
DOC_DOMAINS = ("example.com", "example.org", "example.net", "example.edu", "test", "invalid",
               "localhost")
LOCAL_SUFFIXES = (".local", ".localhost", ".internal.localhost", ".lan", ".home.arpa")


def where(setting: EnvValue) -> str:
    """``NAME (source)``: how every message points at a setting."""
    return f"{setting.name} ({setting.source})"


def require_setting(ctx: CheckContext, name: str) -> EnvValue:
    """The setting, or CheckFailed saying it is missing or empty."""
    setting = ctx.settings.get(name)
    env = f" in environment {ctx.environment}" if ctx.environment else ""
    if setting is None:
        raise CheckFailed(f"{name} is not set{env}", {"name": name, "present": False})
    if not setting.value.strip():
        raise CheckFailed(f"{where(setting)} is empty", {"name": name, "source": setting.source})
    return setting


def example_file(ctx: CheckContext, path: str | None) -> Path | None:
    """The ``.env.example`` to compare with: ``path`` if given, else the first usual name."""
    if path is not None:
        found = ctx.resolve(path)
        if not found.is_file():
            raise CheckError(f"example file {path} not found")
        return found
    for name in EXAMPLE_NAMES:
        if (ctx.workdir / name).is_file():
            return ctx.workdir / name
    return None


def read_example(ctx: CheckContext, path: str | None) -> dict[str, EnvValue]:
    found = example_file(ctx, path)
    if found is None:
        return {}
    try:
        shown = str(found.relative_to(ctx.workdir))
    except ValueError:
        shown = str(found)
    try:
        return read_env_file(found, display=shown)
    except GonogoError as exc:
        raise CheckError(str(exc)) from None


def is_production(ctx: CheckContext) -> bool:
    return (ctx.environment or "").lower() in PRODUCTION_NAMES


def local_host(host: str, service_names: Iterable[str] = ()) -> str | None:
    """Why ``host`` is local to a developer machine or a compose network, or None."""
    name = host.strip("[]").lower().rstrip(".")
    if not name:
        return None
    if name in {s.lower() for s in service_names}:
        return "a docker service name"
    if name == "localhost" or name.endswith(LOCAL_SUFFIXES) or name == "host.docker.internal":
        return "a local host"
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return None
    if address.is_loopback:
        return "a loopback address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_link_local:
        return "a link-local address"
    return None


def documentation_host(host: str) -> bool:
    """example.com and friends (RFC 2606 / 6761): never a real production host."""
    name = host.strip("[]").lower().rstrip(".")
    return any(name == d or name.endswith("." + d) for d in DOC_DOMAINS if d != "localhost")


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    name = host.lower().rstrip(".")
    return any(fnmatchcase(name, p.lower().rstrip(".")) for p in patterns)


def placeholder(value: str, name: str = "", *, secret: bool = True) -> str | None:
    """Why ``value`` is a placeholder (or, for a secret, a well-known weak value), or None.

    The list of weak words applies to secrets only: ``none`` or ``default`` are fine
    values for ordinary settings; template shapes (``your-…-here``) never are."""
    text = value.strip().strip("\"'")
    if not text:
        return None
    lowered = text.lower()
    if secret and lowered in WEAK_VALUES:
        return "is a well-known placeholder or weak value"
    if secret and name and lowered.replace("-", "_") == name.lower():
        return "is its own name"
    for pattern in PLACEHOLDER_PATTERNS:
        if pattern.fullmatch(text):
            return "looks like a template placeholder"
    return None


def weak_word(value: str) -> str | None:
    lowered = re.sub(r"[^a-z]", "", value.lower())
    return next((w for w in WEAK_WORDS if w in lowered), None)


TEST_KEY_PREFIXES = {
    "sk_test_": "a Stripe test-mode secret key",
    "rk_test_": "a Stripe test-mode restricted key",
    "pk_test_": "a Stripe test-mode publishable key",
    "whsec_test_": "a Stripe test webhook secret",
    "django-insecure-": "Django's generated development key",
    "sandbox-sq0": "a Square sandbox credential",
    "test_": None,  # too generic on its own: only with a payment-looking name (see below)
}
DOC_EXAMPLE_VALUES = {
    "AKIAIOSFODNN7EXAMPLE": "the AWS documentation's example access key",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY": "the AWS documentation's example secret key",
}


def test_key(name: str, value: str) -> str | None:
    """Why ``value`` is a test/sandbox credential, or None."""
    text = value.strip()
    if text in DOC_EXAMPLE_VALUES:
        return DOC_EXAMPLE_VALUES[text]
    for prefix, what in TEST_KEY_PREFIXES.items():
        if what and text.startswith(prefix):
            return f"{what} ({prefix}…)"
    if text.startswith("test_") and re.search(r"STRIPE|PAY|CHECKOUT|BILLING|MOLLIE|ADYEN", name, re.I):
        return "a test-mode payment key (test_…)"
    if re.search(r"(PAYPAL|BRAINTREE|SQUARE|PLAID).*(MODE|ENV)", name, re.I) and text.lower() in (
        "sandbox", "test", "development"
    ):
        return "a sandbox payment mode"
    return None
