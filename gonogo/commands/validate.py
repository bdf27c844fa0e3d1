"""`gonogo validate`: load the config and report the first error, changing nothing.

Exactly as strict as `check`: the same loader with the same environment (``--env E``, else
the only one declared), so a config that validates does not then fail `check` on an
undefined ``${VAR}``, a duration or a URL. A config with nothing to run is an error too.
``--version V`` validates as ``gonogo deploy --version V`` loads the config (``${version}``).

Checklist items no rule recognizes and no annotation binds are listed (``file:line: unbound``):
they wait for a sign-off on every run. ``--strict`` makes them an error, for a pre-commit
hook or CI that wants every item automated or explicitly manual.
"""

from __future__ import annotations

import argparse

from gonogo.config.model import PHASE_KINDS, CheckSpec
from gonogo.core.errors import ConfigError
from gonogo.gate import GateOptions, plan_for
from gonogo.sources import load_config


def main(args: argparse.Namespace) -> int:
    version = getattr(args, "version", None)
    if version is not None:  # as `gonogo deploy --version V` loads it
        from gonogo.commands.deploy import check_version

        config = load_config(args.config, env=args.env, extra_vars={"version": check_version(version)})
    else:
        config = load_config(args.config, env=args.env)
    if not config.model.services:  # without services, the checks are all there is to run
        plan_for(config, GateOptions(kinds=PHASE_KINDS, command="validate"))
    checks = config.checks
    manual = sum(1 for c in checks.values() if c.manual)
    unbound = [c for c in checks.values() if _unbound(c)]
    source = config.model.checklist or config.path
    for spec in unbound:
        print(f"{source}:{spec.line}: unbound — {spec.title}: {spec.params.reason}")  # type: ignore[attr-defined]
    if unbound and args.strict:
        raise ConfigError(f"{len(unbound)} checklist item{'s are' if len(unbound) > 1 else ' is'} "
                          "unbound (--strict)", file=str(source),
                          hint="annotate each with <!-- gonogo: {type: …} -->, or "
                               "<!-- gonogo: {type: manual} --> for a sign-off")
    print(
        f"{config.path}: ok — {len(config.phases)} phases, {len(checks)} checks "
        f"({len(checks) - manual} automated, {manual} manual)"
        + (f", environment {config.environment.name}" if config.environment.name else "")
    )
    return 0


def _unbound(spec: CheckSpec) -> bool:
    """A Markdown item that fell back to a sign-off because nothing bound it (an explicit
    ``type: manual``, in YAML or an annotation, is bound: someone chose it)."""
    reason = getattr(spec.params, "reason", None)
    return spec.manual and bool(reason) and not str(reason).startswith("manual by ")
