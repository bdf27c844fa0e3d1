"""Running a Markdown checklist as it is.

``parse`` turns the document into sections, task items, shell blocks and tables;
``recognize`` proposes a check for common items; ``bind`` applies annotation > sidecar >
recognition > manual and emits the same raw vocabulary as ``gonogo.yml``;
``sidecar`` merges a ``gonogo.yml`` that names the checklist; ``tickback`` writes the
results back into the document; ``verbs`` is the read-only allow-list of commands. The
engine never sees Markdown.

Markdown sits above ``config`` and may import it (the model, environments, error wording),
``core`` and the utilities; config never imports markdown (``gonogo.sources`` decides).
"""

from __future__ import annotations

from collections.abc import Mapping

from gonogo.yamlsource import Located


def checklist_source(text: str, file: str, *, variables: Mapping[str, str] | None = None) -> Located:
    """A Markdown checklist as raw config data with the Markdown line of every value.

    Raises ``ConfigError`` (one line, file:line) for anything it cannot use."""
    from gonogo.markdown.bind import compile_document
    from gonogo.markdown.parse import parse
    from gonogo.plugins import check_types

    compiled = compile_document(parse(text, file), variables=variables or {}, types=check_types())
    return Located(data=compiled.data, file=file, lines=dict(compiled.lines))


__all__ = ["checklist_source"]
