"""Run the enabled rules over files: parse each file once, share the tree, isolate rule crashes."""

from __future__ import annotations

import ast
import io
import stat
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from godel.lint.base import INTERNAL_CODE, Diagnostic
from godel.lint.config import (
    SELECTOR,
    ConfigLoader,
    ProjectConfig,
    Selection,
    matches_any,
    split_codes,
)
from godel.lint.loader import LoadedRule, load_rules
from godel.lint.report import LintReport
from godel.lint.source import SourceFile
from godel.lint.suppress import is_suppressed, suppressions

if TYPE_CHECKING:
    from godel.plugins.manager import PluginManager


def _internal(path: str, line: int, col: int | None, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(path, line, col, INTERNAL_CODE, "error", message, hint)


def _whole_file(path: str, message: str, hint: str = "") -> Diagnostic:
    """A PL000 about the file as a whole: line 0 and no column, as the reference reports it."""
    return _internal(path, 0, None, message, hint)


def _location(data: bytes, offset: int, encoding: str) -> tuple[int, int]:
    """1-based line and 0-based character column of a byte offset."""
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[start:offset].decode(encoding, "replace"))


# A source past this size is not a workflow anyone wrote: reading stops here, so that a huge
# generated file ends with one diagnostic, not a machine out of memory.
MAX_SOURCE_BYTES = 64 << 20


def _kind(mode: int) -> str:
    """What a file that is not a regular one is, for a PL000."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "a special file"


def read_source(path: str) -> tuple[str | None, Diagnostic | None]:
    """The decoded text of ``path`` (PEP 263 coding cookies and BOMs honoured), or a PL000.

    The messages are the reference linter's (``IOError: file not found: <path>``, ...).
    """
    file = Path(path)
    try:
        mode = file.stat().st_mode
        if not stat.S_ISREG(mode):
            # Never opened: a named pipe would wait for a writer, a device may never end.
            return None, _whole_file(
                path, f"'{path}' is {_kind(mode)}, not a file", "pass the workflow's .py files"
            )
        with file.open("rb") as fh:
            data = fh.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        return None, _whole_file(path, f"IOError: file not found: {path}")
    except OSError as exc:
        return None, _whole_file(path, f"IOError: {exc}")
    if len(data) > MAX_SOURCE_BYTES:
        return None, _whole_file(
            path, f"IOError: {path} is over {MAX_SOURCE_BYTES >> 20} MiB: not linted"
        )
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        # A bad cookie, or undecodable bytes in the first two lines: name the byte if it is that.
        encoding, problem = "utf-8", f"SyntaxError: {exc.msg}"
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            pass
        else:
            return None, _internal(path, getattr(exc, "lineno", None) or 0, None, problem)
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as exc:
        line, col = _location(data, exc.start, encoding)
        name = "UTF-8" if encoding.startswith("utf-8") else encoding
        return None, _internal(
            path,
            line,
            col,
            f"UnicodeDecodeError: {exc.reason} at byte offset {exc.start}",
            f"the file is not valid {name}; save it as UTF-8",
        )


def parse_source(text: str, path: str) -> tuple[ast.Module | None, Diagnostic | None]:
    """The module's tree, or a PL000 at the exact place the parser gave up."""
    try:
        return ast.parse(text, filename=path), None
    except (SyntaxError, ValueError) as exc:  # ValueError: a NUL byte, before Python 3.12
        line, offset = getattr(exc, "lineno", None), getattr(exc, "offset", None)
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        if line is None and "\x00" in text:  # the parser names no place for a NUL byte
            index = text.index("\x00")
            line, offset = text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)
        # "SyntaxError" for its subclasses too (IndentationError, TabError): REFERENCE §11.1.
        return None, _internal(path, line or 1, (offset or 1) - 1, f"SyntaxError: {message}")
    except (RecursionError, MemoryError):
        return None, _whole_file(path, "SyntaxError: too deeply nested to parse")


class Linter:
    """Rules, a selection and project configuration, applied file by file.

    ``rules`` defaults to every registered rule; ``select`` runs only those codes or prefixes,
    ``skip`` never runs them; ``use_config`` reads each file's project configuration;
    ``strict=False`` leaves out the rules marked ``determinism`` (``godel run --no-strict``).
    ``selects_nothing`` is True when ``select`` names no installed rule at all (a typo).
    """

    def __init__(
        self,
        rules: Sequence[LoadedRule] | None = None,
        *,
        select: Sequence[str] | str | None = None,
        skip: Sequence[str] | str | None = None,
        use_config: bool = True,
        strict: bool = True,
        plugin_manager: PluginManager | None = None,
    ) -> None:
        self.rules = list(rules) if rules is not None else load_rules(plugin_manager)
        self.strict = strict
        self.selection = Selection.from_options(select, skip)
        self.use_config = use_config
        self._config = ConfigLoader()
        self.notes: list[str] = []
        selected = split_codes(select)
        selectors = [
            *(("--select", s) for s in selected),
            *(("--skip", s) for s in split_codes(skip)),
        ]
        self._note_selectors("", selectors)
        # "Only these" where none of these is a rule: nothing would be checked at all.
        self.selects_nothing = bool(selected) and not any(
            SELECTOR.match(s.upper()) and self._known(s.upper()) for s in selected
        )

    def _note(self, message: str) -> None:
        if message not in self.notes:  # each problem once per run, however many files share it
            self.notes.append(message)

    def _known(self, selector: str) -> bool:
        return selector == INTERNAL_CODE or any(
            matches_any((selector,), r.code) for r in self.rules
        )

    def _note_selectors(self, where: str, selectors: Iterable[tuple[str, str]]) -> None:
        """One note per code or prefix that selects nothing (``--skip PL999``: the
        reference's ``unknown rule ID 'PL999' in --skip (ignored)``)."""
        for option, written in selectors:
            selector = written.upper()
            # PL000 is not a rule (it reports files that cannot be linted): as the reference
            # says of it, an unknown rule ID there.
            skips_internal = option in ("--skip", "disable") and selector == INTERNAL_CODE
            if skips_internal or not SELECTOR.match(selector) or not self._known(selector):
                self._note(f"{where}unknown rule ID {written!r} in {option} (ignored)")

    def _project(self, path: str) -> ProjectConfig:
        if not self.use_config:
            return ProjectConfig()
        config = self._config.for_file(path)
        for problem in config.problems:
            self._note(problem)
        for layer in config.layers:
            self._note_selectors(
                f"{layer.source}: ",
                [*(("enable", s) for s in layer.enable), *(("disable", s) for s in layer.disable)],
            )
        return config

    def active(self, path: str) -> tuple[list[LoadedRule], list[LoadedRule]]:
        """The rules that run on ``path``, and the enabled ones that failed to load."""
        project = self._project(path)
        run, broken = [], []
        for rule in self.rules:
            if rule.determinism and not self.strict:
                continue  # still a known code: configuration naming it gets no warning
            if self.selection.enabled(rule.code, rule.default_enabled, project):
                (broken if rule.rule is None else run).append(rule)
        return run, broken

    # linting -------------------------------------------------------------------------------
    def lint_source(self, text: str, path: str = "<string>") -> list[Diagnostic]:
        """Diagnostics for source text; ``path`` is used in messages and to find configuration."""
        rules, broken = self.active(path)
        found = [_load_failure(path, rule) for rule in broken]
        tree, problem = parse_source(text, path)
        if problem is not None:
            return sorted([problem, *found], key=_order)
        source = SourceFile(path, text, tree)  # type: ignore[arg-type]
        for rule in rules:
            found.extend(_run_rule(rule, source))
        table = suppressions(text)
        if table:
            found = [
                d
                for d in found
                if d.code == INTERNAL_CODE or not is_suppressed(table, d.line, d.code)
            ]
        found.sort(key=_order)
        return found

    def lint_file(self, path: str | Path) -> list[Diagnostic]:
        """Diagnostics for one file; a file that cannot be read or parsed gives one PL000."""
        name = str(path)
        text, problem = read_source(name)
        if problem is not None:
            _, broken = self.active(name)
            return sorted([problem, *(_load_failure(name, rule) for rule in broken)], key=_order)
        return self.lint_source(text, name)  # type: ignore[arg-type]

    def lint_paths(self, paths: Iterable[str | Path]) -> LintReport:
        """Lint every path (in the order given, each once) into one report."""
        unique = list(dict.fromkeys(str(p) for p in paths))
        diagnostics: list[Diagnostic] = []
        for path in unique:
            diagnostics.extend(self.lint_file(path))
        return LintReport(diagnostics, len(unique), list(self.notes))


def _order(diag: Diagnostic) -> tuple[int, int, str]:
    return diag.line, -1 if diag.col is None else diag.col, diag.code


def _load_failure(path: str, rule: LoadedRule) -> Diagnostic:
    return _whole_file(
        path,
        f"rule {rule.code} from {rule.provider} failed to load: {rule.error}",
        f"reinstall or update {rule.dist}, or skip the rule with --skip {rule.code}",
    )


def _run_rule(rule: LoadedRule, source: SourceFile) -> list[Diagnostic]:
    """One rule's diagnostics; a crash becomes a PL000 and leaves other rules unaffected."""
    out: list[Diagnostic] = []
    try:
        for diag in rule.rule.check(source):  # type: ignore[union-attr]
            if not isinstance(diag, Diagnostic):
                raise TypeError(f"check() yielded {type(diag).__name__}, not a Diagnostic")
            if diag.code != rule.code or diag.severity != rule.severity or diag.file != source.path:
                # The registered code, the rule's severity and the linted path are authoritative.
                diag = replace(diag, code=rule.code, severity=rule.severity, file=source.path)
            out.append(diag)
    except Exception as exc:  # a third-party rule can fail in any way; keep linting
        out.append(
            _whole_file(
                source.path,
                f"internal error in rule {rule.code}: {type(exc).__name__}: {exc}",
                f"report this to {rule.dist}; skip the rule with --skip {rule.code}",
            )
        )
    return out


def lint_paths(
    paths: Iterable[str | Path],
    *,
    select: Sequence[str] | str | None = None,
    skip: Sequence[str] | str | None = None,
    use_config: bool = True,
    strict: bool = True,
    rules: Sequence[LoadedRule] | None = None,
    plugin_manager: PluginManager | None = None,
) -> LintReport:
    """Lint files with every registered rule (the ``godel run``/``resume`` pre-flight entry point).

    ``strict=False`` leaves out the determinism rules, as the pre-flight of ``--no-strict`` does.
    Raises ``godel.exceptions.PluginError`` when the rule registry is invalid (for example two
    distributions claiming one code prefix).
    """
    linter = Linter(
        rules,
        select=select,
        skip=skip,
        use_config=use_config,
        strict=strict,
        plugin_manager=plugin_manager,
    )
    return linter.lint_paths(paths)


def lint_file(path: str | Path, **options: object) -> LintReport:
    """``lint_paths([path], **options)``."""
    return lint_paths([path], **options)  # type: ignore[arg-type]


def lint_source(
    text: str,
    filename: str = "<string>",
    *,
    select: Sequence[str] | str | None = None,
    skip: Sequence[str] | str | None = None,
    use_config: bool = False,
    strict: bool = True,
    rules: Sequence[LoadedRule] | None = None,
    plugin_manager: PluginManager | None = None,
) -> list[Diagnostic]:
    """Diagnostics for source text (no project configuration unless ``use_config``)."""
    linter = Linter(
        rules,
        select=select,
        skip=skip,
        use_config=use_config,
        strict=strict,
        plugin_manager=plugin_manager,
    )
    return linter.lint_source(text, filename)
