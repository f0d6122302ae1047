"""Shell completion (click's): run ids for RUN_ID, named workflows for FILE and NAME.

The shell runs ``godel`` with ``_GODEL_COMPLETE`` set at every Tab, so these functions must be
quick and must never fail: a configuration that cannot be read completes nothing rather than
printing a traceback into the user's prompt.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import click
    from click.shell_completion import CompletionItem


def _runs_dir(ctx: click.Context) -> Path | None:
    """The runs dir the command would use: its ``--runs-dir`` if typed before the Tab."""
    from godel.log import resolve_runs_dir

    try:
        return resolve_runs_dir(ctx.params.get("runs_dir"))
    except Exception:  # a broken settings file: complete nothing
        return None


def complete_run_id(
    ctx: click.Context, _param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Run ids of the runs dir, newest first, that start (or end) with what was typed.

    A suffix counts too, as on the command line: ``godel show 7ACF<Tab>`` completes the run
    whose id ends in the 8 characters ``godel show`` prints.
    """
    from click.shell_completion import CompletionItem

    from godel.log import list_run_ids

    directory = _runs_dir(ctx)
    if directory is None:
        return []
    typed = incomplete.upper()
    ids = list_run_ids(directory)
    hits = [i for i in ids if i.upper().startswith(typed)]
    if typed and not hits:
        hits = [i for i in ids if i.upper().endswith(typed)]
    return [CompletionItem(i) for i in hits]


def _workflows() -> dict[str, Path]:
    from godel.config import list_workflows, load_config

    try:
        return list_workflows(load_config())
    except Exception:  # a broken settings file: complete nothing
        return {}


def complete_workflow_name(
    _ctx: click.Context, _param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Named workflows (project, then user) that start with what was typed."""
    from click.shell_completion import CompletionItem

    return [
        CompletionItem(name, help=_text(str(path)))
        for name, path in _workflows().items()
        if name.startswith(incomplete) and _text(name) == name
    ]


def _text(value: str) -> str:
    """``value`` as click can write it: a file name that is not UTF-8 (its undecodable bytes
    held as surrogates) would make the answer's ``encode()`` raise into the user's prompt."""
    return value.encode("utf-8", "replace").decode("utf-8")


def complete_workflow(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """A workflow file: the shell's own file completion, then the named workflows.

    The ``file`` item comes first because bash's completion script starts over at it: bash
    then offers the names when one matches, and files otherwise; zsh and fish offer both.
    """
    from click.shell_completion import CompletionItem

    names = [] if "/" in incomplete else complete_workflow_name(ctx, param, incomplete)
    return [CompletionItem(incomplete, type="file"), *names]
