"""The gate engine: plans phases, runs checks concurrently, decides the verdict.

It sees only typed config objects and talks to the outside through three narrow
interfaces: check types (``run(ctx)``), a journal (``record``) and listeners (reports).
"""
