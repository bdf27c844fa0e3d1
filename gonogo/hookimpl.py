"""The marker every plugin (built-in or third-party) puts on its hook implementations.

It sits below check types, drivers and reports so they can mark their hooks without importing
the hook specifications, which name their base classes. ``gonogo.hookspecs`` offers the same
marker to third parties.
"""

from __future__ import annotations

import pluggy

hookimpl = pluggy.HookimplMarker("gonogo")
