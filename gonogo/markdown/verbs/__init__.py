"""The read-only allow-list of ``gonogo.markdown.readonly``: one rule per program.

A rule gets the program's name and its words (``None`` for a word that expands at run
time) and raises ``Refused`` naming the verb when the command may change something;
wrappers (``timeout 5 CMD``, ``sh -c '…'``, ``npx tool``) hand what they wrap back to
the analysis through ``Inner``. The policy is described in ``readonly``'s docstring.

This module assembles the table; the rules live by program family: ``words`` (arguments,
wrappers), ``node`` (JavaScript tools), ``toolchains`` (build tools and languages), ``ops``
(git, containers, clusters, clouds), ``text`` (network clients and text tools).
"""

from __future__ import annotations

from gonogo.markdown.verbs.node import (
    _formatter,
    _linter,
    _netlify,
    _next,
    _node_pm,
    _prisma,
    _tsc,
    _turbo,
    _vercel,
    _vitest,
)
from gonogo.markdown.verbs.ops import (
    _COMPOSE,
    _COMPOSE_VALUES,
    _DOCKER,
    _DOCKER_VALUES,
    _aws,
    _gcloud_like,
    _gh,
    _git,
    _helm,
    _journalctl,
    _kubectl,
    _nginx,
    _redis,
    _systemctl,
    _terraform,
)
from gonogo.markdown.verbs.text import (
    _awk,
    _curl,
    _find,
    _httpie,
    _openssl,
    _sed,
    _sort,
    _tar,
    _tee,
    _uniq,
    _wget,
    _yq,
)
from gonogo.markdown.verbs.toolchains import (
    _alembic,
    _artisan,
    _bundle,
    _cargo,
    _composer,
    _django,
    _flutter,
    _go,
    _gradle,
    _make,
    _mvn,
    _mvn_wrapper,
    _php,
    _pip,
    _poetry_like,
    _python,
    _rails,
    _rake,
    _ruff,
)
from gonogo.markdown.verbs.words import (
    Rule,
    _command_builtin,
    _env,
    _exec,
    _ok,
    _shell,
    _subcommands,
    _wrapper,
    _xargs,
)

#: Programs that are read-only whatever their arguments (their writes go only to stdout).
_READ_ONLY_PROGRAMS = (
    "cat", "ls", "echo", "printf", "grep", "egrep", "fgrep", "rg", "ag", "head", "wc", "jq", "test", "[",
    "true", "false", ":", "pwd", "which", "whoami", "id", "date", "uname", "hostname", "stat", "file",
    "du", "df", "ps", "pgrep", "printenv", "diff", "cmp", "comm", "basename", "dirname", "realpath",
    "readlink", "cut", "tr", "paste", "column", "rev", "nl", "od", "xxd", "hexdump", "strings", "base64",
    "sha256sum", "sha1sum", "md5sum", "shasum", "cksum", "b2sum", "nproc", "free", "uptime", "lscpu",
    "getent", "dig", "nslookup", "host", "ping", "ss", "netstat", "lsof", "pg_isready", "tail", "less",
    "more", "type", "cd", "set", "sleep", "exit", "return", "wait", "read", "shift", "trap", "cal",
    "seq", "yes", "expr", "tac", "fold", "fmt", "expand", "unexpand", "join", "look", "locale",
    "tree", "whereis", "mysqladmin", "nc", "traceroute", "tracepath", "mtr", "whois", "openssl-version",
    "pytest", "py.test", "mypy", "flake8", "pylint", "bandit", "pyright", "pyflakes", "pycodestyle",
    "pydocstyle", "vulture", "radon", "xenon", "safety", "pip-audit", "tox", "nox", "coverage",
    "jest", "mocha", "ava", "tap", "playwright", "cypress", "karma", "knip", "depcheck", "madge",
    "staticcheck", "govulncheck", "shellcheck", "hadolint", "yamllint", "actionlint", "markdownlint",
    "tflint", "tfsec", "checkov", "trivy", "grype", "kubeval", "kubeconform", "conftest", "promtool",
    "amtool", "brakeman", "rspec", "phpunit", "pest", "phpstan", "psalm", "dotnet-test", "swiftlint",
    # not load generators (ab, wrk, hey, k6) nor request runners (hurl): they aim traffic at
    # a live system and can send writes (ab -p, k6 scripts, hurl POST entries)
    "ctest", "gotestsum", "nextest", "lighthouse", "pa11y",
    "htmlhint", "html-validate", "commitlint", "semgrep", "gitleaks", "detect-secrets", "trufflehog",
    "cspell", "codespell", "vale", "dotenv-linter", "sqlfluff-lint", "vite-build", "tsc-files",
)


RULES: dict[str, Rule] = {name: _ok for name in _READ_ONLY_PROGRAMS}


RULES.update({
    # wrappers: the wrapped command decides
    "env": _env, "timeout": _wrapper(frozenset({"-s", "--signal", "-k", "--kill-after"}), 1),
    "nice": _wrapper(frozenset({"-n", "--adjustment"})), "time": _wrapper(), "exec": _wrapper(),
    "command": _command_builtin, "xargs": _xargs, "sh": _shell, "bash": _shell, "dash": _shell,
    "zsh": _shell, "ionice": _wrapper(frozenset({"-c", "-n"})), "stdbuf": _wrapper(),
    "npx": _exec, "bunx": _exec, "pnpx": _exec,
    # writers in disguise
    "tee": _tee, "sort": _sort, "uniq": _uniq, "sed": _sed, "awk": _awk, "gawk": _awk, "mawk": _awk,
    "find": _find, "tar": _tar, "yq": _yq,
    # JavaScript
    "npm": _node_pm(False), "pnpm": _node_pm(True), "yarn": _node_pm(True), "bun": _node_pm(True),
    "tsc": _tsc, "vue-tsc": _tsc, "eslint": _linter, "stylelint": _linter, "biome": _subcommands(
        {"check": _linter, "lint": _linter, "ci": True, "format": _formatter("--check"), "version": True}),
    "prettier": _formatter("--check", "-c", "--list-different", "-l"),
    "prisma": _prisma, "vitest": _vitest, "next": _next, "vite": _subcommands({"build": True}),
    "turbo": _turbo, "nx": _subcommands({"test": True, "lint": True, "build": True, "run-many": True,
                                         "affected": True}),
    # Rust, Go
    "cargo": _cargo, "go": _go, "gofmt": _formatter("-l", "-d"), "golangci-lint": _subcommands(
        {"run": _linter, "version": True, "linters": True}), "rustfmt": _formatter("--check"),
    # Python
    "python": _python, "python3": _python, "pip": _pip, "pip3": _pip, "ruff": _ruff,
    "black": _formatter("--check", "--diff"), "isort": _formatter("--check", "--check-only", "--diff", "-c"),
    "alembic": _alembic, "poetry": _poetry_like, "uv": _poetry_like, "pipenv": _poetry_like,
    "hatch": _poetry_like, "pdm": _poetry_like, "django-admin": _django,
    # Ruby, PHP, JVM, mobile
    "bundle": _bundle, "rails": _rails, "rake": _rake, "rubocop": _linter, "php": _php,
    "composer": _composer, "gradle": _gradle, "gradlew": _gradle, "mvn": _mvn, "mvnw": _mvn_wrapper,
    "flutter": _flutter, "dart": _subcommands({"analyze": True, "test": True}),
    # build tools, VCS
    "make": _make, "git": _git,
    # containers, infrastructure
    "docker": _subcommands(_DOCKER, _DOCKER_VALUES),
    "docker-compose": _subcommands(_COMPOSE, _COMPOSE_VALUES, dry_run=("--dry-run",)),
    "podman": _subcommands(_DOCKER, _DOCKER_VALUES), "terraform": _terraform, "tofu": _terraform,
    "kubectl": _kubectl, "oc": _kubectl, "helm": _helm,
    "gcloud": _gcloud_like("list", "describe", "info", "get-value", "version"),
    "az": _gcloud_like("list", "show", "version"), "aws": _aws,
    "vercel": _vercel, "netlify": _netlify, "gh": _gh,
    # network, system
    "curl": _curl, "wget": _wget, "http": _httpie, "https": _httpie, "openssl": _openssl,
    "systemctl": _systemctl, "nginx": _nginx, "journalctl": _journalctl, "redis-cli": _redis,
})


RULES["artisan"] = _artisan


#: Programs that answer ``--version``/``--help`` without doing anything else.
RUNTIMES = frozenset({"node", "deno", "java", "javac", "ruby", "rustc", "dotnet", "psql", "pg_dump",
                       "pg_restore", "mysql", "mongosh", "flyctl", "fly", "heroku", "railway", "render",
                       "firebase", "supabase", "wrangler", "serverless", "sls", "pulumi", "ansible",
                       "ansible-playbook", "packer", "vault", "consul", "nomad", "kind", "minikube",
                       "k9s", "argocd", "skaffold", "tilt", "ssh", "scp", "rsync", "sqlite3", "flyway",
                       "liquibase", "sentry-cli", "swift", "xcodebuild", "fastlane", "pod", "expo",
                       "eas", "gunicorn", "uvicorn", "celery", "caddy", "certbot", "rclone"})
