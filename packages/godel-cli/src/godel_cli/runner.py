"""Running a workflow from the command line (``run`` and ``resume``): the pre-flight and the
workflow's import, execution under signal handlers, then the final status lines and exit status."""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from godel_cli.errors import EXIT_FAIL, EXIT_OK, EXIT_SIGNAL, EXIT_USAGE, is_strict_violation
from godel_cli.messages import say


def prepare(
    path: Path, *, strict: bool, lint: bool, auto_checkpoint: str | None, debug: bool = False
) -> Any:
    """The workflow in ``path``, once the pre-flight checks passed; nothing is written before.

    ``--auto-checkpoint`` reaches the run's ``godel.input`` through the environment.
    """
    from godel_cli.loader import load_workflow
    from godel_cli.preflight import preflight

    preflight(path, strict=strict, lint=lint)
    fn = load_workflow(path, debug=debug)
    if auto_checkpoint is not None:
        os.environ["GODEL_AUTO_CHECKPOINT"] = auto_checkpoint
    return fn


def one_line(exc: BaseException) -> str:
    """``Type: message`` plus any notes (e.g. which parallel branch). A message that already
    starts with its type (``UnsafeResumeError.__str__``) is not prefixed twice; its other
    lines (what to do next, indented by the error itself) follow."""
    name = type(exc).__name__
    notes = getattr(exc, "__notes__", None) or []
    suffix = f" ({'; '.join(notes)})" if notes else ""
    try:
        text = str(exc).strip()
    except Exception:  # an exception whose __str__ fails still has a type to show
        text = ""
    if not text:
        return name + suffix
    from godel.runs.render import shown

    # The message may quote command output or an agent's text: shown, never obeyed.
    first, _, rest = text.partition("\n")
    first = _cut(shown(first.removeprefix(f"{name}: ")))
    rest = "\n".join(shown(line) for line in _cut(rest).split("\n")) if rest else ""
    return f"{name}: {first}{shown(suffix)}" + (f"\n{rest}" if rest else "")


def _cut(text: str) -> str:
    """At most ``MESSAGE_WIDTH`` characters of ``text``: a message of a megabyte is not one
    line of a megabyte (the log keeps it whole)."""
    from godel.runs.render import MESSAGE_WIDTH

    if len(text) <= MESSAGE_WIDTH:
        return text
    return f"{text[:MESSAGE_WIDTH]}… ({len(text) - MESSAGE_WIDTH:,} more characters)"


def before_the_log(exc: BaseException) -> str:
    """What failed before the run had a log (so there is no traceback in one to point at)."""
    from godel import ConfigError

    if isinstance(exc, ConfigError):
        return f"configuration error: {exc}"
    where = getattr(exc, "filename", None)
    if isinstance(exc, FileExistsError | NotADirectoryError) and where:
        return (
            f"cannot use {where} for runs: a file is in the way "
            "(pick another runs dir with --runs-dir or GODEL_RUNS_DIR)"
        )
    if isinstance(exc, PermissionError) and where:
        return (
            f"cannot write runs under {where}: permission denied "
            "(pick another runs dir with --runs-dir or GODEL_RUNS_DIR)"
        )
    if isinstance(exc, OSError) and where:
        # "write", not "create": a resume that cannot take its lock on a read-only runs dir
        return f"cannot write the run's log under {where}: {exc.strerror or exc}"
    return f"could not start the run: {one_line(exc)}"


@dataclass
class Outcome:
    """How a run ended, for the exit code and the final status line."""

    run_id: str | None = None
    log_path: Path | None = None
    result: Any = None
    error: BaseException | None = None
    signum: int | None = None
    paused: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> str:
        return f"{time.monotonic() - self.started:.1f}s"


def execute_with_signals(body: Callable[[Outcome], Any]) -> Outcome:
    """Run ``body`` (an async callable) in an event loop; SIGINT/SIGTERM/SIGHUP cancel it cleanly
    (``godel_cli.cancel``: anyio's backend is loaded only if the run uses it)."""
    import asyncio

    from godel import PauseSignal
    from godel.process import install_signal_handlers
    from godel_cli.cancel import RootCancel

    outcome = Outcome()

    async def main() -> None:
        root = RootCancel(asyncio.current_task())  # type: ignore[arg-type]
        try:
            handlers = install_signal_handlers(root.cancel)
            try:
                outcome.result = await body(outcome)
            except PauseSignal:
                outcome.paused = True
            except BaseException as exc:  # sys.exit() or a BaseException of its own: its outcome
                if handlers.signum is not None:
                    raise  # the signal's cancellation (or interruption): the root ends it
                outcome.error = exc
            finally:
                handlers()  # uninstall
                outcome.signum = handlers.signum
        except BaseException as exc:
            if not root.exit(exc):
                raise
        else:
            root.exit(None)

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        outcome.signum = outcome.signum or signal.SIGINT
    return outcome


def resume_command(run_id: str, runs_dir: Path | None) -> str:
    """``godel resume RUN_ID``, with the ``--runs-dir`` or ``--store`` the command was given
    (the hint must work as printed; a store URL's password is shown as ``***``)."""
    import shlex

    if runs_dir is not None:
        return f"godel resume {run_id} --runs-dir {shlex.quote(str(runs_dir))}"
    import click

    from godel_cli.options import STORE_GIVEN

    ctx = click.get_current_context(silent=True)
    url = ctx.meta.get(STORE_GIVEN) if ctx is not None else None
    if not url:
        return f"godel resume {run_id}"
    from godel.store import StoreError, open_store, store_name

    try:
        shown = store_name(open_store(url))  # opened already, by the run: its name without password
    except StoreError:
        return f"godel resume {run_id}"
    return f"godel resume {run_id} --store {shlex.quote(shown)}"


def report(outcome: Outcome, *, debug: bool, resume_hint: str, completed: str = "completed") -> int:
    """Print the final status line(s) and return the exit code.

    ``completed`` starts the success line: ``godel resume`` says ``resumed run completed``, as
    godel-py did."""
    from godel import WorkflowFail

    if outcome.signum is None and isinstance(outcome.error, KeyboardInterrupt):
        # Raised by the code itself: the log records it as interrupted by SIGINT, and so does
        # the exit status (godel-py: KeyboardInterrupt -> 130).
        outcome.signum = signal.SIGINT
    if outcome.signum is not None:
        say(f"interrupted after {outcome.elapsed}")
        if outcome.run_id:
            say(f"resume with: {resume_hint}")
        return EXIT_SIGNAL.get(outcome.signum, 130)
    if outcome.paused:
        say(f"paused after {outcome.elapsed}")
        say(f"resume with: {resume_hint}")
        return EXIT_OK
    exc = outcome.error
    if exc is None:
        say(f"{completed} in {outcome.elapsed}")
        return EXIT_OK
    if debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    if outcome.run_id is None and not isinstance(exc, WorkflowFail | SystemExit):
        say(before_the_log(exc))  # no log was written: nothing to resume, no traceback kept
        return EXIT_USAGE
    if isinstance(exc, SystemExit):
        say(f"failed after {outcome.elapsed}: the workflow called sys.exit({exc.code!r})")
        code = EXIT_FAIL
    elif isinstance(exc, WorkflowFail):
        say(f"failed after {outcome.elapsed}: {one_line(exc)}")
        code = EXIT_FAIL
    elif is_strict_violation(exc):
        say(f"strict mode stopped the run after {outcome.elapsed}: {one_line(exc)}")
        say("use the escape hatch it names, or run with --no-strict")
        code = EXIT_FAIL
    else:
        from godel_cli.loader import located, shadowing_notes

        say(f"error after {outcome.elapsed}: {located(one_line(exc), exc)}")
        for note in shadowing_notes():  # a module of the workflow's that an import did not get
            say(note)
        from godel.store import StoreUnavailableError

        if isinstance(exc, StoreUnavailableError):  # the log could not take the traceback either
            if not debug:
                say("run with --debug to print the traceback")
        elif not debug:
            say("the traceback is in the audit log; run with --debug to print it")
        code = EXIT_USAGE
    from godel import UnsafeResumeError

    replayed = _replayed_from(exc)
    if replayed is not None and outcome.run_id:
        # A resume replayed the recorded failure (a hot-patched @retry, say): resuming again
        # would replay it again. Its step, rewound, runs it.
        from godel.log import short_id

        event_id, step_id = replayed
        rewind = resume_hint.replace(
            f"godel resume {outcome.run_id}", f"godel rewind {outcome.run_id} --to {step_id}", 1
        )
        say(
            f"that failure is the one recorded at {short_id(event_id)}, replayed: nothing ran "
            f"again. To run it again: {rewind}, then resume"
        )
    # An unsafe resume says itself what to run instead: the same command would fail again.
    if outcome.run_id and not isinstance(exc, UnsafeResumeError):
        say(f"resume with: {resume_hint}")
    return code


def _replayed_from(exc: BaseException) -> tuple[str, str] | None:
    """(event id, id to rewind to) when ``exc``, or what it was raised from, is a failure a
    resume replayed from the log (``godel.engine.REPLAYED_FROM``)."""
    from godel.engine import REPLAYED_FROM

    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 8:
        found = getattr(current, REPLAYED_FROM, None)
        if isinstance(found, tuple) and len(found) == 2:
            return found
        current = current.__cause__ or current.__context__
        seen += 1
    return None
