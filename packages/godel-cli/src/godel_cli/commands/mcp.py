"""``godel mcp``: serve godel's run and repair tools over MCP on stdio (docs/mcp.md)."""

from __future__ import annotations

from pathlib import Path

import click

from godel_cli.errors import EXIT_FAIL, CliError
from godel_cli.options import CONTEXT_SETTINGS, runs_dir_option, store_option


@click.command("mcp", context_settings=CONTEXT_SETTINGS)
@store_option()
@runs_dir_option()
def mcp(runs_dir: Path | None) -> None:
    """Serve godel's tools to an MCP client (Claude Code, Copilot CLI, an editor) over stdio.

    Tools: list_runs, show_run, read_event, tail_events, pause_run, resume_run,
    repair_context, read_file, edit_file, run_lint, rewind, answer_input, give_up. File
    tools are confined to a run's project (never the runs directory); each edited file is
    backed up under runs/RUN_ID/repair/N/ (this machine's runs dir, also for a run kept in a
    store) and each change is a REPAIR event of the run. The server runs until the client
    closes its stdin. For example, for Claude Code:

    \b
      {"mcpServers": {"godel": {"command": "godel", "args": ["mcp"]}}}

    \b
    Exit codes:
      0    the client closed the connection
      1    the mcp package is missing from the installation; the store cannot be used
      2    a usage error
      130  interrupted by Ctrl+C (SIGINT)
    """
    try:
        import mcp.server.mcpserver  # noqa: F401 - a missing SDK is a clear error, not a traceback
    except ImportError as exc:
        raise CliError(
            f"godel mcp needs the mcp package ({exc}); install it: pip install 'mcp>=2.3'",
            exit_code=EXIT_FAIL,
        ) from None
    from godel.store import resolve_store
    from godel_cli.mcp_server import build_server

    resolve_store(None, runs_dir)  # a store that cannot be used: one line now, not per tool call

    build_server(runs_dir).run("stdio")
