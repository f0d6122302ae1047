"""The root ``godel`` command."""

from __future__ import annotations

import sys

import click

from godel.plugins import PluginManager
from godel_cli.group import PluginGroup
from godel_cli.options import CONTEXT_SETTINGS


def _installed_versions() -> list[tuple[str, str]]:
    """godel-core, godel-cli and every distribution that provides a godel plugin (no imports)."""
    from importlib.metadata import PackageNotFoundError, entry_points, version

    found: dict[str, str] = {}
    for dist in ("godel-core", "godel-cli"):
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            pass
    for ep in entry_points(group="godel"):
        dist = getattr(ep, "dist", None)
        if dist is not None:
            found.setdefault(dist.metadata["Name"] or dist.name, dist.version)
    return sorted(found.items())


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    for dist, ver in _installed_versions():
        click.echo(f"{dist} {ver}")
    ctx.exit(0)


def make_cli(plugin_manager: PluginManager | None = None) -> PluginGroup:
    """Build the root ``godel`` group; tests pass a fresh ``PluginManager``."""

    @click.group(
        cls=PluginGroup,
        plugin_manager=plugin_manager,
        context_settings=CONTEXT_SETTINGS,
    )
    @click.option(
        "--version",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_print_version,
        help="Print each installed godel package and its version, then exit.",
    )
    def cli() -> None:
        """godel: deterministic, event-sourced workflows for AI coding agents.

        Every effect of a run (agent calls, commands, prints, time, randomness, file I/O) is
        appended to runs/<run_id>.jsonl, the audit trail and the replay tape.
        """

    return cli  # type: ignore[return-value]


cli = make_cli()


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the exit code."""
    try:
        cli.main(args=argv, prog_name="godel", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
