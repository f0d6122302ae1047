"""godel-codex."""

from godel_codex.__about__ import __version__

__all__ = ["__version__"]
