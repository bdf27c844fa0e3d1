"""Whether a setting's *value* looks like a credential, whatever its name: ``AUTH=<40
random characters>`` or ``STRIPE=sk_live_…`` is a secret although neither name says so.

Two rules, both on the value alone:

- a known token shape (Stripe, GitHub, Slack, AWS, GitLab, Google, SendGrid, OpenAI,
  npm, PyPI, JWTs, PEM private keys, Slack/Discord webhooks), anywhere in the value;
- a high-entropy word: at least ``MIN_LENGTH`` characters without spaces whose Shannon
  entropy per character is close to that of random text over its character class.

Hand-written rather than detect-secrets' plugins, on purpose: detect-secrets scans lines
of source code for quoted strings through process-wide settings, and its entropy limits
(4.5 bits for base64, 3.0 for hex) are fixed whatever the length — a random 16 to 22
character token cannot even reach 4.5 bits, so it would miss exactly the short API keys an
env file holds. Here the boundaries of the value are already known, the limit scales with
the length, and ordinary settings (URLs, host names, paths, versions, dates, numbers,
UUIDs, e-mail addresses, lists of origins) are recognised first, so evidence stays
readable. The token shapes follow the vendors' documented formats (the same ones
detect-secrets and gitleaks match).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from itertools import pairwise

MIN_LENGTH = 16
#: Fraction of a random string's entropy a word must reach to count as random.
LIMIT = 0.9
HEX_LIMIT = 0.85

#: Known credential formats; a match anywhere in a value makes it secret.
TOKEN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern)) for name, pattern in (
        ("Stripe key", r"\b[rs]k_(?:live|test)_[0-9A-Za-z]{10,}"),
        ("GitHub token", r"\bgh[pousr]_[0-9A-Za-z]{30,}"),
        ("GitHub token", r"\bgithub_pat_[0-9A-Za-z_]{22,}"),
        ("Slack token", r"\bxox[abposre]-[0-9A-Za-z-]{10,}"),
        ("Slack token", r"\bxapp-\d-[0-9A-Za-z-]{10,}"),
        ("Slack webhook", r"hooks\.slack\.com/(?:services|workflows)/[0-9A-Za-z/_-]{20,}"),
        ("Discord webhook", r"discord(?:app)?\.com/api/webhooks/\d+/[0-9A-Za-z_-]{20,}"),
        ("AWS access key", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
        ("GitLab token", r"\bgl(?:pat|dt|rt|ptt|cbt|oas)-[0-9A-Za-z_-]{20,}"),
        ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}"),
        ("SendGrid key", r"\bSG\.[0-9A-Za-z_-]{16,}\.[0-9A-Za-z_-]{16,}"),
        ("OpenAI/Anthropic key", r"\bsk-(?:proj-|ant-|svcacct-)?[0-9A-Za-z_-]{20,}"),
        ("npm token", r"\bnpm_[0-9A-Za-z]{36}\b"),
        ("PyPI token", r"\bpypi-[0-9A-Za-z_-]{50,}"),
        ("JSON Web Token", r"\beyJ[0-9A-Za-z_-]{8,}\.eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}"),
        ("private key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    )
)

#: Values that are not credentials however random they look, each as a whole word.
_ORDINARY = re.compile(
    r"""
      [+-]?\d+(?:[.,_]\d+)*(?:[eE][+-]?\d+)?                      # a number
    | v?\d+(?:\.\d+)+(?:[-+][0-9A-Za-z.-]+)?                      # a version, 1.4.2-rc.1+b7
    | \d{4}-\d{2}-\d{2}(?:[T\ ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?
    | [0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}  # a UUID
    | (?:[\w.+-]+@)?(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}\.?(?::\d{1,5})?  # host, e-mail
    | [\w.-]+:\d{1,5}                                             # host:port
    | [a-z0-9._-]+(?::\d{1,5})?(?:/[a-z0-9._-]+)+(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?
                                           # a lower-case path or image reference (Docker's
                                           # names are lower-case; random text is not)
    """,
    re.X,
)
_WORD_SPLIT = re.compile(r"[\s,;]+")
#: A URL query parameter whose value is a credential whatever it looks like
#: (``?password=``, ``?access_token=``, ``?sig=`` of a signed URL).
_SECRET_PARAM = re.compile(r"pass|secret|token|key|sig|auth|credential", re.I)


def _entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in Counter(text).values())


def _alphabet(word: str) -> int:
    """The size of the character class the word is drawn from."""
    if re.fullmatch(r"[0-9a-f]+|[0-9A-F]+", word):
        return 16
    size = 0
    size += 26 if re.search(r"[a-z]", word) else 0
    size += 26 if re.search(r"[A-Z]", word) else 0
    size += 10 if re.search(r"\d", word) else 0
    size += 32 if re.search(r"[^0-9A-Za-z]", word) else 0
    return size


def _random_entropy(length: int, alphabet: int) -> float:
    """About the entropy per character of random text: log2 of the expected number of
    distinct characters among ``length`` drawn from ``alphabet`` (short text cannot show
    every character of its alphabet, so its entropy is lower than log2(alphabet))."""
    distinct = alphabet * (1 - (1 - 1 / alphabet) ** length)
    return math.log2(distinct)


def _random_looking(word: str) -> bool:
    """Entropy close to that of random text of this length over the word's character class.

    The limit is LIMIT (HEX_LIMIT for hexadecimal) of what random text reaches, which
    catches 95-99.9% of random alphanumeric and base64 tokens of 16+ characters (~90% of
    16-character lower-case-and-digit ones; tests/test_credentials.py pins >= 95% for the
    usual alphabets) and no ordinary value of the test table there. Words of letters alone must also switch
    case often (random) rather than at word starts (CamelCase); words without letters are
    numbers, and hexadecimal must mix digits and letters.
    """
    alphabet = _alphabet(word)
    if not re.search(r"[A-Za-z]", word):
        return False
    if alphabet == 16:
        if not (re.search(r"\d", word) and re.search(r"[A-Fa-f]", word)):
            return False
        return _entropy(word) >= HEX_LIMIT * _random_entropy(len(word), 16)
    letters = re.sub(r"[^A-Za-z]", "", word)
    if not re.search(r"\d", word):
        switches = sum(a.islower() != b.islower() for a, b in pairwise(letters))
        if switches < 0.4 * (len(letters) - 1):
            return False
    return _entropy(word) >= LIMIT * _random_entropy(len(word), alphabet)


def credential_kind(value: str) -> str | None:
    """What kind of credential ``value`` looks like ("GitHub token", "high-entropy
    string"), or None for an ordinary value."""
    for name, pattern in TOKEN_PATTERNS:
        if pattern.search(value):
            return name
    return "high-entropy string" if credential_words(value) else None


def credential_words(value: str) -> list[str]:
    """The words of ``value`` that look random enough to be credentials."""
    text = value.strip()
    if text[:1] in ("{", "["):  # JSON: judge its strings, not its punctuation
        strings = re.findall(r'"((?:[^"\\]|\\.)*)"', text)
        return [w for s in strings if s != text for w in credential_words(s)]
    found = []
    for word in _WORD_SPLIT.split(text):
        if "://" in word:  # a URL: its password is redacted apart; its query may carry a token
            found += [v for k, v in _query_values(word)
                      if (_SECRET_PARAM.search(k) and len(v) >= 4) or credential_words(v)]
            continue
        if len(word) < MIN_LENGTH or word[0] in "{[":  # JSON: structure, not a token
            continue
        if _ORDINARY.fullmatch(word):
            if "/" not in word:
                continue
            bare = re.sub(r"@sha256:[0-9a-f]{64}$", "", word)  # an image digest is public
            word_pieces = [p for p in re.split(r"[/:@]", bare) if len(p) >= MIN_LENGTH]
            if any(_random_looking(p) and not _ORDINARY.fullmatch(p) for p in word_pieces):
                found.append(word)
            continue
        pieces = [word] + ([p for p in word.split("/") if len(p) >= MIN_LENGTH]
                           if "/" in word else [])
        if any(_random_looking(p) and not _ORDINARY.fullmatch(p) for p in pieces):
            found.append(word)
    return found


def _query_values(url: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl, urlsplit

    try:
        query = urlsplit(url).query
    except ValueError:
        return []
    return [(k, v) for k, v in parse_qsl(query) if "://" not in v]


def credential_parts(value: str) -> list[str]:
    """The parts of ``value`` to redact on their own besides the whole value: each token
    match and each random-looking word (a program may print one without the rest). A PEM
    header (``-----BEGIN … PRIVATE KEY-----``) is not a part: it is the same in every key."""
    parts = [m.group(0) for name, pattern in TOKEN_PATTERNS if name != "private key"
             for m in pattern.finditer(value)]
    return list(dict.fromkeys(p for p in parts + credential_words(value) if p != value))
