"""``godel resume RUN_ID [FILE]``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from godel_cli.errors import CliError
from godel_cli.messages import say, warn
from godel_cli.preflight import preflight
from godel_cli.runner import Outcome, execute_with_signals, report


@click.command("resume", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("run_id")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
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
@click.option("--no-strict", is_flag=True, help="Allow non-deterministic code.")
@click.option("--no-lint", is_flag=True, help="Skip the lint pre-flight.")
@click.option(
    "--runs-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where run logs live (default: $GODEL_RUNS_DIR or ./runs).",
)
@click.option("--no-stream", is_flag=True, help="Do not write the live transcript.")
@click.option("--auto-checkpoint", metavar="MODE", default=None, help="See `godel run --help`.")
@click.option("--debug", is_flag=True, help="Print full tracebacks for unexpected errors.")
def resume(
    run_id: str,
    file: Path | None,
    on_mismatch: str,
    on_source_edit: str,
    assume_idempotent: bool,
    no_strict: bool,
    no_lint: bool,
    runs_dir: Path | None,
    no_stream: bool,
    auto_checkpoint: str | None,
    debug: bool,
) -> None:
    """Resume RUN_ID (a full id, or a unique prefix or suffix) from its audit log.

    The workflow runs again from the top; everything the log holds is answered from it (no
    agent call, command or file write is repeated) and the run continues live where the log
    ends. FILE defaults to the workflow file recorded in the log; the original arguments are
    recovered from the log.

    \b
    Exit status: as for `godel run`.
    """
    from godel.log.eventlog import EventLog
    from godel.log.files import resolve_runs_dir
    from godel.replay.policy import root_event
    from godel_cli.loader import LoadError, find_workflow, import_workflow_file
    from godel_cli.runids import resolve_run

    directory = resolve_runs_dir(runs_dir)
    full_id = resolve_run(run_id, directory)
    try:
        snapshot = EventLog.load(full_id, directory)
        root = root_event(snapshot)
    except Exception as exc:
        raise CliError(f"cannot read run {full_id}: {exc}") from None
    recorded = root.request.get("source_file") or ""
    path = (file or Path(recorded)).expanduser().resolve() if (file or recorded) else None
    if path is None:
        raise CliError(f"run {full_id} does not record its workflow file; pass FILE")
    if not path.is_file():
        raise CliError(
            f"workflow file not found: {path}"
            + ("" if file else " (recorded in the log; pass FILE if it moved)")
        )
    if root.request.get("args_repr_only"):
        raise CliError(
            "resume error: this run used non-serialisable args; programmatic resume only "
            "(call godel.resume(workflow, run_id, args=...) from Python)"
        )
    preflight(path, strict=not no_strict, lint=not no_lint)
    try:
        fn = find_workflow(import_workflow_file(path), path)
    except LoadError as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:
        raise CliError(f"cannot import {path}: {type(exc).__name__}: {exc}") from None
    spec = fn.__godel_workflow__
    spec.source_file = str(path)
    if auto_checkpoint is not None:
        os.environ["GODEL_AUTO_CHECKPOINT"] = auto_checkpoint
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
            stream=not no_stream,
            debug=debug,
        )
    )


def _execute(
    fn, run_id, runs_dir, on_mismatch, on_source_edit, assume_idempotent, *, stream, debug
) -> int:  # type: ignore[no-untyped-def]
    from godel.engine.workflow import resume as resume_run
    from godel.log.eventlog import RunLockedError

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
        )

    outcome = execute_with_signals(body)
    if isinstance(outcome.error, RunLockedError):
        raise CliError(str(outcome.error))
    return report(outcome, debug=debug, resume_hint=f"godel resume {run_id}")
