"""Text renderings of a run for people: ``show``'s table, tree and event view, ``tail``'s lines.

Renderers return plain strings and never import click: colour is applied through a ``Style``
callable the caller passes (``godel.render.format.no_style`` for none), so the core stays
free of terminal dependencies and the CLI decides whether its stdout is a terminal.
"""

from __future__ import annotations
