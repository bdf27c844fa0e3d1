"""``gonogo init``: look at a repository and write a starter ``gonogo.yml`` (and, on
request, a Markdown checklist in the reference's shape) tailored to what it found.

``detect`` finds things (one small function each), ``plan`` turns them into phases and
checks, ``write_yaml`` and ``write_checklist`` render that one plan. It may import check
types (through ``plugins``), drivers, the utilities and ``core``; only commands import it.
"""
