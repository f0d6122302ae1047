"""godel-copilot."""

from godel_copilot.__about__ import __version__

__all__ = ["__version__"]
