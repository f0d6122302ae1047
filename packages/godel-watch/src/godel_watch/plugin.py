"""godel-watch's hookimpls: the ``godel watch`` command, registered as any plugin's would be."""

from __future__ import annotations

from typing import TYPE_CHECKING

from godel import hookimpl

if TYPE_CHECKING:
    from godel.plugins import Register


@hookimpl
def godel_register_commands(register: Register) -> None:
    register(
        "watch",
        "godel_watch.command:watch",
        summary="Watch a run live in the terminal (a tree of steps, agent output; -p: plain lines).",
    )
