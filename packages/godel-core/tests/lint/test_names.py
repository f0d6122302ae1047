"""Name resolution: decorators and primitives are recognised however they are imported."""

from __future__ import annotations

import ast
import textwrap

import pytest

import godel
from godel.lint import SourceFile, lint_source, load_rules
from godel.plugins.manager import PluginManager

RULES = load_rules(PluginManager(autoload=False))


def source_of(text: str) -> SourceFile:
    text = textwrap.dedent(text)
    return SourceFile("flow.py", text, ast.parse(text))


def callees(text: str) -> list[str]:
    return [qualname for _, qualname in source_of(text).names.calls()]


@pytest.mark.parametrize(
    "spelling",
    [
        "from godel import step\n@step",
        "from godel import step\n@step(name='x')",
        "import godel\n@godel.step",
        "import godel as g\n@g.step(timeout=3)",
        "from godel import step as s\n@s",
        "from godel import *\n@step",
    ],
)
def test_every_spelling_of_step_is_a_step(spelling: str) -> None:
    src = source_of(spelling + "\nasync def build():\n    pass\n")
    assert [i.kind for i in src.functions] == ["step"]


@pytest.mark.parametrize(
    "spelling",
    [
        "from mylib import step\n@step",  # someone else's step
        "def step(fn):\n    return fn\n@step",  # the user's own decorator
        "import godel\n@godel.engine.step",
    ],
)
def test_look_alike_decorators_are_not_steps(spelling: str) -> None:
    src = source_of(spelling + "\nasync def build():\n    pass\n")
    assert [i.kind for i in src.functions if i.name == "build"] == [None]


def test_calls_resolve_through_imports_and_aliases() -> None:
    assert callees("""\
        import godel, godel.det as d, subprocess, asyncio
        from godel import run as r
        from godel.io import print
        from godel import det
        r("a"); godel.run("b"); subprocess.run("c"); asyncio.run(x)
        d.sleep(1); det.now(); print("p")
    """) == [
        "godel.run",
        "godel.run",
        "subprocess.run",
        "asyncio.run",
        "godel.det.sleep",
        "godel.det.now",
        "godel.print",
    ]


def test_a_name_bound_twice_does_not_resolve() -> None:
    # The user's own run shadows the import somewhere in the file: resolution stays silent.
    assert (
        callees("""\
        from godel import run
        def f(run):
            run("x")
    """)
        == []
    )


def test_class_attributes_do_not_shadow_module_names() -> None:
    assert callees("""\
        from godel import run
        class Tool:
            def run(self):
                pass
        run("x")
    """) == ["godel.run"]


def test_builtins_resolve_unless_shadowed_or_hidden_by_an_unknown_star_import() -> None:
    assert callees("print(1)") == ["builtins.print"]
    assert callees("from godel import *\nprint(1)") == ["godel.print"]
    assert callees("from helpers import *\nprint(1)") == []
    assert callees("print = log\nprint(1)") == []


def test_a_star_import_of_godel_binds_every_public_name() -> None:
    # godel.__all__ is the list; the reference contract's extra names resolve too.
    names = [n for n in godel.__all__ if not n.startswith("_")] + ["load_config"]
    assert callees("from godel import *\n" + "\n".join(f"{n}()" for n in names)) == [
        f"godel.{n}" for n in names
    ]


def test_agent_calls_are_found_through_factories() -> None:
    src = source_of("""\
        from godel.agents import claude_code
        import godel.agents as agents
        a = claude_code()
        b = agents.copilot(model="x")
        c = "not an agent"
        a("p"); b("q"); c.upper(); claude_code()("r")
    """)
    calls = src.names.agent_calls()
    assert [ast.unparse(c) for c in calls] == ["a('p')", "b('q')", "claude_code()('r')"]


def test_godel_step_spelled_as_attribute_is_checked_by_pl005() -> None:
    # The reference linter ignored @godel.step entirely; here it is a step like any other.
    text = "import godel as g\n@g.step\ndef s():\n    pass\n"
    assert [(d.line, d.code) for d in lint_source(text, rules=RULES)] == [(3, "PL005")]


def test_columns_are_characters_not_bytes() -> None:
    text = "from godel import run, step\n@step\nasync def s():\n    x = 'é'; run('a')\n"
    (diag,) = lint_source(text, rules=RULES, select=["PL001"])
    assert (diag.line, diag.col) == (4, text.splitlines()[3].index("run("))


def test_the_star_export_lists_match_the_modules() -> None:
    import godel.det
    import godel.io
    from godel.lint.names import DET_EXPORTS, IO_EXPORTS

    assert set(godel.io.__all__) == IO_EXPORTS
    assert set(godel.det.__all__) == DET_EXPORTS
