"""``godel init [--example]``: make the working directory a godel project."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from godel_cli.errors import EXIT_FAIL, CliError
from godel_cli.options import CONTEXT_SETTINGS

if TYPE_CHECKING:
    from godel.config import LoadedConfig

# Runs offline (no agent) and under strict mode and lint: the first `godel run hello` works.
EXAMPLE = '''\
"""A first godel workflow: `godel run hello`, or `godel run hello -- name=you`.

Every effect below (the command, the prints, the dice) is recorded in the run's audit log;
`godel show <run id>` reads it back, and `godel resume <run id>` replays it.
"""

from godel import det, parallel, print, run, step, workflow


@step
async def where() -> str:
    result = await run(["pwd"])
    return result.stdout.strip()


@step
async def roll(player: str) -> str:
    return f"{player} rolled {det.randint(1, 6)}"


@workflow
async def hello(name: str = "world") -> list[str]:
    here = await where()
    await print(f"hello, {name}, from {here}")
    rolls = list(await parallel(roll("alice"), roll("bob")))
    for line in rolls:
        await print(line)
    return rolls
'''


def _settings() -> str:
    """Every configuration key with its default (JSON has no comments to leave them in)."""
    from godel.config import GodelConfig

    return json.dumps(GodelConfig().model_dump(), indent=2) + "\n"


class _Report:
    """Creates what is missing, never touches what exists, and says which was which."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def _shown(self, path: Path, is_dir: bool) -> str:
        return os.path.relpath(path, self.cwd) + ("/" if is_dir else "")

    def directory(self, path: Path) -> None:
        if path.is_dir():
            click.echo(f"exists, skipped {self._shown(path, True)}")
            return
        try:
            path.mkdir()
        except FileExistsError:  # not a folder (checked above): a file or a link is in the way
            raise CliError(
                f"cannot create {self._shown(path, True)}: a file named "
                f"{self._shown(path, False)} is in the way (move it, then run godel init again)",
                exit_code=EXIT_FAIL,
            ) from None
        except OSError as exc:
            raise CliError(
                f"cannot create {self._shown(path, True)}: {exc.strerror or exc}",
                exit_code=EXIT_FAIL,
            ) from None
        click.echo(f"created {self._shown(path, True)}")

    def file(self, path: Path, text: str) -> None:
        try:
            # "x": an existing file (or one written meanwhile) is never overwritten.
            with path.open("x", encoding="utf-8") as f:
                f.write(text)
        except FileExistsError:
            click.echo(f"exists, skipped {self._shown(path, False)}")
            return
        except OSError as exc:
            raise CliError(
                f"cannot create {self._shown(path, False)}: {exc.strerror or exc}",
                exit_code=EXIT_FAIL,
            ) from None
        click.echo(f"created {self._shown(path, False)}")


@click.command("init", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--example",
    is_flag=True,
    help="Also write .godel/workflows/hello.py, a first workflow that runs offline "
    "(`godel run hello`).",
)
def init(example: bool) -> None:
    """Make the working directory a godel project.

    Creates .godel/, .godel/workflows/ (named workflows: `godel run NAME`) and
    .godel/settings.json with every configuration key at its default. Never overwrites: what
    exists already is reported and skipped. Then says where this project's runs will go: with
    "runs_dir" left at null, a project keeps them under the godel home
    (~/.godel/projects/...), not in ./runs.

    \b
    Exit codes:
      0  done (created, or everything existed already)
      1  a file or directory could not be created (a file named .godel, no
         permission)
      2  usage error; a settings.json that was already there is broken
    """
    from godel import ConfigError
    from godel.config import load_config

    cwd = Path.cwd()
    report = _Report(cwd)
    project = cwd / ".godel"
    report.directory(project)
    report.directory(project / "workflows")
    report.file(project / "settings.json", _settings())
    if example:
        report.file(project / "workflows" / "hello.py", EXAMPLE)
    try:
        loaded = load_config(cwd, use_cache=False)
    except ConfigError as exc:  # a settings.json that was already there and is broken
        raise CliError(f"configuration error: {exc}") from None  # exit 2, as everywhere
    from godel.runs.render import shown  # a settings file's runs_dir is shown, not obeyed

    click.echo(f"runs dir: {shown(str(loaded.runs_dir))}")
    if loaded.config.runs_dir is None:
        click.echo(
            '  (set "runs_dir" in .godel/settings.json, e.g. "runs", to keep runs in the project)'
        )
    if example:
        click.echo(f"next: godel run {_example_name(loaded, project / 'workflows' / 'hello.py')}")


def _example_name(loaded: LoadedConfig, example: Path) -> str:
    """``hello`` when ``godel run hello`` runs the example; else its path, which always does
    (a ``workflows_dir`` set elsewhere, in the settings or ``$GODEL_WORKFLOWS_DIR``)."""
    from godel import ConfigError
    from godel.config import resolve_workflow

    try:
        if resolve_workflow("hello", loaded) == example.resolve():
            return "hello"
    except ConfigError:  # not found by name
        pass
    return os.path.relpath(example)
