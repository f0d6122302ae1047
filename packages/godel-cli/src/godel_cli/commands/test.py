"""``godel test RUN_ID... [FILE] [--json]``: recorded runs as regression tests of the code."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from godel_cli.errors import EXIT_FAIL, CliError
from godel_cli.messages import say
from godel_cli.options import CONTEXT_SETTINGS, json_option, runs_dir_option, store_option


def _split(args: tuple[str, ...]) -> tuple[list[str], str | None]:
    """The runs, and FILE: the last argument when it is a .py file or a named workflow."""
    if len(args) > 1:
        last = args[-1]
        if (
            last.endswith(".py")
            or (Path(last).is_file() and not last.endswith(".jsonl"))
            or _is_named_workflow(last)
        ):
            return list(args[:-1]), last
    return list(args), None


def _is_named_workflow(name: str) -> bool:
    """Whether ``name`` is a workflow of ``.godel/workflows/`` or the godel home's."""
    from godel import ConfigError
    from godel.config import load_config, resolve_workflow

    try:
        resolve_workflow(name, load_config())
    except ConfigError:  # not one (a bad configuration is reported where it is used)
        return False
    return True


@click.command("test", context_settings=CONTEXT_SETTINGS)
@click.argument("targets", nargs=-1, required=True, metavar="RUN_ID... [FILE]")
@json_option("Print one JSON object per run: matches, what was answered, the divergence.")
@store_option()
@runs_dir_option()
def test(targets: tuple[str, ...], as_json: bool, runs_dir: Path | None) -> None:
    """Check the workflow's code against recorded runs, offline and free.

    Each RUN_ID (a run id, or a unique prefix or suffix of one, in the runs directory or the
    store, or a log exported with `godel runs export`, e.g. tests/runs/<id>.jsonl) is run again
    with the workflow in FILE (default: the file the run recorded), every agent call, command and input answered
    from the recording, matched by request: nothing runs live, nothing is written. A run
    matches when the code asks for exactly what was recorded, at the same steps, and ends the
    same way; otherwise the first divergence is printed with a diff (as `resume --plan` does).

    \b
    Exit codes:
      0  every run matches
      1  a run diverges; no such run; its log cannot be read
      2  usage error; FILE cannot be imported
    """
    from godel.log import lock_held
    from godel.plan import locate_run, replay_run

    runs, file = _split(targets)
    path = None
    if file is not None:
        from godel_cli.loader import workflow_path

        path = workflow_path(file)
    failed = 0
    for target in runs:
        try:
            run_id, directory = locate_run(target, runs_dir)
        except Exception as exc:
            raise CliError(f"no run {target!r}: {exc}", exit_code=EXIT_FAIL) from None
        if lock_held(run_id, directory):  # half a recording: every check would fail
            raise CliError(
                f"run {run_id} is running: test it once it has ended", exit_code=EXIT_FAIL
            )
        fn = _load(path) if path is not None else None
        try:
            result = replay_run(run_id, path, workflow=fn, runs_dir=directory, check=False)
        except (ImportError, SyntaxError) as exc:
            raise CliError(f"run {run_id}: cannot load its workflow: {exc}") from None
        except Exception as exc:  # an unreadable log, a recorded file that moved
            raise CliError(f"cannot replay run {run_id}: {exc}", exit_code=EXIT_FAIL) from None
        failed += not result.matches
        _report(result, as_json)
    sys.exit(EXIT_FAIL if failed else 0)


def _load(path: Path) -> Any:
    from godel_cli.loader import load_workflow

    return load_workflow(path)


def _report(result: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, default=repr))
        return
    verdict = "PASS" if result.matches else "FAIL"
    say(f"{verdict} run {result.run_id} with {result.file}")
    click.echo("\n".join(result.lines()))
