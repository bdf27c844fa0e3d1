"""Who is acting: the operating-system user this process runs as, for every audit record
(runs, sign-offs, releases, locks, the `record` check's default author)."""

from __future__ import annotations

import os
import pwd


def os_user() -> str:
    """The operating-system user this process runs as (effective uid).

    Not ``getpass.getuser()``: that believes ``$LOGNAME``/``$USER``, which anyone can set,
    and the audit trail must not be free text.
    """
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # no passwd entry in some containers
        return f"uid {uid}"
