"""Registers agent ``echo`` (owned by godel-echo) and lint code ``ECH002`` (prefix owned by it).

The targets are never imported: the registries reject both names before anything is loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from godel import hookimpl

if TYPE_CHECKING:
    from godel.plugins import Register


@hookimpl
def godel_register_agents(register: Register) -> None:
    register("echo", "godel_dupe.agent:echo", summary="a second echo")


@hookimpl
def godel_register_lint_rules(register: Register) -> None:
    register("ECH002", "godel_dupe.lint:Whisper", summary="borrows godel-echo's prefix")
