"""Recognition of common checklist items: one small function per kind of item, grouped in
modules by what they recognise (``env``, ``database``, ``http``, ``commands``, ``images``,
``watch``, ``records``).

Each rule looks at one item (its text, its section's code blocks, the document's one-time
``scan``) and returns a ``Recognized`` proposal — a catalogue check type with parameters —
or None. ``bind`` tries the rules in ``RULES`` order and keeps the first proposal whose
type is registered and whose values are known.

Values the document lacks come from the sidecar's environment ``vars``, its env files
or the process environment, and go into parameters as ``${name}`` so the loader
interpolates them. Names looked up (as written, then upper-case):

- ``domain``        the production domain ("`ALLOWED_ORIGINS` includes production domain";
                    rewrites the host of the document's ``curl`` URLs)
- ``api_url``       base URL of the API (``curl`` lines to ``api.…``, "API service healthy")
- ``web_url``       base URL of the web app (``curl`` lines to the domain, "homepage loads")
- ``db_host`` / ``db_hosts``  the production database host(s) ("`DATABASE_URL` points to production DB")
- ``DATABASE_URL``  the database backups and migrations use
- ``backup_dir``    where backups go (default ``backups``)
- ``base_ref``      the git ref "changed files" are compared with (default ``origin/main``)
- ``alertmanager_url``, ``max_latency``, ``notify_url``, ``login_url``, ``SMOKE_EMAIL``,
  ``SMOKE_PASSWORD``  for the monitoring, notification and login items
"""

from __future__ import annotations

from gonogo.markdown.recognize.base import Context, Recognized, Rule
from gonogo.markdown.recognize.commands import changed_files_any, command_of_section, typescript
from gonogo.markdown.recognize.database import backup_created, backup_verified, jsonb, migrations
from gonogo.markdown.recognize.env import (
    env_list,
    env_no_dev_values,
    env_required,
    env_url,
    secret_strength,
)
from gonogo.markdown.recognize.http import authentication, http_item, service_healthy
from gonogo.markdown.recognize.images import images
from gonogo.markdown.recognize.records import needs_a_person, notify, status_record
from gonogo.markdown.recognize.watch import dashboards, error_logs, response_times

#: Tried in this order; the first proposal that can bind wins.
RULES: tuple[Rule, ...] = (
    env_required,
    secret_strength,
    env_url,
    env_list,
    env_no_dev_values,
    backup_verified,
    backup_created,
    http_item,
    migrations,  # native migration state beats the ORM CLI of the section's code block
    command_of_section,
    typescript,
    changed_files_any,
    service_healthy,
    images,
    jsonb,
    dashboards,
    error_logs,
    response_times,
    notify,
    status_record,
    authentication,
    needs_a_person,
)

__all__ = ["RULES", "Context", "Recognized", "Rule"]
