"""Config: the YAML vocabulary as pydantic models, and turning validated data into the typed
objects the engine runs (environments, phases, the needs graph, error wording).

It may import ``core``, the utilities beside it (envfiles, redact, yamlsource, interpolate),
check types (their base class and registry, through ``plugins``) — never ``markdown``: which
reader a file gets is decided above both, in ``gonogo.sources``.
"""

from gonogo.config.model import CheckSpec, Config, Phase
from gonogo.config.read import find_config

__all__ = ["CheckSpec", "Config", "Phase", "find_config"]
