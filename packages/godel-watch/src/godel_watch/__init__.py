"""godel-watch."""

from godel_watch.__about__ import __version__

__all__ = ["__version__"]
