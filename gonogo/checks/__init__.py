"""Built-in check types, one module each (see ``gonogo.plugins.DEFAULT_PLUGINS``).

Check types are leaves: they may import ``core`` (outcomes, errors, typed fields), the
utilities (targets, redact, envfiles, workspaces, …) and each other's helpers; never the
config loader, markdown, engine, journal, reports, deploy or commands
(pyproject.toml ``[tool.importlinter]``).
"""
