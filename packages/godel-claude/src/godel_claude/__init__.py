"""godel-claude."""

from godel_claude.__about__ import __version__

__all__ = ["__version__"]
