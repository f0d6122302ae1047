"""``godel repair RUN_ID``: an agent mends a failed or paused run (docs/repair.md)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from godel_cli.errors import EXIT_FAIL, EXIT_OK, EXIT_SIGNAL, EXIT_USAGE, CliError
from godel_cli.messages import say
from godel_cli.options import CONTEXT_SETTINGS, flag_option, runs_dir_option, store_option

EXIT_CRASH = 3  # the agent crashed, or ended without deciding


@click.command("repair", context_settings=CONTEXT_SETTINGS)
@click.argument("run_id")
@click.option(
    "--agent",
    "agent_spec",
    metavar="MODULE:FUNCTION",
    default=None,
    help="A custom agent: async def fn(ctx, tools, **opts) (the working directory is importable). "
    "Default: the built-in agent.",
)
@click.option(
    "--backend",
    default="claude_code",
    show_default=True,
    help="The agent backend of the built-in agent: claude_code (or claude), copilot, codex, "
    "or any installed one.",
)
@click.option("--model", default=None, help="The model (default: the backend's).")
@click.option(
    "--max-iterations",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Tool calls the agent may make before the repair gives up.",
)
@click.option("--dry-run", is_flag=True, help="Print the repair context as JSON and stop.")
@click.option(
    "--resume",
    "resume_after",
    is_flag=True,
    help="When the repair ends with resume, resume the run right away.",
)
@store_option()
@runs_dir_option()
@flag_option("--debug")
def repair(
    run_id: str,
    agent_spec: str | None,
    backend: str,
    model: str | None,
    max_iterations: int,
    dry_run: bool,
    resume_after: bool,
    runs_dir: Path | None,
    debug: bool,
) -> None:
    """Mend RUN_ID, a FAILED or PAUSED run, with an agent, then resume it (--resume).

    The agent sees the failure (or the input() the run waits at), the workflow's sources and
    the last events, and acts one tool call at a time: read_file, edit_file, run_lint,
    rewind, answer_input, then resume or give_up. Files outside the workflow's project and
    the runs directory cannot be edited; every edited file is backed up first under
    runs/RUN_ID/repair/N/ (this machine's runs dir, also for a run kept in a store). The
    repair is a run of its own, beside the run (godel runs list shows it), and the repaired
    run's log gets a REPAIR event. At the end the diff of each edited file is printed.
    With --resume, once the repair ends with resume, the exit code is godel resume's.

    \b
    Exit codes:
      0    the repair ended with resume (with --resume: the run then
           completed or paused); --dry-run printed the context
      1    no runs directory; RUN_ID matches no run, or several; the log
           cannot be read; the agent gave up, or used up --max-iterations;
           with --resume: the resumed run failed
      2    the run is not FAILED or PAUSED, or is in use; a bad --agent or
           --backend; a usage error
      3    the agent crashed, or ended without resume or give_up
      130  interrupted by Ctrl+C (SIGINT)
    """
    from godel.engine import is_live
    from godel.repair import RepairStateError, build_context
    from godel_cli.runids import resolve_run

    full, directory = resolve_run(run_id, runs_dir)
    if is_live(full, directory):
        raise CliError(f"run {full} is in use by another process: pause it first (godel pause)")
    try:
        ctx = build_context(full, directory)
    except RepairStateError as exc:
        raise CliError(str(exc), exit_code=EXIT_USAGE) from None
    except Exception as exc:
        raise CliError(f"cannot read run {full}: {exc}", exit_code=EXIT_FAIL) from None
    say(f"repairing run {full} (state: {ctx.state})")
    if ctx.failure is not None:
        first, *more = ctx.failure.error.splitlines() or [""]
        say(f"failure: {ctx.failure.error_type}: {first}" + (" ..." if more else ""))
    if ctx.pending_input is not None:
        say(f"waiting at input: {ctx.pending_input.prompt!r}")
    if dry_run:
        click.echo(ctx.to_json())
        return
    agent = _check_agent(agent_spec, backend)
    code = _repair(ctx, agent, backend, model, max_iterations, debug)
    if code == EXIT_OK and resume_after:
        from godel_cli.commands.resume import resume

        click.get_current_context().invoke(resume, run_id=full, runs_dir=directory, debug=debug)
    elif code == EXIT_OK:
        say(f"run `godel resume {full}` to continue")
    sys.exit(code)


def _check_agent(agent_spec: str | None, backend: str) -> str:
    """The agent to run, checked before anything is written (exit 2 when unusable)."""
    from godel.repair import AgentSpecError, load_agent

    if agent_spec is not None:
        try:
            load_agent(agent_spec)
        except AgentSpecError as exc:
            raise CliError(f"bad --agent: {exc}") from None
        return agent_spec
    from godel import agents

    name = {"claude": "claude_code"}.get(backend, backend)
    if name not in agents.names():
        raise CliError(
            f"unknown --backend {backend!r}; installed: {', '.join(sorted(agents.names()))}"
        )
    return "default"


def _repair(
    ctx: Any, agent: str, backend: str, model: str | None, max_iterations: int, debug: bool
) -> int:
    """Run the repair, print how it went, return the exit code."""
    from godel.log import RunLockedError
    from godel.repair import run_repair
    from godel_cli.runner import execute_with_signals, one_line

    started = time.monotonic()
    repair_ids: list[str] = []

    def on_start(run_id: str, path: Path) -> None:
        repair_ids.append(run_id)
        say(f"repair run {run_id} (audit log: {path})")

    async def body(_outcome: Any) -> Any:
        return await run_repair(
            ctx,
            agent=agent,
            backend=backend,
            model=model,
            max_iterations=max_iterations,
            progress=lambda line: say(_plain(line)),
            on_start=on_start,
        )

    outcome = execute_with_signals(body)
    elapsed = f"{time.monotonic() - started:.1f}s"
    if outcome.signum is not None:
        say(f"interrupted after {elapsed}")
        return EXIT_SIGNAL.get(outcome.signum, 130)
    exc = outcome.error
    if isinstance(exc, RunLockedError):
        raise CliError(f"run {ctx.run_id} is in use: {exc}")
    if exc is not None:
        say(f"intervention agent crashed after {elapsed}: {one_line(exc)}")
        if debug:
            import traceback

            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        if repair_ids:
            say(f"what it did is in its log: godel show {repair_ids[0]}")
        return EXIT_CRASH
    result = outcome.result
    _print_edits(result)
    if result.outcome == "resume":
        say(f"intervention complete in {elapsed}: resume ({_plain(result.reason)})")
        return EXIT_OK
    if result.outcome == "give_up":
        say(f"intervention gave up after {elapsed}: {_plain(result.reason)}")
        return EXIT_FAIL
    say(f"intervention returned unexpected outcome: {result.reason}")
    return EXIT_CRASH


def _plain(text: str) -> str:
    """What an agent wrote (a path, a reason), safe on a status line: control characters such
    as newlines and terminal escape sequences are shown escaped, not acted on."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _print_edits(result: Any) -> None:
    """Each edited file: a status line, and its diff against the backup on stdout."""
    import difflib

    for shown, entry in sorted(result.edits.items()):
        backup = result.session_dir / entry["backup"]
        say(f"edited {shown} (original kept in {backup})")
        try:
            before = backup.read_text().splitlines(keepends=True)
            after = Path(entry["path"]).read_text().splitlines(keepends=True)
        except OSError as exc:
            say(f"  cannot show the diff: {exc}")
            continue
        diff = difflib.unified_diff(before, after, f"a/{shown}", f"b/{shown}")
        click.echo("".join(line if line.endswith("\n") else line + "\n" for line in diff), nl=False)
