"""Config: the YAML vocabulary, its loader, and the typed model the engine runs."""

from gonogo.config.load import find_config, load_config
from gonogo.config.model import CheckSpec, Config, Phase

__all__ = ["CheckSpec", "Config", "Phase", "find_config", "load_config"]
