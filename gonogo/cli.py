"""Command-line parsing only: each subcommand lives in ``gonogo.commands.<name>`` and
returns an exit code. Imports of the commands are lazy so ``gonogo --help`` stays fast."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

EPILOG = (
    "exit codes: 0 GO/success, 1 NO-GO (nothing changed), 2 usage or config error, "
    "3 internal error, 4 PENDING sign-off, 5 deploy failed and rolled back, "
    "6 rollback failed, 7 verified but a post step failed, 130 interrupted"
)


#: The most rows `runs` and `releases` list at once.
MAX_LIMIT = 100_000


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``. Out of range is a usage
    error (exit 2) here, rather than an OverflowError deep in SQLite or a silent no-op."""

    def number(text: str) -> int:
        shown = text if len(text) <= 24 else text[:20] + "…"
        try:
            value = int(text)
        except ValueError:  # also digit strings longer than int() accepts
            raise argparse.ArgumentTypeError(f"expected a whole number, got {shown!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a number from {low} to {high}, got {shown}")
        return value

    return number


class _VersionAction(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print gonogo's version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        from gonogo import __version__

        print(f"gonogo {__version__}")
        parser.exit()


def _config_args(parser: argparse.ArgumentParser, env: bool = True) -> None:
    parser.add_argument(
        "-c", "--config", metavar="PATH",
        help="gonogo.yml or a Markdown checklist (default: $GONOGO_CONFIG, then ./gonogo.yml)",
    )
    if env:
        parser.add_argument("--env", "-e", metavar="E", help="environment to use")


def _report_formats(**_: object) -> list[str]:
    """``gonogo report --format`` completions: every registered report format."""
    from gonogo.reports import formats

    return list(formats())


def _report_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--report", "-r", action="append", default=[], metavar="FMT[:PATH]",
        help="write a report: console, json, junit, markdown, html, checklist, github, or a "
             "plugin's format (repeatable; FMT:- for standard output)",
    )


def _global_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Move ``-c``/``--env`` given before the subcommand onto the subcommand's own options.
    A command that takes no such option, or the same option given twice with different
    values, is a usage error (exit 2): neither may be silently dropped."""
    for name, flag in (("config", "-c/--config"), ("env", "--env")):
        given = getattr(args, f"global_{name}")
        delattr(args, f"global_{name}")
        if given is None:
            continue
        if not hasattr(args, name):
            parser.error(f"{flag} does not apply to `gonogo {args.command}`")
        own = getattr(args, name)
        if own is not None and own != given:
            parser.error(f"{flag} given twice: {given!r} before `{args.command}` and {own!r} after it")
        setattr(args, name, given)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gonogo",
        description="Run your deployment checklist as an audited go/no-go gate.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action=_VersionAction)
    # Also before the subcommand (`gonogo -c gonogo.yml check`), as `git -C` and
    # `docker compose -f` users type; merged into the subcommand's own by `_global_options`.
    parser.add_argument("-c", "--config", dest="global_config", metavar="PATH",
                        help="gonogo.yml or a Markdown checklist, for any subcommand that reads one")
    parser.add_argument("--env", "-e", dest="global_env", metavar="E",
                        help="environment to use, for any subcommand that takes --env")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("check", help="run the gate (preflight and verify phases; changes nothing)")
    _config_args(p)
    p.add_argument("--phase", "-p", action="append", default=[], metavar="P", help="only this phase (repeatable)")
    p.add_argument("--only", action="append", default=[], metavar="ID", help="only this check and its needs (repeatable)")
    p.add_argument("--tag", "-t", action="append", default=[], metavar="T",
                   help="only checks tagged T, with their needs (repeatable: any of them)")
    p.add_argument("--skip-tag", action="append", default=[], metavar="T",
                   help="leave out checks tagged T; what needs them is skipped (repeatable)")
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="checks run at once (default 16)")
    _report_arg(p)

    p = sub.add_parser("validate", help="check the config for errors only (as strictly as check)")
    _config_args(p)
    p.add_argument("--version", "-V", dest="version", metavar="V",
                   help="validate as `deploy --version V` loads it (${version} set)")
    p.add_argument("--strict", action="store_true",
                   help="checklist items that nothing binds (they wait for a sign-off) are errors")

    p = sub.add_parser("schema", help="print the JSON Schema of gonogo.yml")
    p.add_argument("-o", "--output", metavar="PATH")

    p = sub.add_parser("runs", help="list recorded runs")
    _config_args(p, env=False)
    p.add_argument("--limit", "-n", type=bounded_int(1, MAX_LIMIT), default=20, metavar="N")
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = sub.add_parser("show", help="show one run's results and evidence")
    _config_args(p, env=False)
    p.add_argument("run", metavar="RUN", help="run id, unique prefix, or 'last'")

    p = sub.add_parser("report", help="render a recorded run as a report")
    _config_args(p, env=False)
    p.add_argument("run", metavar="RUN")
    fmt = p.add_argument("--format", "-f", required=True, metavar="FMT",
                         help="console, json, junit, markdown, html, checklist, github, or a "
                              "plugin's format")
    # the registered formats (built-ins and plugins'), asked only when completing
    fmt.completer = _report_formats  # type: ignore[attr-defined]
    p.add_argument("-o", "--output", metavar="PATH")

    p = sub.add_parser("signoff", help="record a human decision on an item of a run")
    _config_args(p, env=False)
    p.add_argument("run", metavar="RUN")
    p.add_argument("item", metavar="ITEM", help="check id, a unique part of its title, or its line")
    p.add_argument("--by", required=True, metavar="NAME")
    p.add_argument("--note", metavar="TEXT")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--reject", action="store_true", help="the item does not hold")
    group.add_argument("--waive", action="store_true", help="accept the risk until --expires")
    p.add_argument("--expires", metavar="DATE", help="waiver expiry (YYYY-MM-DD or ISO time)")

    p = sub.add_parser("explain", help="show how each item of a Markdown checklist is bound")
    p.add_argument("checklist", metavar="CHECKLIST.md")
    p.add_argument("-c", "--config", metavar="PATH", help="sidecar gonogo.yml with values and bindings")
    p.add_argument("--env", "-e", metavar="E")
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("import", help="convert a Markdown checklist into gonogo.yml")
    p.add_argument("checklist", metavar="CHECKLIST.md")
    p.add_argument("-c", "--config", metavar="PATH", help="sidecar gonogo.yml with values and bindings")
    p.add_argument("-o", "--output", metavar="PATH", help="write here (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")

    p = sub.add_parser("secrets", help="secrets inventory: present, strength, fingerprint — never values")
    _config_args(p)
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = sub.add_parser("backup", help="back up the database and prove the backup restores")
    _config_args(p)
    _report_arg(p)

    p = sub.add_parser("restore", help="restore a verified backup into a database")
    _config_args(p)
    p.add_argument("--from", dest="source", metavar="FILE", help="dump file to restore")
    p.add_argument("--to", dest="target", required=True, metavar="URL", help="postgresql:// URL to restore into")
    p.add_argument("--yes", "-y", action="store_true",
                   help="replace the target database without asking (needed without a terminal)")
    p.add_argument("--drop-old", action="store_true",
                   help="drop the replaced database at once (default: keep it as "
                        "<name>_before_<run> until the next successful restore)")
    p.add_argument("--force-disconnect", action="store_true",
                   help="terminate sessions connected to the target at the swap (default: refuse)")
    p.add_argument("--no-manifest", action="store_true",
                   help="restore a dump that has no manifest, unverified (needs --yes)")
    p.add_argument("--cleanup", action="store_true",
                   help="only drop the scratch databases that killed restores of --to left")

    p = sub.add_parser("deploy", help="gate, backup, ordered deploy with health gates, verify; "
                       "auto-rollback on failure")
    _config_args(p)
    p.add_argument("--version", "-V", dest="version", required=True, metavar="V",
                   help="the version to deploy (${version} in the config; the image tag)")
    p.add_argument("--dry-run", action="store_true",
                   help="run the read-only probes and print the plan; change nothing")
    p.add_argument("--yes", "-y", action="store_true", help="confirm a protected environment")

    p = sub.add_parser("rollback", help="return to a previous release (default: the last verified)")
    _config_args(p)
    p.add_argument("--to", metavar="V", help="the version to return to")
    p.add_argument("--yes", "-y", action="store_true",
                   help="roll back a protected environment without asking (needed without a terminal)")
    p.add_argument("--restore-backup", action="store_true",
                   help="when the database is ahead of the target release, first restore the "
                        "verified backup taken before those migrations")

    p = sub.add_parser("resume", help="continue an interrupted deploy, or roll back what it changed")
    _config_args(p, env=False)
    p.add_argument("run", metavar="RUN", help="run id, unique prefix, or 'last'")
    p.add_argument("--rollback", action="store_true", help="roll back instead of continuing")

    p = sub.add_parser("releases", help="what version of each service is live where, and history")
    _config_args(p)
    p.add_argument("--check", action="store_true",
                   help="compare the journal with what the engine runs; exit 1 on a difference")
    p.add_argument("--limit", "-n", type=bounded_int(1, MAX_LIMIT), default=20, metavar="N")
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = sub.add_parser("lock", help="show or release the deploy lock")
    _config_args(p)
    p.add_argument("action", nargs="?", choices=["status", "release"], default="status")
    p.add_argument("--force", action="store_true", help="release a lock whose holder is alive")
    p.add_argument("--yes", "-y", action="store_true",
                   help="with --force: release without asking (needed without a terminal)")

    p = sub.add_parser("users", help="API tokens for the dashboard (`add` prints the token)")
    _config_args(p, env=False)
    p.add_argument("action", choices=["add", "list", "revoke"])
    p.add_argument("name", nargs="?", metavar="NAME")
    p.add_argument("--role", choices=["viewer", "approver", "deployer", "admin"])

    p = sub.add_parser("serve", help="web dashboard and JSON API over the same journal")
    _config_args(p, env=False)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=bounded_int(0, 65535), default=8765)
    p.add_argument("--public-url", metavar="URL",
                   help="how people reach this server (links in PENDING notifications)")
    p.add_argument("--trust-proxy-header", metavar="HEADER",
                   help="take the user name from this header (an OIDC proxy's), only from "
                        "--trusted-proxy addresses")
    p.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDRESS")

    p = sub.add_parser("init", help="write a starter gonogo.yml for this repository")
    p.add_argument("--dir", metavar="PATH", help="the repository (default: the current directory)")
    p.add_argument("--checklist", action="store_true",
                   help="also write DEPLOYMENT_CHECKLIST.md in the reference checklist's shape")
    p.add_argument("--force", action="store_true", help="overwrite existing files")

    p = sub.add_parser("completion", help="print shell completion code (bash, zsh or fish)")
    p.add_argument("shell", choices=["bash", "zsh", "fish"],
                   help='e.g. eval "$(gonogo completion bash)" in ~/.bashrc')

    p = sub.add_parser("demo", help="run a self-contained demo (no Docker, no network)")
    p.add_argument("--dir", metavar="PATH", help="workspace to create (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the workspace afterwards")
    return parser


def _with_plugins(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """``command``, after every plugin is loaded: a plugin that cannot load, or takes a name
    another plugin took, stops any command at startup with one line (exit 2)."""

    def run(args: argparse.Namespace) -> int:
        from gonogo.plugins import registry

        registry()
        return command(args)

    return run


def main(argv: Sequence[str] | None = None) -> int:
    import gc

    if argv is None:
        # Start-up builds ~100,000 objects that live until exit (modules, classes, pydantic's
        # schemas); a collection while they are built only scans them again and again
        # (~25 ms of a 10-check gate). Re-enabled, with them frozen, once the command is loaded.
        gc.disable()
    from gonogo.console import guard_standard_streams
    from gonogo.private import use_private_umask

    # `gonogo … | head` closes stdout early: that must never stop the work
    guard_standard_streams()
    # Everything gonogo writes is its user's alone (state, output, reports, dumps, crash
    # logs); the commands it runs for the user get the user's umask back.
    use_private_umask()
    parser = build_parser()
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions (`gonogo completion`)
        import argcomplete

        argcomplete.autocomplete(parser)  # answers and exits
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    _global_options(parser, args)
    from gonogo.error_handler import run_command

    name = {"import": "import_"}.get(args.command, args.command)
    try:
        module = importlib.import_module(f"gonogo.commands.{name}")
    except KeyboardInterrupt:  # Ctrl-C while starting: nothing was done yet
        print("gonogo: interrupted", file=sys.stderr)
        return 130
    finally:
        if argv is None:
            gc.freeze()  # what start-up built is never garbage: out of every collection's way
            gc.enable()
    code = run_command(_with_plugins(module.main), args)
    if argv is None:
        # The process is about to exit: spare the interpreter a last full garbage
        # collection over every module and model (~0.1 s). atexit handlers still run.
        gc.freeze()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
