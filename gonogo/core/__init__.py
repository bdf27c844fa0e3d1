"""The shared vocabulary of gonogo: outcomes, verdicts, results, exit codes and exceptions,
durations, URL rules, and the strict base model with its typed config fields.

Every other package speaks these words, so this package sits at the bottom of the layers
(pyproject.toml ``[tool.importlinter]``): it imports nothing of gonogo's outside itself.
"""
