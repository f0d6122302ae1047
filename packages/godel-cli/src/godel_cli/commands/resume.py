"""``godel resume RUN_ID [FILE]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from godel_cli.errors import EXIT_FAIL, CliError
from godel_cli.loader import workflow_path
from godel_cli.messages import say, warn
from godel_cli.options import (
    CONTEXT_SETTINGS,
    auto_checkpoint_option,
    configured,
    flag_option,
    json_option,
    max_cost_option,
    run_id_argument,
    runs_dir_option,
    store_option,
    switch_option,
    workflow_argument,
)
from godel_cli.runner import Outcome, execute_with_signals, prepare, report, resume_command


@click.command("resume", context_settings=CONTEXT_SETTINGS)
@run_id_argument()
@workflow_argument(required=False)
@click.option(
    "--on-mismatch",
    type=click.Choice(["abort", "invalidate", "continue"]),
    default="abort",
    show_default=True,
    help="When a recorded request differs from what the code asks now: stop (abort), "
    "re-run it and record the invalidation (invalidate), or keep the recorded result (continue).",
)
@click.option(
    "--on-source-edit",
    type=click.Choice(["warn", "abort", "ignore"]),
    default="warn",
    show_default=True,
    help="When a cached step's source changed since it ran.",
)
@click.option(
    "--assume-idempotent",
    is_flag=True,
    help="Re-run side effects that were in flight when the run stopped (only if that is safe).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Resume with FILE's workflow although the run was started by another one (recorded).",
)
@switch_option("strict", help="Allow non-deterministic code.")
@switch_option("lint")
@store_option()
@runs_dir_option()
@switch_option("stream", help="Do not write the live transcript.")
@auto_checkpoint_option(help="See `godel run --help`.")
@max_cost_option(
    help="A new budget in USD for the run (default: the one it was started with): a higher one "
    "continues a run that stopped with BudgetExceeded (docs/cost.md)."
)
@click.option(
    "--plan",
    is_flag=True,
    help="Say what the resume would do, and do nothing: replay the log until the first effect "
    "that would run live, then print what replays (and the cost saved), the first divergence "
    "with a diff of its request, what would run again (with its recorded cost) and the "
    "policies that apply. Nothing runs, nothing is written; exit 0.",
)
@json_option("With --plan: print the plan as JSON (godel.plan_resume's).")
@flag_option("--debug")
def resume(
    run_id: str,
    file: str | None,
    on_mismatch: str,
    on_source_edit: str,
    assume_idempotent: bool,
    force: bool,
    strict: bool | None,
    lint: bool | None,
    runs_dir: Path | None,
    stream: bool | None,
    auto_checkpoint: str | None,
    max_cost: float | None,
    plan: bool,
    as_json: bool,
    debug: bool,
) -> None:
    """Resume RUN_ID (a full id, or a unique prefix or suffix) from its audit log.

    The workflow runs again from the top; everything the log holds is answered from it (no
    agent call, command or file write is repeated) and the run continues live where the log
    ends. --plan shows what it would do without doing it. FILE (a path, or a named workflow as
    for `godel run`) defaults to the workflow file
    recorded in the log; the original arguments are recovered from the log. A run that already
    finished is not run again: its recorded result is printed and the log is left as it is.

    \b
    Exit codes:
      0    completed, or paused
      1    no runs directory; RUN_ID matches no run, or several; the log
           cannot be read; the workflow failed (WorkflowFail); or strict mode
           or lint refused the code
      2    usage error; the workflow file is missing or cannot be imported; no
           @workflow, or several, or another workflow than the run's (--force);
           the run used non-serialisable arguments; the
           run is in use; an unexpected exception (a changed request with
           --on-mismatch abort, a side effect in flight)
      130  interrupted by Ctrl+C; 143 by SIGTERM, 129 by SIGHUP
    """
    from godel.log import EventLog
    from godel.replay import finished_root, root_event
    from godel_cli.runids import resolve_run

    full_id, directory = resolve_run(run_id, runs_dir)
    try:
        snapshot = EventLog.load(full_id, directory)
        root = root_event(snapshot)
    except Exception as exc:
        raise CliError(f"cannot read run {full_id}: {exc}", exit_code=EXIT_FAIL) from None
    if as_json and not plan:
        raise CliError("--json goes with --plan", exit_code=2)
    done = finished_root(snapshot)
    if done is not None:
        if plan and as_json:  # godel.plan_resume's dict for a finished run
            policies = {
                "on_mismatch": on_mismatch,
                "on_source_edit": on_source_edit,
                "assume_idempotent": assume_idempotent,
            }
            finished = {"run_id": full_id, "workflow": root.request.get("function")}
            finished.update(finished=True, outcome="finished", policies=policies)
            click.echo(json.dumps(finished, indent=2, ensure_ascii=False))
            return
        _already_finished(full_id, directory, done)
        return
    if root.request.get("args_repr_only"):  # godel-py's message, word for word, then ours
        raise CliError(
            "resume error: This run used non-serialisable args; programmatic resume only. "
            "Call godel.resume(workflow, run_id, args=...) from Python."
        )
    recorded = root.request.get("source_file") or ""
    if file is not None:
        path = workflow_path(file)
    elif not recorded:
        raise CliError(f"run {full_id} does not record its workflow file; pass FILE")
    else:
        path = Path(recorded).expanduser().resolve()
        if not path.is_file():
            raise CliError(
                f"workflow file not found: {path} (recorded in the log; pass FILE if it moved)"
            )
    fn = prepare(
        path,
        strict=configured("strict", strict),
        lint=configured("lint", lint),
        auto_checkpoint=auto_checkpoint,
        debug=debug,
    )
    from godel.engine import other_workflow

    other = other_workflow(root, fn.__godel_workflow__)
    if other is not None and not force:
        raise CliError(f"{other}; pass the file that defines it, or --force to resume with it")
    if plan:
        from godel.log import RunLockedError, lock_held

        if lock_held(full_id, directory):  # the resume itself would be refused
            raise CliError(str(RunLockedError(full_id)))
        _plan(
            fn,
            full_id,
            directory,
            on_mismatch,
            on_source_edit,
            assume_idempotent,
            as_json,
            max_cost,
        )
        return
    if other is not None:
        warn(f"--force: {other}; resuming with it (the RESUME record says so)")
    if assume_idempotent:
        warn(
            "--assume-idempotent: side effects that were in flight when the run stopped will run again"
        )
    sys.exit(
        _execute(
            fn,
            full_id,
            directory,
            on_mismatch,
            on_source_edit,
            assume_idempotent,
            stream=stream,
            debug=debug,
            force=force,
            max_cost=max_cost,
            hint=resume_command(full_id, runs_dir),
        )
    )


def _plan(  # type: ignore[no-untyped-def]
    fn, run_id, runs_dir, on_mismatch, on_source_edit, assume_idempotent, as_json, max_cost
) -> None:
    """``--plan``: the dry run's plan on stdout; nothing runs, nothing is written."""
    from godel.plan import plan_resume, render

    try:
        plan = plan_resume(
            run_id,
            workflow=fn,
            runs_dir=runs_dir,
            on_mismatch=on_mismatch,
            on_source_edit=on_source_edit,
            assume_idempotent=assume_idempotent,
            max_cost_usd=max_cost,
        )
    except Exception as exc:
        raise CliError(
            f"cannot plan the resume of run {run_id}: {exc}", exit_code=EXIT_FAIL
        ) from None
    if as_json:
        click.echo(json.dumps(plan, indent=2, ensure_ascii=False, default=repr))
        return
    say(f"plan for resuming run {run_id} (nothing was run, nothing was written)")
    click.echo("\n".join(render(plan)))


def _already_finished(run_id: str, runs_dir: Path, root) -> None:  # type: ignore[no-untyped-def]
    """Print the recorded result of a finished run; run nothing, write nothing to its log."""
    from godel import clear_pause_request
    from godel.replay import result_text

    try:
        clear_pause_request(run_id, runs_dir)  # a pause request left for it has nothing to stop
    except OSError:  # a runs dir that cannot be written (read-only): the answer stands
        pass
    say(f"run {run_id} already finished at {root.ts_end}; nothing to resume")
    say(f"result: {result_text(root)}")


def _execute(
    fn,
    run_id,
    runs_dir,
    on_mismatch,
    on_source_edit,
    assume_idempotent,
    *,
    stream,
    debug,
    force,
    max_cost,
    hint,
) -> int:  # type: ignore[no-untyped-def]
    from godel import resume as resume_run
    from godel.log import RunLockedError

    def started(outcome: Outcome):  # type: ignore[no-untyped-def]
        def cb(rid: str, log_path: Path) -> None:
            outcome.run_id, outcome.log_path = rid, log_path
            say(f"resuming run {rid}")

        return cb

    async def body(outcome: Outcome):  # type: ignore[no-untyped-def]
        return await resume_run(
            fn,
            run_id,
            runs_dir=runs_dir,
            on_mismatch=on_mismatch,
            on_source_edit=on_source_edit,
            assume_idempotent=assume_idempotent,
            on_start=started(outcome),
            transcript=stream,
            force=force,
            max_cost_usd=max_cost,
        )

    outcome = execute_with_signals(body)
    if isinstance(outcome.error, RunLockedError):
        raise CliError(str(outcome.error))
    return report(outcome, debug=debug, resume_hint=hint, completed="resumed run completed")
