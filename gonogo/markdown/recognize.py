"""Recognition of common checklist items: one small function per kind of item.

Each rule looks at one item (its text, its section's code blocks, the document) and
returns a ``Recognized`` proposal — a catalogue check type with parameters — or None.
``bind`` tries the rules in ``RULES`` order and keeps the first proposal whose type is
registered and whose values are known.

Values the document lacks come from the sidecar's environment ``vars``, its env files
or the process environment, and go into parameters as ``${name}`` so the loader
interpolates them. Names looked up (as written, then upper-case):

- ``domain``        the production domain ("`ALLOWED_ORIGINS` includes production domain";
                    rewrites the host of the document's ``curl`` URLs)
- ``api_url``       base URL of the API (``curl`` lines to ``api.…``, "API service healthy")
- ``web_url``       base URL of the web app (``curl`` lines to the domain, "homepage loads")
- ``db_host`` / ``db_hosts``  the production database host(s) ("`DATABASE_URL` points to production DB")
- ``DATABASE_URL``  the database backups and migrations use
- ``backup_dir``    where backups go (default ``backups``)
- ``base_ref``      the git ref "changed files" are compared with (default ``origin/main``)
- ``alertmanager_url``, ``max_latency``, ``notify_url``, ``login_url``, ``SMOKE_EMAIL``,
  ``SMOKE_PASSWORD``  for the monitoring, notification and login items
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from gonogo.markdown.parse import Document, Item, Section
from gonogo.markdown.shell import CommandLine, escape


@dataclass
class Recognized:
    """A proposed binding: check type, parameters, and what it still lacks."""

    type: str
    params: dict[str, Any]
    rule: str
    needs: list[str] = field(default_factory=list)
    consumes: list[CommandLine] = field(default_factory=list)
    note: str | None = None
    #: A command the item was matched to (safety rules apply to it).
    command: CommandLine | None = None


@dataclass
class Context:
    """What rules may look at besides the item."""

    doc: Document
    variables: Mapping[str, str]
    secrets: list[dict[str, Any]]
    services: list[dict[str, Any]]
    used: set[int] = field(default_factory=set)  # id() of consumed CommandLines
    backup_check: str | None = None  # id of the check bound to postgres.backup

    def ref(self, *names: str) -> str | None:
        """``${name}`` for the first of ``names`` that has a non-empty value, else None."""
        for name in names:
            for candidate in dict.fromkeys((name, name.upper())):
                if self.variables.get(candidate):
                    return "${" + candidate + "}"
        return None

    def value(self, *names: str) -> str | None:
        for name in names:
            for candidate in dict.fromkeys((name, name.upper())):
                value = self.variables.get(candidate)
                if value:
                    return value
        return None


Rule = Callable[[Item, Section, Context], "Recognized | None"]

# ---- words ----------------------------------------------------------------------------

_SUFFIXES = ("ions", "ion", "ings", "ing", "ies", "es", "ed", "s", "e")
_FILLER = frozenset(
    "pass succe succeed successful successfully work ok without error no all the a an is are "
    "be run clean cleanly green complet fine correctly of in on for to with and or any there "
    "if applicabl".split()
)
_VERBS = frozenset(
    "build lint test install generat migrat compil typecheck format push pull tag deploy audit "
    "scan seed backup dump restor validat verif sync bundl pack publish upload smoke prettier "
    "eslint tsc vet fmt clippy mypy pytest rubocop check".split()
)
_ENV_NAME = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b[A-Z]{3,}[A-Z0-9]*\b")
_CODE = re.compile(r"`([^`]+)`")
_URL = re.compile(r"https?://[^\s'\"`|>)]+")


def stem(word: str) -> str:
    w = word.lower()
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)]
    return w


def words(text: str) -> list[str]:
    return [stem(w) for w in re.findall(r"[A-Za-z0-9]+", text)]


def has(text: str, pattern: str) -> bool:
    return re.search(pattern, text, re.I) is not None


def env_names(text: str) -> list[str]:
    """Environment variable names an item mentions (`JWT_SECRET`, DATABASE_URL)."""
    names = [c for c in _CODE.findall(text) if re.fullmatch(r"[A-Z][A-Z0-9_]*", c)]
    if not names:
        names = [n for n in _ENV_NAME.findall(text) if "_" in n]
    return list(dict.fromkeys(names))


def codes(text: str) -> list[str]:
    return _CODE.findall(text)


def free(ctx: Context, commands: Sequence[CommandLine]) -> list[CommandLine]:
    return [c for c in commands if id(c) not in ctx.used]


# ---- environment and secrets ----------------------------------------------------------


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


# ---- backups --------------------------------------------------------------------------

_DUMP = re.compile(r"\b(pg_dump|pg_dumpall|mysqldump|mongodump)\b")


def backup_created(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    if not (has(text, r"\bbackups?\b|\bback(ed)? up\b|\bdump\b")
            and not has(text, r"verif|restor|test|valid|check")):
        return None
    url = ctx.ref("DATABASE_URL", "database_url")
    directory = ctx.ref("backup_dir") or "backups"
    params = {"database_url": url or "${DATABASE_URL}", "path": f"{directory}/backup_{{timestamp}}.dump"}
    dumps = [c for c in free(ctx, section.commands) if _DUMP.search(c.text)]
    return Recognized("postgres.backup", params, "postgres.backup",
                      needs=[] if url else ["DATABASE_URL"], consumes=dumps)


def backup_verified(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    if not (has(text, r"\bbackups?\b|\bdump\b") and has(text, r"verif|restor|test|valid")):
        return None
    if ctx.backup_check is None:
        return Recognized("postgres.restore_verify", {}, "postgres.restore_verify", needs=["backup"],
                          note="no item before it is bound to postgres.backup")
    return Recognized("postgres.restore_verify", {"backup": ctx.backup_check}, "postgres.restore_verify")


# ---- HTTP -----------------------------------------------------------------------------

_HTTPISH = (r"\breturns?\s+(http\s*)?\d{3}\b|\bresponds?\b|\bloads?\b|\breachable\b|\bis up\b"
            r"|\bhome ?page\b|\bendpoint\b|\b(200|201|204|301|302)\b")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


@dataclass
class _Curl:
    url: str
    command: CommandLine
    section: Section


def _curls(doc: Document) -> list[_Curl]:
    found = []
    for section in doc.sections:
        for command in section.commands:
            if re.search(r"\b(curl|wget|http|httpie)\b", command.text):
                match = _URL.search(command.text)
                if match:
                    found.append(_Curl(match.group(0).rstrip(".,;"), command, section))
    return found


def _split(url: str) -> tuple[str, str, str, str]:
    """(scheme, host, path, query) of a URL; a malformed one is all path."""
    try:
        parts = urlsplit(url)
        return parts.scheme, parts.hostname or "", parts.path, parts.query
    except ValueError:
        return "", "", url, ""


def _is_api(url: str) -> bool:
    _, host, path, _ = _split(url)
    return host.startswith("api.") or "/api" in path


def _rewrite(url: str, ctx: Context) -> str:
    """Point a URL of the document at the sidecar's ``api_url``/``web_url``/``domain``."""
    url = escape(url)
    scheme, host, path, query = _split(url)
    tail = path + (f"?{query}" if query else "")
    if _is_api(url) and host.startswith("api."):
        api = ctx.ref("api_url")
        if api:
            return api + tail
    elif not host.startswith("api."):
        web = ctx.ref("web_url")
        if web:
            return web + tail
    domain = ctx.ref("domain")
    if domain and "." in host:
        sub = host.split(".")[0] + "." if host.count(".") >= 2 else ""
        return f"{scheme or 'https'}://{sub}{domain}{tail}"
    return url


def _pick_url(item: Item, section: Section, ctx: Context) -> _Curl | None:
    curls = _curls(ctx.doc)
    path = next((c for c in codes(item.text) if c.startswith("/")), None)
    literal = _URL.search(item.text)
    api = has(item.text, r"\bapi\b|backend")
    web = has(item.text, r"\bweb\b|home ?page|site|frontend|landing|front page")
    ranked = sorted(curls, key=lambda c: c.section is not section)
    for curl in ranked:
        if literal and not curl.url.startswith(literal.group(0)):
            continue
        if path and not _split(curl.url)[2].rstrip("/").endswith(path.rstrip("/")):
            continue
        if api and not _is_api(curl.url):
            continue
        if web and not api and _is_api(curl.url):
            continue
        return curl
    return None


def http_item(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = _LINK.sub(r"\1", item.text)  # a link is a reference, not a claim about its target
    if not has(text, _HTTPISH):
        return None
    status = re.search(r"\b([1-5]\d\d)\b", text)
    expect = {"status": int(status.group(1)) if status else 200}
    literal = _URL.search(text)
    curl = _pick_url(item, section, ctx)
    if curl is not None:
        consumes = [curl.command] if curl.section is section and id(curl.command) not in ctx.used else []
        return Recognized("http", {"url": _rewrite(curl.url, ctx), "expect": expect}, "http",
                          consumes=consumes, note=f"curl line {curl.command.line}")
    if literal:
        return Recognized("http", {"url": _rewrite(literal.group(0), ctx), "expect": expect}, "http")
    path = next((c for c in codes(text) if c.startswith("/")), "")
    base, need = _base_url(text, ctx)
    if base is None:
        return Recognized("http", {"expect": expect}, "http", needs=[need])
    return Recognized("http", {"url": base + path, "expect": expect}, "http")


def _base_url(text: str, ctx: Context) -> tuple[str | None, str]:
    if has(text, r"\bapi\b|backend"):
        return ctx.ref("api_url") or ((f"https://api.{ctx.ref('domain')}") if ctx.ref("domain") else None), "api_url"
    return ctx.ref("web_url") or ((f"https://{ctx.ref('domain')}") if ctx.ref("domain") else None), "web_url"


# ---- services -------------------------------------------------------------------------


def service_healthy(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    match = re.search(r"\b([\w-]+)\s+(service\s+|container\s+)?(is\s+)?(healthy|up|running|responding)\b", text, re.I)
    routing = has(text, r"\b(nginx|proxy|routing|load balancer|ingress|traefik|caddy)\b")
    if not match and not routing:
        return None
    if has(text, r"\blocal(ly)?\b"):
        return None
    name = (match.group(1) if match else "proxy").lower()
    for service in ctx.services:
        health = service.get("health")
        if str(service.get("name", "")).lower() == name and isinstance(health, dict) and health.get("url"):
            expect = {"status": health.get("status", 200)}
            return Recognized("http", {"url": health["url"], "expect": expect}, "service health",
                              note=f"services[{service['name']}].health")
    curls = _curls(ctx.doc)
    if routing:
        public = next((c for c in curls if not _is_api(c.url)), curls[0] if curls else None)
        if public is not None:
            return Recognized("http", {"url": _rewrite(public.url, ctx), "expect": {"status": 200}},
                              "proxy routing", note=f"curl line {public.command.line}")
        base, need = _base_url("web", ctx)
        if base is None:
            return Recognized("http", {}, "proxy routing", needs=["domain"])
        return Recognized("http", {"url": base, "expect": {"status": 200}}, "proxy routing")
    api = name in ("api", "backend", "server")
    chosen = next((c for c in curls if _is_api(c.url) == api), None)
    if chosen is not None:
        return Recognized("http", {"url": _rewrite(chosen.url, ctx), "expect": {"status": 200}},
                          "service health", note=f"curl line {chosen.command.line}")
    var = f"{name}_url"
    ref = ctx.ref(var)
    if ref is None:
        return Recognized("http", {}, "service health", needs=[var])
    return Recognized("http", {"url": ref + ("/health" if api else ""), "expect": {"status": 200}},
                      "service health")


# ---- commands of the section ----------------------------------------------------------


def command_of_section(item: Item, section: Section, ctx: Context) -> Recognized | None:
    """The item names a command of its section's code blocks: it passes when that command does."""
    candidates = free(ctx, section.commands)
    if not candidates:
        return None
    for code in codes(item.text):
        code = code.strip()
        if len(code) < 2:
            continue
        for strength in ("same", "prefix", "inside"):
            hits = [c for c in candidates if _names(c.text, code, strength)]
            if hits:
                return _command(hits[:1], "command of the section")
    item_words = {w for w in words(_CODE.sub(" ", item.text) + " " + " ".join(codes(item.text)))
                  if w not in _FILLER}
    scored: list[tuple[int, CommandLine]] = []
    for command in candidates:
        matched = item_words & set(words(command.text))
        if matched & _VERBS:
            scored.append((len(matched), command))
    if not scored:
        return None
    best = max(score for score, _ in scored)
    top = [c for score, c in scored if score == best]
    if len({c.cwd for c in top}) > 1:
        top = top[:1]
    return _command(top, "command of the section")


def _names(command: str, code: str, strength: str) -> bool:
    """Whether an item's `code` names ``command``: exactly, as its start, or inside it."""
    if strength == "same":
        return command == code
    if strength == "prefix":
        return command.startswith(code + " ")
    return len(code) >= 4 and code in command


def _command(commands: list[CommandLine], rule: str) -> Recognized:
    first = commands[0]
    run = " && ".join(c.text for c in commands)
    params: dict[str, Any] = {"run": escape(run)}
    if first.cwd:
        params["cwd"] = escape(first.cwd)
    if first.env:
        params["env"] = {k: escape(v) for k, v in first.env.items()}
    lines = ", ".join(str(c.line) for c in commands)
    return Recognized("command", params, rule, consumes=list(commands),
                      note=f"line{'s' if len(commands) > 1 else ''} {lines}", command=first)


# ---- databases, images, code --------------------------------------------------------------

_TOOLS = (("prisma", "prisma"), ("alembic", "alembic"), ("manage.py", "django"), ("django", "django"),
          ("flyway", "flyway"))


def migrations(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"\bmigrat"):
        return None
    tool, directory = _migration_tool(ctx.doc)
    url = ctx.ref("DATABASE_URL", "database_url")
    params: dict[str, Any] = {"database_url": url or "${DATABASE_URL}"}
    if tool:
        params = {"tool": tool, **params}
    if directory:
        params["dir"] = directory
    needs = ([] if url else ["DATABASE_URL"]) + ([] if tool else ["migrations tool"])
    return Recognized("migrations", params, "migrations", needs=needs)


def _migration_tool(doc: Document) -> tuple[str | None, str | None]:
    for section in doc.sections:
        for command in section.commands:
            for needle, tool in _TOOLS:
                if needle in command.text:
                    directory = None
                    if tool == "prisma":
                        directory = f"{command.cwd}/prisma/migrations" if command.cwd else None
                    return tool, directory
    return None, None


def images(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    if not has(text, r"\bimages?\b|\bcontainers?\b"):
        return None
    if has(text, r"\bpush|\bpublish|\bupload|\bregistry|docker hub|\btags?\b"):
        return Recognized("registry.tag", {"tag": "${version:-latest}"}, "images pushed",
                          needs=["services (image names)"] if not ctx.services else [])
    if has(text, r"\bbuild"):
        return Recognized("docker.build", {"context": "."}, "images build")
    return None


def typescript(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"typescript|type errors|type-?check|\btsc\b|types? (are )?(valid|correct)"):
        return None
    checking = [c for c in free(ctx, section.commands)
                if re.search(r"\btsc\b|type-?check", c.text)]
    if checking:
        return _command(checking, "type-check command of the section")
    packages = list(dict.fromkeys(
        m.group(1) for c in section.commands for m in re.finditer(r"--filter[= ]+([\w@/.-]+)", c.text)
    ))
    return Recognized("typecheck", {"packages": packages} if packages else {}, "typecheck")


def changed_files_any(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    if not (has(text, r"`any`|\bany types?\b") and has(text, r"changed|diff|modified|new code|touched")):
        return None
    base = ctx.ref("base_ref")
    return Recognized("typescript.no_any", {"base": base} if base else {}, "typescript.no_any")


def jsonb(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"\bjsonb?\b") or not has(item.text, r"schema|valid"):
        return None
    return Recognized("postgres.jsonb_schema", {}, "postgres.jsonb_schema",
                      needs=["table, column and schema (bind it in the sidecar)"])


# ---- after the deploy -----------------------------------------------------------------


def dashboards(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"grafana|dashboards?|anomal|alerts?\b|alertmanager"):
        return None
    url = ctx.ref("alertmanager_url")
    return Recognized("alerts", {"url": url} if url else {}, "alerts", needs=[] if url else ["alertmanager_url"])


def error_logs(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"\blogs?\b") or not has(item.text, r"error|exception|fatal|panic"):
        return None
    api = next((s for s in ctx.services if str(s.get("name", "")).lower() in ("api", "backend")), None)
    params: dict[str, Any] = {"pattern": "ERROR|Exception"}
    if api is not None:
        params["container"] = api.get("service") or api["name"]
    return Recognized("logs", params, "logs", needs=[] if api else ["services (container names)"])


def response_times(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"response times?|latency|p9\d|slow"):
        return None
    limit = ctx.ref("max_latency")
    curl = next((c for c in _curls(ctx.doc) if _is_api(c.url)), None)
    params: dict[str, Any] = {"url": _rewrite(curl.url, ctx)} if curl else {}
    if limit:
        params["p95"] = limit
    needs = ([] if limit else ["max_latency"]) + ([] if curl else ["api_url"])
    return Recognized("http.latency", params, "http.latency", needs=needs)


def notify(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"\bnotify|\bannounce|\binform\b|\bpost .* (slack|channel)|\btell\b"):
        return None
    url = ctx.ref("notify_url")
    return Recognized("notify", {"urls": [url]} if url else {}, "notify", needs=[] if url else ["notify_url"])


def status_record(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    paths = [c for c in codes(text) if re.search(r"[/.]\w", c) and " " not in c]
    if not paths or not has(text, r"\bupdate|\brecord|\bdocument|\blog\b|\bwrite"):
        return None
    return Recognized("record", {"path": paths[0]}, "deployment record",
                      note="appends this deploy's row; earlier rows are never rewritten")


def authentication(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"authenticat|\blog ?in\b|\bsign ?in\b|\bauth\b"):
        return None
    login = ctx.ref("login_url")
    email, password = ctx.ref("SMOKE_EMAIL"), ctx.ref("SMOKE_PASSWORD")
    needs = [n for n, v in (("login_url", login), ("SMOKE_EMAIL", email), ("SMOKE_PASSWORD", password)) if not v]
    params: dict[str, Any] = {}
    if not needs:
        params = {"steps": [{"request": {"method": "POST", "url": login,
                                         "json": {"email": email, "password": password}},
                             "expect": {"status": [200, 201]}}]}
    return Recognized("http.flow", params, "login flow", needs=needs)


def needs_a_person(item: Item, section: Section, ctx: Context) -> Recognized | None:
    """Items only a person can settle, with a reason better than "no rule recognizes this"."""
    text = item.text
    if has(text, r"\blocal(ly)?\b|local stack") and has(text, r"health|runs?|starts?|works?"):
        reason = ("needs the local stack running (`docker-compose … up` does not end by itself); "
                  "start it, then sign off")
    elif has(text, r"\(if applicable\)|\bif (needed|applicable|any)\b|\boptional\b"):
        reason = "applies only sometimes; sign it off, or waive it when it does not apply"
    else:
        return None
    return Recognized("manual", {"reason": reason}, "needs a person")


#: Tried in this order; the first proposal that can bind wins.
RULES: tuple[Rule, ...] = (
    env_required,
    secret_strength,
    env_url,
    env_list,
    env_no_dev_values,
    backup_verified,
    backup_created,
    http_item,
    migrations,  # native migration state beats the ORM CLI of the section's code block
    command_of_section,
    typescript,
    changed_files_any,
    service_healthy,
    images,
    jsonb,
    dashboards,
    error_logs,
    response_times,
    notify,
    status_record,
    authentication,
    needs_a_person,
)
