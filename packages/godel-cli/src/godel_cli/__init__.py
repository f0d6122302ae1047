"""godel-cli: the ``godel`` command line."""

from godel_cli.__about__ import __version__

__all__ = ["__version__"]
