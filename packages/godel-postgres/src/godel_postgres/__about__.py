"""Version of this distribution (read by hatchling and by ``godel --version``)."""

__version__ = "0.1.0"
