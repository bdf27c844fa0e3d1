"""Built-in check types, one module each; see ``gonogo.plugins.DEFAULT_PLUGINS``."""
