"""The gate engine: plans phases, runs checks concurrently, decides the verdict.

It sees only typed config objects and talks to the outside through three narrow
interfaces: check types (``run(ctx)``), a journal (``record``) and listeners (reports).
It may import ``core``, check types and the config model; never markdown, the journal's
storage, reports, deploy or commands. ``watch`` reaches the runner only through its public
methods (``WindowHost``); ``tasks`` holds what both share.
"""
