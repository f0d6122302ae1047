"""godel-web's hookimpls: the ``godel ui`` command, registered as any plugin's would be."""

from __future__ import annotations

from typing import TYPE_CHECKING

from godel import hookimpl

if TYPE_CHECKING:
    from godel.plugins import Register


@hookimpl
def godel_register_commands(register: Register) -> None:
    register(
        "ui",
        "godel_web.command:ui",
        summary="Serve a local web view of runs (timeline, tree, live).",
    )
