"""`gonogo deploy --env E --version V [--dry-run] [--yes]`: gate, backup, ordered deploy with
health gates, verify, watch, post — rolled back automatically when it fails after a change."""

from __future__ import annotations

import argparse
import re

from gonogo.core.errors import UsageError
from gonogo.error_handler import use_redactor
from gonogo.sources import load_config

VERSION_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def check_version(version: str, flag: str = "--version") -> str:
    """A version must be usable as an image tag: letters, digits, '_', '.', '-'."""
    if not VERSION_PATTERN.match(version):
        raise UsageError(f"{flag} {version!r}: expected an image tag (letters, digits, '_', '.', "
                         "'-'; at most 128 characters)")
    return version


def main(args: argparse.Namespace) -> int:
    version = check_version(args.version)
    config = load_config(args.config, env=args.env, extra_vars={"version": version})
    use_redactor(config.environment.redactor)
    from gonogo.deploy.run import run_deploy

    return run_deploy(config, version, dry_run=args.dry_run, yes=args.yes)
