"""One module per subcommand; each ``main(args) -> int`` (helpers shared by a few start
with ``_``). The top layer: commands may import any package below them; only the CLI
imports them (by name, at dispatch)."""
