"""`gonogo secrets [--env E] [--format table|json]`: the secrets inventory — name,
location, purpose, present, strength, fingerprint, age — never a value.

The inventory is the config's ``secrets:`` list (a Markdown checklist's Required Secrets
table maps to it), plus secret-looking keys found in the environment's files that the
inventory does not list. Exit 0 when every secret checkable from here is present and
strong, 1 otherwise (a missing or weak secret), 2 on a config error.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from gonogo.checks.env_common import EXAMPLE_NAMES
from gonogo.checks.secret import Rules, assess
from gonogo.config.model import Config, SecretModel
from gonogo.envfiles import EnvValue, read_env_file
from gonogo.error_handler import use_redactor
from gonogo.fingerprint import KEY_FILE, fingerprint, load_key
from gonogo.sources import load_config

#: Locations this machine cannot look into: the secret lives in a CI system or a vault.
NOT_CHECKABLE = re.compile(
    r"github|gitlab|\bci\b|ci/cd|actions|circleci|bitbucket|jenkins|vault|1password|"
    r"aws secrets|secret manager|key vault|doppler",
    re.I,
)


@dataclass
class Row:
    name: str
    location: str | None
    purpose: str | None
    declared: bool
    checkable: bool
    present: bool | None  # None: not checkable from here
    source: str | None
    strong: bool | None
    weak: list[str]
    fingerprint: str | None
    rotated: str | None
    age_days: int | None
    overdue: bool

    @property
    def ok(self) -> bool:
        return not self.checkable or (bool(self.present) and self.strong is not False)


def main(args: argparse.Namespace) -> int:
    config = load_config(args.config, env=args.env, strict=False)
    use_redactor(config.environment.redactor)
    key_dir = _state_dir(config)
    rows = inventory(config, load_key(key_dir), today=date.today())
    ok = all(r.ok for r in rows)
    if args.format == "json":
        print(json.dumps({
            "environment": config.environment.name,
            "fingerprint_key": str(key_dir / KEY_FILE),
            "ok": ok,
            "secrets": [{**asdict(r), "ok": r.ok} for r in rows],
        }, indent=2))
    else:
        print(render_table(config, rows))
    return 0 if ok else 1


def _state_dir(config: Config) -> Path:
    location = config.state_location
    return config.root / ".gonogo" if "://" in location else Path(location)


def _example(config: Config) -> dict[str, EnvValue]:
    for name in EXAMPLE_NAMES:
        if (config.root / name).is_file():
            return read_env_file(config.root / name, display=name)
    return {}


def inventory(config: Config, key: bytes, *, today: date) -> list[Row]:
    env = config.environment
    settings = env.values
    example = _example(config)
    declared = [s for s in config.model.secrets
                if not s.environments or env.name is None or env.name in s.environments]
    rows = [_row(s, settings.get(s.name), key, today, example.get(s.name)) for s in declared]
    listed = {s.name for s in config.model.secrets}
    for name, setting in sorted(settings.items()):
        if name in listed or setting.from_process or not env.redactor.is_secret(name):
            continue
        rows.append(_row(SecretModel(name=name), setting, key, today, example.get(name),
                         declared=False))
    return rows


def _row(
    secret: SecretModel,
    setting: EnvValue | None,
    key: bytes,
    today: date,
    example: EnvValue | None,
    *,
    declared: bool = True,
) -> Row:
    checkable = secret.checkable if secret.checkable is not None else not (
        secret.location and NOT_CHECKABLE.search(secret.location))
    age = (today - secret.rotated).days if secret.rotated else None
    overdue = bool(age is not None and secret.max_age and age * 86400 > secret.max_age)
    row = Row(name=secret.name, location=secret.location, purpose=secret.purpose,
              declared=declared, checkable=bool(checkable), present=None, source=None,
              strong=None, weak=[], fingerprint=None,
              rotated=secret.rotated.isoformat() if secret.rotated else None,
              age_days=age, overdue=overdue)
    if setting is None:
        row.present = False if checkable else None
        return row
    row.present = bool(setting.value)
    row.source = setting.source
    row.checkable = True  # it is here, whatever the location says
    if setting.value:
        r = secret.rules
        rules = Rules.of(min_length=r.min_length, min_distinct=r.min_distinct,
                         min_entropy=r.min_entropy, framework=r.framework)
        strength = assess(setting.value, rules, name=secret.name, example=example)
        row.strong, row.weak = strength.ok, strength.reasons
        row.fingerprint = fingerprint(key, setting.value)
    return row


def _present(row: Row) -> str:
    if row.present is None:
        return "not checkable here"
    return "yes" if row.present else ("empty" if row.source else "NO")


def _strength(row: Row) -> str:
    if row.strong is None:
        return "-"
    return "strong" if row.strong else f"WEAK ({len(row.weak)})"


def _age(row: Row) -> str:
    if row.age_days is None:
        return "-"
    return f"{row.age_days}d" + (" OVERDUE" if row.overdue else "")


def render_table(config: Config, rows: list[Row]) -> str:
    env = config.environment.name
    header = ("NAME", "LOCATION", "PURPOSE", "PRESENT", "SOURCE", "STRENGTH", "FINGERPRINT", "AGE")
    table = [header] + [
        (r.name + ("" if r.declared else " *"), _clip(r.location), _clip(r.purpose), _present(r),
         r.source or "-", _strength(r), r.fingerprint or "-", _age(r))
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = [f"secrets{f' for environment {env}' if env else ''} — values are never shown; "
             "fingerprints are keyed HMAC-SHA256 (compare them across environments)"]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
              for row in table]
    weak = [r for r in rows if r.weak]
    missing = [r for r in rows if r.checkable and r.present is False]
    blind = [r for r in rows if r.present is None]
    if weak or missing:
        lines.append("")
    for r in missing:
        lines.append(f"✗ {r.name} is {'empty' if r.source else 'not set'}"
                     + (f" ({r.source})" if r.source else "")
                     + (f" — expected in {r.location}" if r.location else ""))
    for r in weak:
        lines.append(f"✗ {r.name} ({r.source}) " + "; ".join(r.weak))
    if not all(r.declared for r in rows):
        lines.append("")
        lines.append("* found in the environment's files but not in the `secrets:` inventory")
    strong = sum(1 for r in rows if r.strong)
    lines.append("")
    lines.append(f"{len(rows)} secrets: {strong} strong, {len(weak)} weak, {len(missing)} missing, "
                 f"{len(blind)} not checkable from here")
    return "\n".join(lines)


def _clip(text: str | None, width: int = 28) -> str:
    if not text:
        return "-"
    text = text.replace("`", "")
    return text if len(text) <= width else text[: width - 1] + "…"


def as_data(rows: list[Row]) -> list[dict[str, Any]]:
    return [{**asdict(r), "ok": r.ok} for r in rows]
