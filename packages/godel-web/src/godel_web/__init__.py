"""godel-web: ``godel ui``, a local web view of runs."""

from godel_web.__about__ import __version__

__all__ = ["__version__"]
