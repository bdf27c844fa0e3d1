"""Rules for build tools and language toolchains: make, cargo, go, python, django, pip, ruff,
alembic, gradle, maven, bundler, rails, rake, artisan, php, composer, flutter, poetry.
"""

from __future__ import annotations

from gonogo.markdown.verbs.node import _formatter, _gate_name, _linter
from gonogo.markdown.verbs.words import (
    PATH_TOOLS,
    Arg,
    Inner,
    Refused,
    _flags,
    _forbid_flags,
    _leading,
    _positionals,
    _short,
    version_or_help,
)


def _make(program: str, rest: list[Arg], nested: Inner) -> None:
    flags = _flags(rest)
    if flags & {"-n", "--dry-run", "--just-print", "--recon", "-q", "--question"} or _short(rest, "n"):
        return
    targets = [p for p in _positionals(rest, frozenset({"-C", "-f", "--file", "-j", "--jobs", "-o", "-W"}))
               if p is None or "=" not in p]
    if not targets:
        raise Refused(f"{program} (its default target)")
    for target in targets:
        if not _gate_name(target):
            raise Refused(f"{program} {target or '…'}")


def _cargo(program: str, rest: list[Arg], nested: Inner) -> None:
    _, tail = _leading(rest, frozenset({"--manifest-path", "-Z", "--config", "-C"}))
    if version_or_help(rest) or not tail and rest in (["-V"], ["--version"]):
        return
    verb = tail[0] if tail else None
    if verb in ("build", "b", "test", "t", "check", "c", "doc", "bench", "tree", "metadata", "nextest",
                "audit", "deny", "verify-project", "version", "search", "outdated"):
        return
    if verb == "clippy":
        _forbid_flags("cargo clippy", tail[1:], "--fix")
        return
    if verb == "fmt" and "--check" in _flags(tail):
        return
    raise Refused(f"cargo {verb or ''}".strip())


def _go(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest, frozenset({"-C", "-o", "-run", "-tags", "-p", "-timeout", "-count"}))
    verb = pos[0] if pos else None
    if verb in ("build", "test", "vet", "version", "list", "doc", "help"):
        return
    if verb == "env" and not _flags(rest) & {"-w", "-u"}:
        return
    if verb == "mod" and pos[1:2] in (["verify"], ["why"], ["graph"]):
        return
    raise Refused(f"go {verb or ''}".strip())


def _python(program: str, rest: list[Arg], nested: Inner) -> None:
    """``python -m pytest``: the module must be a read-only tool; ``python manage.py check``."""
    if version_or_help(rest) or rest == ["-V"] or rest == ["--version"]:
        return
    for i, arg in enumerate(rest):
        if arg == "-m" and i + 1 < len(rest):
            module = rest[i + 1]
            if module in ("pip",):
                return _pip("python -m pip", list(rest[i + 2:]), nested)
            nested.argv([module, *rest[i + 2:]])
            return
        if arg is not None and arg.endswith("manage.py"):
            return _django(f"{program} manage.py", list(rest[i + 1:]), nested)
        if arg is None or not arg.startswith("-"):
            break
    raise Refused(program if not rest or rest[0] is None else f"{program} {rest[0]}")


def _django(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest, frozenset({"--settings", "--database"}))
    verb = pos[0] if pos else None
    flags = _flags(rest)
    if verb in ("check", "test", "showmigrations", "diffsettings", "sqlmigrate", "version", "help",
                "validate_templates"):
        return
    if verb == "makemigrations" and flags & {"--check", "--dry-run"}:
        return
    if verb == "migrate" and "--plan" in flags:
        return
    raise Refused(f"{program} {verb or ''}".strip())


def _pip(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["check"], ["list"], ["freeze"], ["show"], ["--version"]) or version_or_help(rest):
        return
    if pos[:1] == ["install"] and "--dry-run" in _flags(rest):
        return
    raise Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _ruff(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] == ["check"] or not pos:
        _linter(program, rest, nested)
        return
    if pos[:1] == ["format"]:
        return _formatter("--check", "--diff")(program, rest, nested)
    if version_or_help(rest) or pos[:1] == ["version"]:
        return
    raise Refused(f"{program} {pos[0] or ''}".strip())


def _alembic(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest, frozenset({"-c", "--config", "-n", "--name", "-x"}))
    if pos[:1] in (["current"], ["history"], ["heads"], ["branches"], ["show"], ["check"]):
        return
    if pos[:1] in (["upgrade"], ["downgrade"]) and "--sql" in _flags(rest):
        return
    raise Refused(f"alembic {pos[0] if pos and pos[0] else ''}".strip())


def _gradle(program: str, rest: list[Arg], nested: Inner) -> None:
    tasks = _positionals(rest, frozenset({"-p", "--project-dir", "-x", "--exclude-task"}))
    if "--dry-run" in rest or "-m" in rest or version_or_help(rest):
        return
    ok = ("build", "test", "check", "assemble", "lint", "javadoc", "dependencies", "tasks", "projects",
          "compileJava", "compileKotlin", "spotlessCheck", "detekt", "ktlintCheck", "jacocoTestReport")
    for task in tasks:
        name = (task or "").rsplit(":", 1)[-1]
        if not (name in ok or _gate_name(name)):
            raise Refused(f"{program} {task or '…'}")
    if not tasks:
        raise Refused(f"{program} (its default tasks)")


def _mvn(program: str, rest: list[Arg], nested: Inner) -> None:
    goals = _positionals(rest, frozenset({"-f", "--file", "-pl", "--projects", "-P", "-s", "-D"}))
    ok = ("validate", "compile", "test", "package", "verify", "test-compile", "dependency:tree",
          "spotless:check", "checkstyle:check", "help:effective-pom")
    if version_or_help(rest):
        return
    if not goals or any(g not in ok for g in goals):
        bad = next((g for g in goals if g not in ok), None)
        raise Refused(f"{program} {bad or ''}".strip())


def _bundle(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] == ["exec"]:
        _, inner = _leading(rest[rest.index("exec") + 1:], frozenset())
        return nested.argv(inner)
    if pos[:1] in (["check"], ["list"], ["outdated"], ["version"]) or version_or_help(rest):
        return
    raise Refused(f"bundle {pos[0] if pos and pos[0] else ''}".strip())


def _rails(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest, frozenset({"-e", "--environment"}))
    if pos[:1] in (["test"], ["db:migrate:status"], ["about"], ["routes"], ["stats"], ["notes"],
                   ["zeitwerk:check"], ["version"]) or version_or_help(rest):
        return
    raise Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _rake(program: str, rest: list[Arg], nested: Inner) -> None:
    tasks = _positionals(rest)
    if tasks and all(t in ("test", "spec", "db:migrate:status", "rubocop") or _gate_name(t) for t in tasks):
        return
    raise Refused(f"{program} {tasks[0] if tasks and tasks[0] else ''}".strip())


def _artisan(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["test"], ["about"], ["route:list"], ["migrate:status"], ["--version"]):
        return
    if pos[:1] == ["migrate"] and "--pretend" in _flags(rest):
        return
    raise Refused(f"artisan {pos[0] if pos and pos[0] else ''}".strip())


def _php(program: str, rest: list[Arg], nested: Inner) -> None:
    if rest[:1] == ["-l"] or version_or_help(rest):
        return
    if rest[:1] == ["artisan"]:
        return _artisan(program, list(rest[1:]), nested)
    if rest and rest[0] is not None and rest[0].rsplit("/", 1)[-1] in PATH_TOOLS:
        return nested.argv(rest)
    raise Refused(f"{program} {rest[0] if rest and rest[0] else ''}".strip())


def _composer(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["validate"], ["audit"], ["show"], ["outdated"], ["check-platform-reqs"], ["diagnose"]):
        return
    if pos[:1] in (["install"], ["update"]) and "--dry-run" in _flags(rest):
        return
    if pos[:1] in (["test"], ["lint"], ["analyse"], ["check"]):
        return
    raise Refused(f"composer {pos[0] if pos and pos[0] else ''}".strip())


def _flutter(program: str, rest: list[Arg], nested: Inner) -> None:
    pos = _positionals(rest)
    if pos[:1] in (["test"], ["analyze"], ["build"], ["doctor"], ["--version"], ["devices"]) \
            or pos[:2] == ["pub", "get"] or pos[:2] == ["pub", "outdated"] or version_or_help(rest):
        return
    if pos[:1] == ["format"] and "--set-exit-if-changed" in rest and "--output=none" in rest:
        return
    raise Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _poetry_like(program: str, rest: list[Arg], nested: Inner) -> None:
    """poetry run / uv run / pipenv run / hatch run CMD; ``poetry check`` and friends."""
    pos = _positionals(rest)
    if pos[:1] == ["run"]:
        index = next(i for i, a in enumerate(rest) if a == "run")
        _, inner = _leading(rest[index + 1:], frozenset({"--with", "--python", "-p", "--env"}))
        return nested.argv(inner)
    if pos[:1] in (["check"], ["show"], ["build"], ["lock"] if "--check" in rest else ["-"], ["--version"],
                   ["version"] if len(pos) == 1 else ["-"], ["tree"], ["sync"] if "--locked" in rest else ["-"]) \
            or version_or_help(rest):
        return
    raise Refused(f"{program} {pos[0] if pos and pos[0] else ''}".strip())


def _mvn_wrapper(program: str, rest: list[Arg], nested: Inner) -> None:
    return _mvn(program, rest, nested)
