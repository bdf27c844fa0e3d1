"""`gonogo serve`: the web dashboard and JSON API over the same journal as the CLI.

``app`` assembles the Starlette application; ``auth`` decides who a request is; ``queries``
reads the journal for pages (fast with a long history); ``pages`` and ``api`` answer HTML
and JSON; ``events`` streams a run's changes over Server-Sent Events; ``metrics`` serves
Prometheus's format.
"""
