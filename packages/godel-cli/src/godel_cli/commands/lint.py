"""``godel lint``: check workflow files with every installed lint rule."""

from __future__ import annotations

import json

import click

from godel_cli.errors import CliError
from godel_cli.options import format_option


def _codes(values: tuple[str, ...]) -> list[str] | None:
    return list(values) if values else None


@click.command("lint")
@click.argument("files", nargs=-1, type=click.Path(path_type=str))
@format_option(
    "text",
    "json",
    help="text: 'file:line:col: CODE severity: message' lines; json: a list of "
    "{file, rule, severity, message, line, col, hint} objects.",
)
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Run only these codes or prefixes (comma-separated; off-by-default rules included).",
)
@click.option(
    "--skip",
    multiple=True,
    metavar="CODES",
    help="Never run these codes or prefixes (comma-separated).",
)
@click.option("--list-rules", is_flag=True, help="List every installed rule and exit.")
def lint(
    files: tuple[str, ...],
    fmt: str,
    select: tuple[str, ...],
    skip: tuple[str, ...],
    list_rules: bool,
) -> None:
    """Lint workflow FILEs for common mistakes.

    Suppress one line with '# godel: noqa' or '# godel: noqa: PL004'; configure projects in
    [tool.godel.lint] of pyproject.toml (see docs/lint.md).

    \b
    Exit codes:
      0  no errors (warnings are fine)
      1  at least one error
      2  usage error (a --select that names no installed rule too); an invalid
         rule registry (two distributions claim one prefix)
    """
    from godel import PluginError
    from godel.lint import Linter, load_rules

    if not files and not list_rules:
        raise click.UsageError("give at least one FILE to lint, or --list-rules")
    try:
        rules = load_rules()
    except PluginError as exc:
        # A registry conflict (two distributions claiming one prefix) makes every result suspect.
        raise CliError(str(exc), prefix="godel lint: error: ") from None
    if list_rules:
        _list_rules(rules, fmt)
        return
    linter = Linter(rules, select=_codes(select), skip=_codes(skip))
    if linter.selects_nothing:  # a typo would otherwise check nothing and pass
        raise click.UsageError(
            f"--select {','.join(select)} names no installed rule "
            "(godel lint --list-rules lists them)"
        )
    report = linter.lint_paths(files)
    for note in report.notes:
        click.secho(f"Warning: {note}", fg="yellow", err=True)
    if fmt == "json":
        click.echo(report.to_json())
    else:
        from godel.runs.render import shown  # a file name is shown, not obeyed by the terminal

        for diag in report.diagnostics:
            click.secho(shown(diag.format()), fg="red" if diag.is_error else "yellow")
            if diag.hint:
                click.secho(shown(f"    hint: {diag.hint}"), dim=True)
    summary = report.summary()
    if summary:
        click.echo(f"\n{summary}", err=True)
    raise SystemExit(report.exit_code)


def _list_rules(rules: list, fmt: str) -> None:  # type: ignore[type-arg]
    from godel.lint import INTERNAL_CODE, INTERNAL_SUMMARY

    rows = [
        {
            "code": INTERNAL_CODE,
            "severity": "error",
            "default_enabled": True,
            "summary": INTERNAL_SUMMARY,
            "distribution": "godel-core",
            "version": _core_version(),
            "error": None,
        }
    ]
    rows += [
        {
            "code": r.code,
            "severity": r.severity if r.rule is not None else "?",
            "default_enabled": r.default_enabled,
            "summary": r.summary,
            "distribution": r.dist,
            "version": r.version,
            "error": r.error,
        }
        for r in rules
    ]
    if fmt == "json":
        click.echo(json.dumps({"version": 1, "rules": rows}, indent=2))
        return
    width = max(len(row["distribution"]) for row in rows)
    for row in rows:
        state = "on " if row["default_enabled"] else "off"
        summary = row["summary"] if row["error"] is None else f"(failed to load: {row['error']})"
        click.echo(
            f"{row['code']:<7} {row['severity']:<7} {state}  {row['distribution']:<{width}}  {summary}"
        )


def _core_version() -> str:
    from godel import __version__

    return __version__
