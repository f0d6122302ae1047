"""``godel config path`` and ``godel config show``: where the configuration comes from, and
what it says."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from godel_cli.errors import EXIT_USAGE, CliError
from godel_cli.options import CONTEXT_SETTINGS, json_option

if TYPE_CHECKING:
    from godel.config import LoadedConfig


def _load() -> LoadedConfig:
    """The configuration seen from here; its problems as ``[godel]`` lines, not tracebacks.

    Its warnings were printed by the group, before any command runs (``godel_cli.group``)."""
    from godel import ConfigError
    from godel.config import load_config

    try:
        return load_config(use_cache=False)
    except ConfigError as exc:
        raise CliError(f"configuration error: {exc}", exit_code=EXIT_USAGE) from None


def _mark(exists: bool) -> str:
    """✓/✗, or +/- where stdout is not UTF-8 (a C locale, a cp1252 pipe)."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    if not encoding.startswith("utf"):
        return "+" if exists else "-"
    return "✓" if exists else "✗"


def _env_sources(loaded: LoadedConfig) -> list[str]:
    """The ``$GODEL_*`` variables that set a value, in key order."""
    seen: list[str] = []
    for label in loaded.set_by.values():
        if label.startswith("$") and label not in seen:
            seen.append(label)
    if not _builtin_redaction() and "$GODEL_REDACT" not in seen:
        seen.append("$GODEL_REDACT")
    return seen


def _builtin_redaction() -> bool:
    """False when ``GODEL_REDACT=0`` turned the built-in secret patterns off: a switch outside
    the keys, which every run obeys, so it is shown beside them."""
    from godel.log import builtins_enabled

    return builtins_enabled()


@click.group("config", invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.pass_context
def config(ctx: click.Context) -> None:
    """Where godel's configuration comes from, and its values.

    Sources, lowest precedence first: the defaults, the user file
    <godel home>/settings.json ($GODEL_HOME, else ~/.godel), the project file
    .godel/settings.json (the nearest .godel/ above the working directory), then GODEL_*
    environment variables; command-line flags win over all of them.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@config.command("path")
def path() -> None:
    """Print the configuration sources (✓ exists, ✗ does not), the project root, the runs
    dir, and the effective configuration as JSON.

    \b
    Exit codes:
      0  shown
      2  usage error; the configuration cannot be used (a settings file that
         is not valid JSON, a value a key does not allow): one line names the
         file or variable
    """
    from godel.runs.render import shown  # paths (and settings) are shown, not obeyed

    loaded = _load()
    lines = ["sources (low -> high precedence):"]
    for source in loaded.sources:
        lines.append(f"  {_mark(source.exists)} {shown(str(source.path))}")
    if loaded.project_root is None:
        lines.append("  (no project .godel/ found)")
    lines += [f"  {_mark(True)} {name}" for name in _env_sources(loaded)]
    lines += [
        "",
        f"project_root: {shown(str(loaded.project_root))}",
        f"runs_dir:     {shown(str(loaded.runs_dir))}",
        *([] if _builtin_redaction() else ["built-in secret patterns: off ($GODEL_REDACT)"]),
        "",
        "effective config:",
        json.dumps(loaded.config.model_dump(), indent=2),
    ]
    click.echo("\n".join(lines))


def _where(label: str, loaded: LoadedConfig) -> str:
    """``default``, ``user``, ``project`` or ``$GODEL_X``, with the file's path."""
    for source in loaded.sources:
        if str(source.path) == label:
            return f"{source.label} ({label})"
    return label


@config.command("show")
@json_option(
    'Print {"project_root", "runs_dir", "sources", "values": {key: {"value", "set_by"}}, '
    '"warnings", "builtin_redaction"} as JSON.'
)
def show(as_json: bool) -> None:
    """Print every configuration key, its effective value, and the source that set it
    (default, user or project file, or a GODEL_* variable).

    \b
    Exit codes:
      0  shown
      2  usage error; the configuration cannot be used (a settings file that
         is not valid JSON, a value a key does not allow): one line names the
         file or variable
    """
    loaded = _load()
    values = loaded.config.model_dump()
    if as_json:
        data: dict[str, Any] = {
            "project_root": str(loaded.project_root) if loaded.project_root else None,
            "runs_dir": str(loaded.runs_dir),
            "sources": [
                {"label": s.label, "path": str(s.path), "exists": s.exists} for s in loaded.sources
            ],
            "values": {
                key: {"value": value, "set_by": loaded.set_by.get(key, "default")}
                for key, value in values.items()
            },
            "warnings": list(loaded.warnings),
            "builtin_redaction": _builtin_redaction(),
        }
        click.echo(json.dumps(data, indent=2))
        return
    from godel.runs.render import shown  # paths (and settings) are shown, not obeyed

    rows = [
        (key, json.dumps(value), shown(_where(loaded.set_by.get(key, "default"), loaded)))
        for key, value in values.items()
    ]
    # A long value (an "agents" table) overflows its column rather than widening every row.
    widths = [
        min(max(len(r[i]) for r in [("KEY", "VALUE", "SET BY"), *rows]), 40) for i in range(2)
    ]
    for key, value, where in [("KEY", "VALUE", "SET BY"), *rows]:
        click.echo(f"{key.ljust(widths[0])}  {value.ljust(widths[1])}  {where}".rstrip())
    click.echo(f"\nruns_dir: {shown(str(loaded.runs_dir))}")
    if not _builtin_redaction():
        click.echo("built-in secret patterns: off ($GODEL_REDACT)")
