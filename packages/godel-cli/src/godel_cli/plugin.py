"""godel-cli's own plugin: the built-in subcommands, registered through the command hook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from godel import hookimpl

if TYPE_CHECKING:
    from godel.plugins import Register


@hookimpl
def godel_register_commands(register: Register) -> None:
    register(
        "plugins",
        "godel_cli.commands.plugins:plugins",
        summary="List installed plugins and what they register.",
    )
    register(
        "lint", "godel_cli.commands.lint:lint", summary="Check workflow files for common mistakes."
    )
    register("run", "godel_cli.commands.run:run", summary="Run the @workflow in FILE as a new run.")
    register(
        "resume", "godel_cli.commands.resume:resume", summary="Resume a run from its audit log."
    )
    register(
        "pause",
        "godel_cli.commands.pause:pause",
        summary="Ask a live run to pause at its next step.",
    )
    register(
        "rewind",
        "godel_cli.commands.rewind:rewind",
        summary="Go back to an event so resume re-runs from there.",
    )
    register(
        "show",
        "godel_cli.commands.show:show",
        summary="Show a run: its status, then its events (--graph, --full).",
    )
    register(
        "tail", "godel_cli.commands.tail:tail", summary="Follow a run's audit log as it is written."
    )
    register(
        "runs", "godel_cli.commands.runs:runs", summary="List runs with their status (runs list)."
    )
    register(
        "test",
        "godel_cli.commands.test:test",
        summary="Check a workflow against recorded runs, offline.",
    )
    register(
        "cost",
        "godel_cli.commands.cost:cost",
        summary="What agent calls cost, summed across runs.",
    )
    register(
        "store",
        "godel_cli.commands.store:store",
        summary="Set up a run store (store init URL).",
    )
    register(
        "init",
        "godel_cli.commands.init:init",
        summary="Make this directory a godel project.",
    )
    register(
        "config",
        "godel_cli.commands.config:config",
        summary="Show where configuration comes from, and its values.",
    )
    register(
        "workflows",
        "godel_cli.commands.workflows:workflows",
        summary="List named workflows, or find one.",
    )
    register(
        "guide",
        "godel_cli.commands.guide:guide",
        summary="Read a bundled guide (godel guide lists them).",
    )
    register(
        "repair",
        "godel_cli.commands.repair:repair",
        summary="Mend a failed or paused run with an agent (--resume to go on).",
    )
    register(
        "mcp",
        "godel_cli.commands.mcp:mcp",
        summary="Serve godel's run and repair tools over MCP (stdio).",
    )
