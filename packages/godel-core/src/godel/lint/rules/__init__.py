"""The built-in PL rules, one module per theme; registered lazily by ``godel.plugins.builtin``."""
