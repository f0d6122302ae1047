"""Errors raised by godel's plugin system (the workflow error family lives in ``godel.exceptions``)."""

from __future__ import annotations


class PluginError(Exception):
    """A plugin could not be loaded, or two plugins registered the same name."""


class UnknownPluginError(PluginError, AttributeError, LookupError):
    """A name was asked for that no installed plugin registered.

    Subclasses ``AttributeError`` so that ``hasattr(godel.agents, "nope")`` is ``False``.
    """
