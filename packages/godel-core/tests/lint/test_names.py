"""Name resolution: decorators and primitives are recognised however they are imported."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import godel
from godel.lint import SourceFile, lint_source, load_rules
from godel.lint.rules._util import text_of
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


AGENT_HEAD = "from godel import step, workflow\nfrom godel.agents import Agent, claude_code\n"


def agent_calls(text: str) -> list[str]:
    return [
        ast.unparse(c) for c in source_of(AGENT_HEAD + textwrap.dedent(text)).names.agent_calls()
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An agent reaches a step as a parameter, as docs/agents.md teaches.
        (
            """\
            @step
            async def ask(agent, prompt):
                return await agent(prompt)
            @workflow
            async def main():
                c = claude_code()
                return await ask(c, "hi")
            """,
            ["agent(prompt)"],
        ),
        # The same name on both sides of the call, by keyword, and a factory call as argument.
        (
            """\
            async def ask(prompt, *, agent):
                return await agent(prompt)
            async def main():
                agent = claude_code()
                await ask("a", agent=agent)
                await ask("b", agent=claude_code(model="haiku"))
            """,
            ["agent(prompt)"],
        ),
        # Through two calls, and into a helper nested in the workflow.
        (
            """\
            async def outer(a):
                return await inner(a)
            async def inner(b):
                return await b("deep")
            async def main():
                c = claude_code()
                async def nested(d):
                    return await d("nested")
                await outer(c)
                await nested(c)
            """,
            ["b('deep')", "d('nested')"],
        ),
        # Annotated: no call site needed (a workflow's parameters come from the runner).
        (
            """\
            @workflow
            async def main(agent: Agent, other: Agent | None = None, plain: str = ""):
                await agent("a"); await other("b"); await plain("c")
            """,
            ["agent('a')", "other('b')"],
        ),
        # Not agents: an ordinary parameter, one call passing something else, no call at all,
        # a default, */** unpacking, the function used as a value, recursion alone, a name
        # rebound to something else, *args and **kwargs.
        (
            """\
            async def ask(agent, prompt):
                return await agent(prompt)
            async def unused(agent2):
                return await agent2("x")
            async def defaulted(agent3=None):
                return await agent3("x")
            async def unpacked(agent4):
                return await agent4("x")
            async def as_value(agent5):
                return await agent5("x")
            async def recursive(agent6):
                await agent6("x"); await recursive(agent6)
            async def rebound(agent7):
                return await agent7("x")
            async def star(*agent8):
                return await agent8("x")
            async def kwargs(**agent9):
                return await agent9("x")
            async def main(callback):
                c = claude_code()
                await ask(c, "hi"); await ask(callback, "hi")
                await defaulted(); await unpacked(*[c]); tasks = [as_value]
                agent7 = "text"
                await rebound(c); await rebound(agent7); await star(c)
                await kwargs(agent9=c)
                await callback("x")
            """,
            [],
        ),
        # A method's parameter is not followed (a call through self cannot be matched).
        (
            """\
            class Bot:
                async def ask(self, agent):
                    return await agent("x")
            async def main():
                await Bot().ask(claude_code())
            """,
            [],
        ),
    ],
)
def test_agent_calls_follow_agents_into_parameters(text: str, expected: list[str]) -> None:
    assert agent_calls(text) == expected


def test_agent_calls_in_the_agents_guide_example() -> None:
    # docs/agents.md's first example: what a plugin rule like ECH001 (docs/lint.md) must see.
    guide = (Path(__file__).parents[4] / "docs" / "agents.md").read_text()
    example = guide.split("```python\n", 1)[1].split("```", 1)[0]
    calls = source_of(example).names.agent_calls()
    assert [text_of(c.func) for c in calls] == ["coder", "reviewer"]


def test_godel_agents_own_names_are_not_agent_factories() -> None:
    assert (
        agent_calls("""\
        from godel.agents import AgentCall, result_record, get
        c = AgentCall(); r = result_record(1); g = get("claude_code")
        c("x"); r("y"); g("z")
    """)
        == []
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=5))
def test_a_parameter_is_an_agent_only_when_every_call_passes_one(passes: list[bool]) -> None:
    lines = ["async def ask(agent):", "    return await agent('p')", "async def main(text):"]
    lines += ["    a = claude_code()"]
    lines += [f"    await ask({'a' if agent else 'text'})" for agent in passes]
    assert agent_calls("\n".join(lines) + "\n") == (["agent('p')"] if all(passes) else [])


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
