"""Items about the environment: required secrets, strong secrets, URLs that point at the
right host, lists that include a value, no development values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gonogo.markdown.parse import Item, Section
from gonogo.markdown.recognize.base import Context, Recognized, codes, env_names, has


def env_required(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    if not (has(text, r"\brequired\b|\bmandatory\b|\ball\b.*\b(secrets|variables|env)")
            and has(text, r"\b(secrets?|env(ironment)?( var(iable)?s?)?|variables?|keys?)\b")
            and has(text, r"\b(set|present|defined|configured|exist|provided|available)\b")):
        return None
    names = env_names(text)
    if not names:
        names = [s["name"] for s in ctx.secrets if _in_production(s)]
    if not names:
        return Recognized("env.required", {}, "env.required", needs=["secrets"],
                          note="list the secrets in a Secret/Location table or `secrets:` in the sidecar")
    return Recognized("env.required", {"names": names}, "env.required")


def secret_strength(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    if not has(text, r"\bstrong\b|\bcharacters?\b|\bchars\b|\blength\b|\brandom\b|\bentropy\b|\bweak\b"):
        return None
    names = env_names(text)
    if not names:
        return None
    length = re.search(r"(\d+)\s*\+?\s*(characters?|chars|bytes|symbols)", text, re.I)
    params: dict[str, Any] = {"name": names[0], "min_length": int(length.group(1)) if length else 32}
    return Recognized("secret.strength", params, "secret.strength")


def env_url(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    names = env_names(text)
    if not names or not has(text, r"\bpoints?\b|\btargets?\b|\buses\b|\bis set to\b|\bconnects?\b"):
        return None
    name = names[0]
    database = has(name, r"DATABASE|DB|POSTGRES|PG") or has(text, r"\bDB\b|database")
    prefix = "db" if database else name.lower().removesuffix("_url").removesuffix("_uri")
    hosts = ctx.value(f"{prefix}_hosts", f"{prefix}_host")
    if hosts is None:
        return Recognized("env.url", {"name": name}, "env.url", needs=[f"{prefix}_host"])
    ref = ctx.ref(f"{prefix}_host") if "," not in hosts else None
    listed = [ref] if ref else [h.strip() for h in re.split(r"[,\s]+", hosts) if h.strip()]
    return Recognized("env.url", {"name": name, "hosts": listed}, "env.url")


def env_list(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    names = env_names(text)
    if not names or not has(text, r"\bincludes?\b|\bcontains?\b|\blists?\b|\bhas\b"):
        return None
    literal = [c for c in codes(text) if c not in names]
    if literal:
        return Recognized("env.list", {"name": names[0], "contains": literal}, "env.list")
    if has(text, r"domain|origin|host|url"):
        domain = ctx.ref("domain")
        if domain is None:
            return Recognized("env.list", {"name": names[0]}, "env.list", needs=["domain"])
        return Recognized("env.list", {"name": names[0], "contains": [f"https://{domain}"]}, "env.list")
    return None


def env_no_dev_values(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"\bno\b.*\b(dev(elopment)?|test|debug|local(host)?|example|placeholder)\b"
                          r".*\b(values?|settings?|config(uration)?|credentials?|keys?|secrets?|urls?)\b"):
        return None
    return Recognized("env.no_dev_values", {}, "env.no_dev_values")


def _in_production(secret: Mapping[str, Any]) -> bool:
    from gonogo.markdown.tables import in_production

    return in_production(dict(secret))
