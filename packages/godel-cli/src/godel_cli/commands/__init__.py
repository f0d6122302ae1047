"""Built-in subcommands (one module each, imported only when the command runs)."""
