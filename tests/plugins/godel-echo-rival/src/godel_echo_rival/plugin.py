"""The rival's hookimpl: one lint rule whose prefix clashes with godel-echo's."""

from __future__ import annotations

from godel import hookimpl


@hookimpl
def godel_register_lint_rules(register):  # type: ignore[no-untyped-def]
    register("ECH002", "godel_echo_rival.lint:Whisper", summary="prompts must not be all lowercase")
