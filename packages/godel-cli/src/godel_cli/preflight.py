"""Checks before a run starts (nothing is written until they pass): strict mode, then lint."""

from __future__ import annotations

from pathlib import Path

import click

from godel_cli.errors import EXIT_FAIL, CliError
from godel_cli.messages import say


def preflight(path: Path, *, strict: bool, lint: bool) -> None:
    """Stop before anything is written, every problem listed, if strict mode or the linter
    finds errors. A pass is remembered until the files it read change (``preflight_cache``)."""
    if strict or lint:
        from godel_cli import preflight_cache as cache

        record = cache.record_path(path, strict=strict, lint=lint) if cache.enabled() else None
        warnings = cache.load(record) if record is not None else None
        if warnings is not None:
            for line, hint in warnings:
                _show(line, hint, "", "yellow")
        else:
            since = cache.started()
            files = scan_strict(path) if strict else [path.absolute()]
            shown = run_lint(path, strict=strict) if lint else []
            if record is not None:
                if lint:
                    from godel.lint import config_sources

                    files += config_sources(path)
                cache.save(record, files, shown, since=since)
    if strict:
        from godel.strict import install_runtime_guards

        # The guard judges imports by the workflow's own code: files beside it.
        install_runtime_guards([path.absolute().parent])


def scan_strict(path: Path) -> list[Path]:
    """The strict pre-flight: every violation listed and the run refused (exit 1), or the files
    the scan covered."""
    from godel.strict import format_violations, scan_closure

    violations, files = scan_closure(path)
    if violations:
        say(f"strict mode found {len(violations)} problem(s); nothing was run:")
        click.echo(format_violations(violations), err=True)
        raise CliError(
            "fix them, mark reviewed lines with '# godel: noqa', or run with --no-strict",
            exit_code=EXIT_FAIL,
        )
    return files


def run_lint(path: Path, *, strict: bool) -> list[list[str | None]]:
    """The lint pre-flight: warnings are printed and the run goes on; errors stop it (exit 1),
    in the reference's words. Without strict mode the determinism rules are left out: the
    user chose to allow what they enforce. Returns the warnings printed, as (line, hint):
    the configuration's (``Warning: ...``, as ``godel lint`` prints them), then the code's."""
    from godel import PluginError
    from godel.lint import lint_paths

    try:
        report = lint_paths([path], strict=strict)
    except PluginError as exc:
        raise CliError(f"cannot load the lint rules: {exc}") from None
    shown: list[list[str | None]] = [[f"Warning: {note}", None] for note in report.notes]
    shown += [[diag.format(), diag.hint] for diag in report.warnings]
    for line, hint in shown:
        _show(line, hint, "", "yellow")
    if report.errors:
        click.echo("Lint errors found — refusing to run:", err=True)
        for diag in report.errors:
            _show(diag.format(), diag.hint, "  ", "red")
        raise CliError(
            "", "Fix the errors or use --no-lint to skip.", exit_code=EXIT_FAIL, prefix=""
        )
    return shown


def _show(line: str | None, hint: str | None, indent: str, colour: str) -> None:
    """A diagnostic's line and its hint (a cached pass keeps them as text)."""
    click.secho(f"{indent}{line}", fg=colour, err=True)
    if hint:
        click.secho(f"{indent}    hint: {hint}", dim=True, err=True)
