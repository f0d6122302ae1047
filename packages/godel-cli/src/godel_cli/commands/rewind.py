"""``godel rewind RUN_ID --to EVENT_ID[,...]``."""

from __future__ import annotations

from pathlib import Path

import click

from godel_cli.errors import EXIT_BAD_ID, EXIT_FAIL, EXIT_USAGE, CliError
from godel_cli.messages import say
from godel_cli.options import (
    CONTEXT_SETTINGS,
    reason_option,
    run_id_argument,
    runs_dir_option,
    store_option,
)
from godel_cli.runner import resume_command


@click.command("rewind", context_settings=CONTEXT_SETTINGS)
@run_id_argument()
@click.option(
    "--to",
    "targets",
    required=True,
    metavar="EVENT_ID[,...]",
    help="Event(s) to go back to: full ids, or the short ids `godel show` prints (unique prefixes "
    "and suffixes work too). Comma-separated or repeated.",
    multiple=True,
)
@reason_option()
@click.option(
    "--cut",
    is_flag=True,
    help="Targeted cut: invalidate only the target and what ran inside it, keep later events cached.",
)
@click.option(
    "--assume-idempotent",
    is_flag=True,
    help="Allow re-running completed commands/agent calls that the rewind would repeat.",
)
@store_option()
@runs_dir_option()
def rewind(
    run_id: str,
    targets: tuple[str, ...],
    reason: str,
    cut: bool,
    assume_idempotent: bool,
    runs_dir: Path | None,
) -> None:
    """Go back to an event: invalidate it and everything after it, so `godel resume` re-runs them.

    \b
    Example: godel show 01J9...  then  godel rewind 01J9... --to 7KQ2M4XZ  then  godel resume 01J9...

    With --cut only the target and its children are invalidated. A rewind that would run a
    completed command or agent call again is refused unless --assume-idempotent is given.

    \b
    Exit codes:
      0  rewound
      1  no runs directory, no run matches RUN_ID, no event ids, an event id
         that matches nothing or cannot be rewound to, or the run is in use
      2  refused: it would run a completed command or agent call again
         (RewindUnsafe); or a usage error
      3  RUN_ID or an event id is ambiguous, or RUN_ID is not a valid run id
    """
    from godel import RewindUnsafe
    from godel.log import CorruptLogError, EventLog, IdLookupError, RunLockedError, lock_unwritable
    from godel.replay import apply_rewind
    from godel_cli.runids import event_error, resolve_run

    full, directory = resolve_run(run_id, runs_dir, bad_id=EXIT_BAD_ID)
    queries = [part.strip() for t in targets for part in t.split(",") if part.strip()]
    if not queries:
        raise CliError("No event IDs provided (give --to EVENT_ID[,...])", exit_code=EXIT_FAIL)
    try:
        log = EventLog.open(full, directory)
    except RunLockedError as exc:
        raise CliError(str(exc), exit_code=EXIT_FAIL) from None
    except (CorruptLogError, OSError) as exc:  # as show and resume say it
        if lock_unwritable(exc):  # the log was read; its lock could not be taken
            raise CliError(
                f"cannot write to run {full}: {exc.strerror or exc} ({exc.filename})",
                exit_code=EXIT_FAIL,
            ) from None
        raise CliError(f"cannot read run {full}: {exc}", exit_code=EXIT_FAIL) from None
    try:
        ids: list[str] = []
        for query in queries:
            try:
                event_id = log.resolve(query).event_id
                if event_id not in ids:  # --to X --to X, or a prefix and the full id
                    ids.append(event_id)
            except IdLookupError as exc:
                known = [ev.event_id for ev in log]
                raise event_error(exc, query, known, full, bad_id=EXIT_BAD_ID) from None
        result = apply_rewind(
            log,
            ids,
            reason=reason,
            mode="cut" if cut else "to",
            assume_idempotent=assume_idempotent,
        )
    except RewindUnsafe as exc:
        hint = [f"  {exc.remediation_hint}"] if exc.remediation_hint else []
        raise CliError(
            f"rewind refused: {exc.message}",
            f"  blocking event: {exc.event_id} ({exc.op})",
            *hint,
            exit_code=EXIT_USAGE,
        ) from None
    except ValueError as exc:
        raise CliError(f"rewind failed: {exc}", exit_code=EXIT_FAIL) from None
    finally:
        log.close()
    for line in result.report_lines(full, EventLog.load(full, directory).events):
        say(line)
    say(f"resume with: {resume_command(full, runs_dir)}")  # with the --runs-dir typed
