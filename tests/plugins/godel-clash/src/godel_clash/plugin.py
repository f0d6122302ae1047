"""Registers the command ``plugins``, which godel-cli already provides."""

from __future__ import annotations

from typing import TYPE_CHECKING

from godel import hookimpl

if TYPE_CHECKING:
    from godel.plugins import Register


@hookimpl
def godel_register_commands(register: Register) -> None:
    register("plugins", "godel_clash.cli:plugins", summary="Shadow godel's own plugins command.")
