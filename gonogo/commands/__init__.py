"""One module per subcommand; each ``main(args) -> int``."""
