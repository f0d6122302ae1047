"""godel-core's own plugin: it registers the built-ins through the same hooks as third parties."""

from __future__ import annotations

from typing import TYPE_CHECKING

from godel.hookspecs import hookimpl

if TYPE_CHECKING:
    from godel.registry import Register


@hookimpl
def godel_register_parsers(register: Register) -> None:
    register("lines", "godel.parsers.lines:LineParser", summary="plain text output, one record per line")
    register("jsonl", "godel.parsers.lines:JsonLinesParser", summary="JSON objects, one per line")
