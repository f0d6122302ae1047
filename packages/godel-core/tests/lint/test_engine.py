"""The lint engine: PL000 for unlintable files, crash isolation, suppressions, one parse per file."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import ClassVar

import pytest

from godel.hookspecs import hookimpl
from godel.lint import Diagnostic, Linter, Rule, SourceFile, lint_paths, lint_source, load_rules
from godel.lint.suppress import ALL, parse_comment
from godel.plugins.manager import PluginManager

BUILTIN = load_rules(PluginManager(autoload=False))
FLOW = "from godel import step, run\n\n@step\nasync def s():\n    run('x')\n"  # PL001 on line 5


class Boom(Rule):
    code = "TST001"
    summary = "always crashes"

    def check(self, source: SourceFile):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")
        yield  # pragma: no cover - makes check a generator


class SeesTree(Rule):
    code = "TST003"
    summary = "records the tree it was given"
    severity = "warning"
    seen: ClassVar[list[int]] = []

    def check(self, source: SourceFile):  # type: ignore[no-untyped-def]
        SeesTree.seen.append(id(source.tree))
        yield self.report(source, source.tree.body[0], "first statement", hint="just a test")


class Wrong(Rule):
    code = "TST004"
    summary = "yields something that is not a Diagnostic"

    def check(self, source: SourceFile):  # type: ignore[no-untyped-def]
        yield ("line", 1)


class Misnamed(Rule):
    code = "TST999"
    summary = "registered under another code"

    def check(self, source):  # type: ignore[no-untyped-def]
        return iter(())


class TestPlugin:
    @hookimpl
    def godel_register_lint_rules(self, register):  # type: ignore[no-untyped-def]
        register("TST001", Boom)
        register("TST002", "no_such_module_for_godel_tests:Rule")
        register("TST003", SeesTree())
        register("TST004", Wrong)
        register("TST005", Misnamed)


@pytest.fixture
def rules() -> list:  # type: ignore[type-arg]
    pm = PluginManager(autoload=False)
    pm.register(TestPlugin(), name="tst", dist="godel-tst", version="9.9")
    SeesTree.seen = []
    return [r for r in load_rules(pm) if r.code.startswith("TST")]


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


# files that cannot be linted ---------------------------------------------------------------
def only(report_or_list):  # type: ignore[no-untyped-def]
    found = report_or_list.diagnostics if hasattr(report_or_list, "diagnostics") else report_or_list
    assert len(found) == 1, found
    return found[0]


# Problems with the file as a whole are at line 0 with no column, in the reference's words.
def test_missing_file_is_pl000(tmp_path: Path) -> None:
    path = tmp_path / "nope.py"
    diag = only(lint_paths([path], rules=BUILTIN))
    assert (diag.code, diag.severity, diag.line, diag.col) == ("PL000", "error", 0, None)
    assert diag.message == f"IOError: file not found: {path}"
    assert diag.format() == f"{path}:0:: PL000 error: IOError: file not found: {path}"


def test_an_endless_or_huge_file_is_one_pl000_not_a_machine_out_of_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    diag = only(lint_paths(["/dev/zero"], rules=BUILTIN))  # not read at all: endless
    assert diag.code == "PL000" and diag.message == "'/dev/zero' is a device, not a file"
    import godel.lint.engine as engine

    monkeypatch.setattr(engine, "MAX_SOURCE_BYTES", 1 << 20)
    big = tmp_path / "big.py"
    big.write_text("x = 1\n" * 200_000)  # 1.2 MB
    diag = only(lint_paths([big], rules=BUILTIN))
    assert diag.message == f"IOError: {big} is over 1 MiB: not linted"


def test_directory_is_pl000(tmp_path: Path) -> None:
    report = lint_paths([tmp_path], rules=BUILTIN)
    assert (only(report).line, only(report).col) == (0, None)
    assert only(report).message == f"'{tmp_path}' is a directory, not a file"
    assert report.exit_code == 1


def test_unreadable_file_is_pl000(tmp_path: Path) -> None:
    # Under a regular file: no reading it, even as root (a chmod 0 file is readable by root).
    path = str(Path(write(tmp_path, "plain.txt", "x")) / "wf.py")
    diag = only(lint_paths([path], rules=BUILTIN))
    assert (diag.line, diag.col) == (0, None)
    assert diag.message == f"IOError: [Errno 20] Not a directory: '{path}'"


def test_non_utf8_is_pl000_at_the_bad_byte(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.py", b"x = 1\ny = 'caf\xe9'\n")
    diag = only(lint_paths([path], rules=BUILTIN))
    assert (diag.code, diag.line, diag.col) == ("PL000", 2, 8)
    assert diag.message == "UnicodeDecodeError: invalid continuation byte at byte offset 14"
    assert diag.hint == "the file is not valid UTF-8; save it as UTF-8"


def test_a_declared_encoding_is_honoured(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.py", b"# -*- coding: latin-1 -*-\ny = 'caf\xe9'\n")
    assert lint_paths([path], rules=BUILTIN).diagnostics == []


def test_syntax_error_is_pl000_at_the_parser_location(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.py", "x = 1\nif x\n    pass\n")
    diag = only(lint_paths([path], rules=BUILTIN))
    assert (diag.code, diag.line, diag.col) == ("PL000", 2, 4)
    assert diag.message == "SyntaxError: expected ':'"
    # Its subclasses are named SyntaxError too (REFERENCE §11.1).
    path = write(tmp_path, "indent.py", "def f():\nreturn 1\n")
    diag = only(lint_paths([path], rules=BUILTIN))
    assert diag.message.startswith("SyntaxError: expected an indented block")


def test_nul_byte_is_pl000_on_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "nul.py", "x = 1\ny = 2\x00\n")
    diag = only(lint_paths([path], rules=BUILTIN))
    assert (diag.code, diag.line, diag.col) == ("PL000", 2, 5)


# rules that fail ---------------------------------------------------------------------------
def test_a_crashing_rule_is_reported_and_the_others_still_run(rules) -> None:  # type: ignore[no-untyped-def]
    found = lint_source(
        FLOW, "flow.py", rules=[*rules, *BUILTIN], select=["TST001", "TST003", "PL001"]
    )
    assert [(d.code, d.line, d.col) for d in found] == [
        ("PL000", 0, None),
        ("TST003", 1, 0),
        ("PL001", 5, 4),
    ]
    assert found[0].message == "internal error in rule TST001: RuntimeError: boom"
    assert "--skip TST001" in found[0].hint


def test_a_rule_that_fails_to_import_is_pl000_once_per_file(rules, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = [write(tmp_path, "a.py", FLOW), write(tmp_path, "b.py", FLOW)]
    report = lint_paths(paths, rules=[*rules, *BUILTIN], select=["TST002", "PL001"])
    broken = [d for d in report.diagnostics if d.code == "PL000"]
    assert [d.file for d in broken] == paths
    assert broken[0].message == (
        "rule TST002 from godel-tst 9.9 failed to load: "
        "ModuleNotFoundError: No module named 'no_such_module_for_godel_tests'"
    )
    assert [d.code for d in report.diagnostics if d.file == paths[1]] == ["PL000", "PL001"]


def test_skipping_a_broken_rule_silences_it(rules) -> None:  # type: ignore[no-untyped-def]
    assert lint_source(
        FLOW, rules=rules, select=["TST"], skip=["TST001", "TST002", "TST004", "TST005"]
    ) == [Diagnostic("<string>", 1, 0, "TST003", "warning", "first statement", "just a test")]


def test_rule_contract_violations_are_reported(rules) -> None:  # type: ignore[no-untyped-def]
    found = {d.message for d in lint_source(FLOW, rules=rules, select=["TST004", "TST005"])}
    assert found == {
        "internal error in rule TST004: TypeError: check() yielded tuple, not a Diagnostic",
        "rule TST005 from godel-tst 9.9 failed to load: registered as TST005 but the rule's code is 'TST999'",
    }


def test_each_file_is_parsed_once_and_rules_share_the_tree(rules, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    parses = []
    real_parse = ast.parse

    def counting_parse(*args, **kwargs):  # type: ignore[no-untyped-def]
        parses.append(args[0])
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting_parse)
    twice = [r for r in rules if r.code == "TST003"] * 2
    lint_source(FLOW, rules=[*twice, *BUILTIN])
    assert len(parses) == 1
    assert len(SeesTree.seen) == 2 and len(set(SeesTree.seen)) == 1


# suppressions ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("# godel: noqa", ALL),
        ("# godel: noqa: PL004", {"PL004"}),
        ("# godel:noqa:PL004,PL007", {"PL004", "PL007"}),
        ("# godel: noqa: pl004 PL007  -- known, see issue 12", {"PL004", "PL007"}),
        ("# GODEL: NOQA", ALL),
        ("# godel: noqa because the loop is bounded", ALL),
        ("# godel: noqa: see below", None),  # a mistyped code suppresses nothing
        # strict mode's code: lint's report of the same calls (PL003) goes with it.
        ("# godel: noqa: strict", {"PL003"}),
        ("# godel: noqa: PL004, Strict -- reviewed", {"PL003", "PL004"}),
        ("# godel: noqa: stricter", None),
        ("# noqa", None),
        ("# noqa: PL004", None),
    ],
)
def test_noqa_comments(comment: str, expected) -> None:  # type: ignore[no-untyped-def]
    assert parse_comment(comment) == (
        frozenset(expected) if isinstance(expected, set) else expected
    )


def test_noqa_suppresses_only_its_line_and_codes() -> None:
    text = (
        "from godel import step, run\n"
        "import time\n"
        "@step\n"
        "async def s():\n"
        "    run('a')  # godel: noqa: PL001\n"
        "    run('b'); time.time()  # godel: noqa: PL003\n"
        "    run('c'); time.time()  # godel: noqa\n"
        "    x = '# godel: noqa'; run('d')\n"
    )
    found = [(d.line, d.code) for d in lint_source(text, rules=BUILTIN)]
    assert found == [(6, "PL001"), (8, "PL001")]


def test_pl000_cannot_be_suppressed() -> None:
    found = lint_source("x = (  # godel: noqa\n", rules=BUILTIN)
    assert [d.code for d in found] == ["PL000"]


# selection ---------------------------------------------------------------------------------
def test_unknown_and_malformed_codes_are_notes_not_errors() -> None:
    linter = Linter(BUILTIN, select=["PL001", "XYZ123"], skip="PL000,pl099,PL00,pl004")
    assert linter.notes == [
        "unknown rule ID 'XYZ123' in --select (ignored)",
        "unknown rule ID 'PL000' in --skip (ignored)",  # not a rule (REFERENCE §11.2)
        "unknown rule ID 'pl099' in --skip (ignored)",
        "unknown rule ID 'PL00' in --skip (ignored)",
    ]


def test_skip_wins_over_select_and_prefixes_work() -> None:
    text = "from godel import step, run\nimport time\n@step\nasync def s():\n    run('a'); time.time()\n"
    assert [d.code for d in lint_source(text, rules=BUILTIN, select="PL", skip="PL003,PL014")] == [
        "PL001"
    ]
    assert [d.code for d in lint_source(text, rules=BUILTIN, skip=["PL001"])] == ["PL003"]


def test_report_summary_and_json() -> None:
    report = lint_paths([], rules=BUILTIN)
    assert (report.summary(), report.exit_code, report.to_json()) == ("", 0, "[]")


def test_a_diagnostic_in_the_reference_formats() -> None:
    diag = Diagnostic("a.py", 3, None, "PL001", "error", "'run' is async and must be awaited")
    assert diag.format() == "a.py:3:: PL001 error: 'run' is async and must be awaited"
    assert diag.rule == "PL001"
    assert list(diag.to_dict().items()) == [
        ("file", "a.py"),
        ("rule", "PL001"),
        ("severity", "error"),
        ("message", "'run' is async and must be awaited"),
        ("line", 3),
        ("col", None),
        ("hint", ""),
    ]


def test_strict_false_leaves_out_the_determinism_rules() -> None:
    text = (
        "import subprocess, time\nfrom godel import step, run\n@step\nasync def s():\n"
        "    subprocess.run(['ls']); time.time(); run('x')\n"
    )
    assert sorted({r.code for r in BUILTIN if r.determinism}) == ["PL003", "PL012"]
    assert [d.code for d in lint_source(text, rules=BUILTIN)] == ["PL012", "PL003", "PL001"]
    assert [d.code for d in lint_source(text, rules=BUILTIN, strict=False)] == ["PL001"]


def test_diagnostic_rejects_unknown_severity() -> None:
    with pytest.raises(ValueError, match="severity"):
        Diagnostic("f.py", 1, 0, "PL001", "fatal", "m")  # type: ignore[arg-type]


class Unsummarised(Rule):
    code = "QUI001"

    def check(self, source):  # type: ignore[no-untyped-def]
        return iter(())


class ReadOnlySummary:
    code = "QUI002"
    severity = "warning"

    @property
    def summary(self) -> str:
        return ""

    def check(self, source):  # type: ignore[no-untyped-def]
        return iter(())


def test_a_rule_without_a_summary_takes_the_registered_one() -> None:
    class Plugin:
        @hookimpl
        def godel_register_lint_rules(self, register):  # type: ignore[no-untyped-def]
            register("QUI001", Unsummarised, summary="written once, where it is registered")
            register("QUI002", ReadOnlySummary(), summary="the rule cannot take it")

    pm = PluginManager(autoload=False)
    pm.register(Plugin(), name="qui", dist="godel-qui", version="1.0")
    plain, read_only = [r for r in load_rules(pm) if r.code.startswith("QUI")]
    assert plain.summary == plain.rule.summary == "written once, where it is registered"  # type: ignore[union-attr]
    assert (read_only.error, read_only.summary) == (None, "the rule cannot take it")
