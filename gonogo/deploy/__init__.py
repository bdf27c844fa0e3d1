"""The deploy: gate, backup, ordered service steps with health gates, verify, watch, and the
automatic rollback — with a session that journals every step so `resume` can pick it up.

It orchestrates the layers below it (gate, engine, journal, reports, drivers, checks, config,
core); only commands and the CLI import it.
"""
