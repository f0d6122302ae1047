"""Options that several commands take, declared once so that each means the same everywhere
(name, type, default). A command whose help says something of its own passes ``help``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]

# -h besides --help. Subcommands inherit it from the root group; a command invoked on its own
# (click's test runner, a plugin's group) needs its own.
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}


def runs_dir_option(
    help: str = "Where run logs live (default: the configured runs dir: $GODEL_RUNS_DIR, "
    "the settings' runs_dir, else ./runs).",
) -> Decorator[F]:
    """``--runs-dir DIR`` (``None`` when not given: ``godel.log.resolve_runs_dir`` decides)."""
    from pathlib import Path  # here: `godel --help` imports this module, and pathlib is not cheap

    # Not readable=True: a runs dir godel may not read is the command's one-line error (exit 1
    # for the readers, as when it comes from $GODEL_RUNS_DIR), not a usage error.
    kind = click.Path(file_okay=False, readable=False, path_type=Path)
    return click.option("--runs-dir", type=kind, default=None, help=help)


# ctx.meta key: the --store URL the command was given (absent when it was not).
STORE_GIVEN = "godel.store_given"


def store_option() -> Decorator[F]:
    """``--store URL``: where runs live (docs/store.md), for this command and every process it
    starts. It sets ``$GODEL_STORE``, so the one resolver (``godel.store.resolve_store``) sees it
    wherever it runs: a command takes it with this one decorator and no parameter."""

    def remember(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value:
            import os

            os.environ["GODEL_STORE"] = value
            ctx.meta[STORE_GIVEN] = value  # for hints that must work as printed (resume_command)

    return click.option(
        "--store",
        metavar="URL",
        default=None,
        expose_value=False,
        is_eager=False,
        callback=remember,
        help="Where runs live: postgresql://..., file:///path (default: $GODEL_STORE, the "
        "settings' store, else the runs dir).",
    )


def run_id_argument() -> Decorator[F]:
    """``RUN_ID``: completes the run ids of the runs dir, newest first (docs/cli.md)."""
    from godel_cli.completion import complete_run_id

    return click.argument("run_id", shell_complete=complete_run_id)


def workflow_argument(name: str = "file", *, required: bool = True) -> Decorator[F]:
    """A workflow file, or the name of one (``.godel/workflows/<name>.py``); completes both."""
    from godel_cli.completion import complete_workflow

    # A string, not a Path: the name is reported as typed (`resolved workflow 'hello' -> ...`).
    # Directories are not refused here: `hello/` beside a named workflow `hello` must not hide
    # it (``loader.workflow_path`` says when a directory is all there is).
    return click.argument(
        name, required=required, type=click.Path(), shell_complete=complete_workflow
    )


def json_option(help: str) -> Decorator[F]:
    """``--json`` (the parameter ``as_json``): machine-readable output instead of text."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def format_option(*choices: str, help: str) -> Decorator[F]:
    """``--format`` (the parameter ``fmt``): one of ``choices``, the first by default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help=help,
    )


def reason_option(default: str = "") -> Decorator[F]:
    """``--reason TEXT`` recorded in the log with a pause or a rewind."""
    return click.option(
        "--reason", default=default, show_default=bool(default), help="Recorded in the log."
    )


# What each switch shared by `run` and `resume` means (`resume --help` words some more briefly).
FLAGS = {
    "--no-strict": "Allow non-deterministic code (skip strict mode's checks and guards, "
    "and the lint rules that enforce them).",
    "--no-lint": "Skip the lint pre-flight.",
    "--no-stream": "Do not write the live transcript (runs/<id>/transcript.jsonl).",
    "--debug": "Print full tracebacks for unexpected errors.",
}
# Switches whose default is a configuration key (docs/configuration.md): --X/--no-X, None
# when neither is given, so the configuration decides.
SWITCHES = {"strict": "strict", "lint": "lint", "stream": "stream_agents"}


def flag_option(name: str, help: str | None = None) -> Decorator[F]:
    """An on/off switch; ``help`` defaults to its meaning in ``FLAGS``."""
    return click.option(name, is_flag=True, help=help or FLAGS[name])


def switch_option(name: str, help: str | None = None) -> Decorator[F]:
    """``--name/--no-name``: the parameter ``name`` is True, False, or None when not given (then
    the configuration key ``SWITCHES[name]`` decides)."""
    text = help or FLAGS[f"--no-{name}"]
    return click.option(
        f"--{name}/--no-{name}",
        default=None,
        help=f"--no-{name}: {text[0].lower()}{text[1:]} Without either, the configuration's "
        f"`{SWITCHES[name]}` key decides (on unless set to false).",
    )


def configured(name: str, given: bool | None) -> bool:
    """A switch's value: as given on the command line, else its configuration key's."""
    if given is not None:
        return given
    from godel.config import load_config

    return bool(getattr(load_config().config, SWITCHES[name]))


def auto_checkpoint_option(
    help: str = "Declare how godel.input answers arrive (pipe, file, fifo...); "
    "silences the non-TTY warning.",
) -> Decorator[F]:
    """``--auto-checkpoint MODE``: sets ``GODEL_AUTO_CHECKPOINT`` for the run."""
    return click.option("--auto-checkpoint", metavar="MODE", default=None, help=help)


class _Usd(click.FloatRange):
    """An amount of USD above 0: a ``FloatRange`` that also refuses ``nan`` (no range holds it,
    yet click's bounds checks, being comparisons, let it through)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        usd = super().convert(value, param, ctx)
        if usd != usd:
            self.fail(f"{value!r} is not an amount of USD", param, ctx)
        return usd


def max_cost_option(
    help: str = "The run's budget in USD: no agent call starts once the run has spent it; the "
    "run stops with BudgetExceeded (exit 1). Overrides @workflow(max_cost_usd=...) and the "
    "`max_cost_usd` configuration key (docs/cost.md).",
) -> Decorator[F]:
    """``--max-cost USD`` (the parameter ``max_cost``; None when not given)."""
    return click.option(
        "--max-cost",
        "max_cost",
        type=_Usd(min=0, min_open=True, max=1e12),
        default=None,
        metavar="USD",
        help=help,
    )
