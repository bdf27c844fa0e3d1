"""Items about container images: built, pushed, tagged."""

from __future__ import annotations

from gonogo.markdown.parse import Item, Section
from gonogo.markdown.recognize.base import Context, Recognized, has


def images(item: Item, section: Section, ctx: Context) -> Recognized | None:
    text = item.text
    if not has(text, r"\bimages?\b|\bcontainers?\b"):
        return None
    if has(text, r"\bpush|\bpublish|\bupload|\bregistry|docker hub|\btags?\b"):
        return Recognized("registry.tag", {"tag": "${version:-latest}"}, "images pushed",
                          needs=["services (image names)"] if not ctx.services else [])
    if has(text, r"\bbuild"):
        return Recognized("docker.build", {"context": "."}, "images build")
    return None
