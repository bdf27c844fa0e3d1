"""Installs first: a section's dependency install runs before the section's checks that use
the tree it writes.

The checks of a phase run concurrently. A checklist's quality gates usually read

    pnpm install
    pnpm --filter api build

and a reader runs those lines in order: the build uses the ``node_modules`` the install
writes. Run side by side on a cold checkout (or when the install replaces a tree made with
another store), the build and the type-check see a half-made tree and fail with errors that
say nothing of the cause. So an item bound to a dependency install becomes a ``need`` of the
section's other checks that run project tooling; checks that name their own ``needs`` (an
annotation, a sidecar entry) are left as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gonogo.markdown.binding import Binding

#: A package manager installing the project's dependencies as the first command of a line
#: (``VAR=x`` prefixes and the manager's own options before the verb allowed).
_INSTALL = re.compile(
    r"^\s*(?:\w+=\S*\s+)*(?:"
    r"(?:npm|pnpm|yarn|bun)(?:\s+-{1,2}[\w-]+(?:[= ]\S+)?)*\s+(?:install|i|ci)\b"
    r"|(?:yarn|bun)\s*(?:$|&&|;)"
    r"|(?:python3?\s+-m\s+)?pip3?\s+install\b|poetry\s+install\b|uv\s+sync\b|pipenv\s+(?:install|sync)\b"
    r"|bundle(?:\s+install)?\s*(?:$|&&|;)|composer\s+install\b|go\s+mod\s+download\b"
    r"|dotnet\s+restore\b|mix\s+deps\.get\b"
    r")")

#: Check types that run the project's own tools over its tree.
TOOLING_TYPES = frozenset({"command", "typecheck", "lint", "docker.build"})


def is_install(binding: Binding) -> bool:
    """Whether ``binding`` runs a dependency install (``pnpm install``, ``npm ci``, …)."""
    run = binding.params.get("run")
    return binding.type == "command" and isinstance(run, str) and _INSTALL.match(run) is not None


def installs_first(section: Sequence[Binding]) -> None:
    """Give the section's tooling checks its installs as ``needs`` (in place)."""
    installs = [b.id for b in section if is_install(b)]
    if not installs:
        return
    for binding in section:
        if binding.type not in TOOLING_TYPES or is_install(binding) or "needs" in binding.common:
            continue
        binding.common["needs"] = list(installs)
