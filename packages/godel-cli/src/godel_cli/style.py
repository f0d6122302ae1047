"""Colour on stdout: core's renderers take a ``Style``; the CLI decides whether to colour."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from godel.runs.render import Style


def make_style() -> Style:
    """Colour through click when stdout is a terminal (or ``--color`` forced it), else none."""
    from godel.runs.render import ROLE_STYLES, no_style

    ctx = click.get_current_context(silent=True)
    color = ctx.color if ctx is not None else None
    if color is None:
        # sys.stdout itself: click.get_text_stream is deprecated (click 8.5) and goes in click 9.
        stream = sys.stdout
        color = bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("NO_COLOR")
    if not color:
        return no_style

    def style(text: str, role: str) -> str:
        spec = ROLE_STYLES.get(role)
        return click.style(text, **spec) if spec else text

    return style
