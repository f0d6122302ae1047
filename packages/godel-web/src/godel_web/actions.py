"""Pause and rewind from the browser: the core functions ``godel pause`` and ``godel rewind``
call, with the same safety check and the same words.

Each returns an ``Outcome``: the ``[godel]``-less lines the CLI would print, and the HTTP status
(200 done, 409 refused by the safety check or the run is in use, 404 unknown event, 400 an
event id several events start or end with).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from godel.store import is_store, store_name


def resume_command(run_id: str, runs_dir: Any) -> str:
    """``godel resume RUN_ID --runs-dir DIR`` (``--store URL``, its password hidden, for a
    store): the server's runs are seldom the reader's default, and the hint must work as
    printed from any folder."""
    import shlex

    if is_store(runs_dir):
        return f"godel resume {run_id} --store {shlex.quote(store_name(runs_dir))}"
    return f"godel resume {run_id} --runs-dir {shlex.quote(str(Path(runs_dir).resolve()))}"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int
    lines: list[str] = field(default_factory=list)


def pause(run_id: str, runs_dir: Path, reason: str = "web pause") -> Outcome:
    """Write the pause request the run checks before each step (``godel pause``)."""
    from godel.engine import request_pause

    try:
        sentinel, not_running = request_pause(run_id, runs_dir, reason)
    except OSError as exc:  # a runs dir the server may not write (read-only): as godel pause says
        return Outcome(
            False, 500, [f"cannot write the pause request for run {run_id}: {exc.strerror or exc}"]
        )
    lines = [
        f"pause requested for run {run_id}",
        # as `godel pause` says it: a store keeps the request itself
        f"sentinel: {sentinel}"
        if isinstance(runs_dir, Path)
        else f"request stored in: {store_name(runs_dir)}",
        f"resume with: {resume_command(run_id, runs_dir)}",
    ]
    if not_running:
        lines.append(f"warning: {not_running}")
    return Outcome(True, 200, lines)


def rewind(
    run_id: str,
    runs_dir: Path,
    target: str,
    *,
    reason: str = "",
    cut: bool = False,
    assume_idempotent: bool = False,
) -> Outcome:
    """Invalidate ``target`` and what came after it (``godel rewind --to``), unless that would
    run a completed command or agent call again (``RewindUnsafe``, as the CLI refuses it)."""
    from godel import RewindUnsafe
    from godel.log import EventLog, IdLookupError, RunLockedError, lock_unwritable
    from godel.replay import apply_rewind

    try:
        log = EventLog.open(run_id, runs_dir)
    except RunLockedError as exc:
        return Outcome(False, 409, [str(exc)])
    except OSError as exc:  # as godel rewind says it
        if lock_unwritable(exc):  # a runs dir the server may not write
            return Outcome(False, 500, [f"cannot write to run {run_id}: {exc.strerror or exc}"])
        return Outcome(False, 500, [f"cannot read run {run_id}: {exc}"])
    try:
        try:
            event_id = log.resolve(target).event_id
        except IdLookupError as exc:
            if exc.candidates:  # as the event page says it: a prefix of several events
                return Outcome(False, 400, [f'Ambiguous event id "{target}": {exc}'])
            return Outcome(False, 404, [f'Event ID not found: "{target}" in run {run_id}'])
        result = apply_rewind(
            log,
            [event_id],
            reason=reason,
            mode="cut" if cut else "to",
            assume_idempotent=assume_idempotent,
        )
    except RewindUnsafe as exc:
        hint = [f"  {exc.remediation_hint}"] if exc.remediation_hint else []
        return Outcome(
            False,
            409,
            [
                f"rewind refused: {exc.message}",
                f"  blocking event: {exc.event_id} ({exc.op})",
                *hint,
            ],
        )
    except ValueError as exc:
        return Outcome(False, 409, [f"rewind failed: {exc}"])
    finally:
        log.close()
    lines = result.report_lines(run_id, EventLog.load(run_id, runs_dir).events)
    lines.append(f"resume with: {resume_command(run_id, runs_dir)}")
    return Outcome(True, 200, lines)
