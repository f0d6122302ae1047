"""Every built-in rule: a file that triggers it (exact lines) and a near miss that must not."""

from __future__ import annotations

import textwrap

import pytest

from godel.lint import lint_source, load_rules
from godel.plugins.manager import PluginManager
from godel.strict.catalog import CALL_CATEGORIES

# Built-in rules only: installed third-party plugins must not change these results.
RULES = load_rules(PluginManager(autoload=False))

HEAD = "from godel import workflow, step, run, parallel, rewind, retry, det, sleep, print, input\n"


def lines_of(code: str, source: str) -> list[int]:
    """Lines (1 = first snippet line) where ``code`` fires when only ``code`` is selected.

    The snippet gets ``HEAD``'s imports unless it starts with its own ``from godel import``.
    """
    snippet = textwrap.dedent(source)
    head = "" if snippet.startswith("from godel import ") else HEAD
    found = lint_source(head + snippet, "flow.py", select=[code], rules=RULES)
    assert all(d.code == code for d in found), found
    return [d.line - head.count("\n") for d in found]


CASES: dict[str, tuple[str, list[int], str]] = {
    # code: (triggering source, lines it must report (1 = first snippet line), near-miss source)
    "PL001": (
        """\
        @step
        async def build(t):
            run("make")
            out = run("ls").stdout
            if sleep(1):
                pass
            unused = run("x")
            det.sleep(2)
            build("again")
            print("not awaited")
        """,
        [3, 4, 5, 7, 8, 9, 10],
        """\
        import asyncio
        import subprocess
        from asyncio import run as arun

        @step
        async def build(t):
            await run("make")
            await parallel(run("a"), run("b"))
            await parallel(*[build(x) for x in "ab"])
            await parallel(*(run(c) for c in ["a", "b"]))
            task = run("x")
            await task
            coros = []
            coros.append(run("y"))
            await asyncio.gather(run("z"), *coros)
            tasks = [run("a"), build("b")]
            await parallel(*tasks)
            await asyncio.wait_for(sleep(1), timeout=5)
            subprocess.run(["ls"])
            asyncio.run(main())
            arun(main())
            return run("handed back")

        def factory():
            return lambda: run("later")
        """,
    ),
    "PL002": (
        """\
        async def helper():
            await run("make")

        def also(n):
            return parallel(run("a"), run("b"))
        """,
        [1, 4],
        """\
        import subprocess
        import asyncio

        def plain():
            subprocess.run(["ls"])
            asyncio.run(main())

        @step
        async def build():
            async def nested():
                await run("inside a step")
            await nested()

        async def run_something(run):
            await run("a parameter, not godel's run")
        """,
    ),
    "PL003": (
        """\
        import datetime
        import time as t
        import asyncio, os, random, secrets, uuid
        from datetime import datetime as dt

        @step
        async def s():
            a = datetime.datetime.now()
            b = dt.utcnow()
            t.sleep(1)
            await asyncio.sleep(1)
            c = os.urandom(4)
            d = secrets.token_hex(8)
            e = random.choice([1, 2])
            f = uuid.uuid4()
            g = datetime.date.today()
            h = random.Random()  # unseeded: seeds itself from the OS
        """,
        [8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
        """\
        import datetime
        import random

        @step
        async def s():
            a = det.now()
            b = det.random()
            await sleep(1)
            await det.sleep(1)
            c = datetime.timedelta(seconds=3)
            rng = random.Random(42)
            d = rng.random()
            datetime = None
        """,
    ),
    "PL004": (
        """\
        @step
        async def s(items):
            for item in items:
                await run(f"process {item}")
            while True:
                await run("poll")
            results = [await run(c) for c in items]
            for item in items:
                await run(item, idempotent=False)
        """,
        [4, 6, 7, 9],
        """\
        import subprocess

        @step
        async def s(items):
            for item in items:
                await run(f"process {item}", idempotent=True)
                subprocess.run(["ls"])
                flag = item == "x"
                await run("decided elsewhere", idempotent=flag)
            for line in (await run("ls")).stdout.splitlines():
                pass
            else:
                await run("after the loop")

        @step(idempotent=True)
        async def safe(items):
            for item in items:
                await run(item)
        """,
    ),
    "PL005": (
        """\
        import godel as g

        @workflow
        def main():
            pass

        @g.step(name="x")
        def helper():
            pass
        """,
        [4, 8],
        """\
        import functools

        @workflow
        async def main():
            await helper()

        @step(name="x")
        async def helper():
            pass

        @functools.cache
        def cached():
            return 1
        """,
    ),
    "PL006": (
        """\
        @step
        async def build():
            pass

        async def helper():
            return len("x".strip())

        @workflow
        async def main():
            text = "x".strip()
            await helper()
            return str(len(text))
        """,
        [9],
        """\
        import other_module
        import subprocess
        from steps import imported_step

        @step
        async def build():
            pass

        async def via_helper():
            await build()

        @workflow
        async def direct():
            await build()

        @workflow
        async def indirect():
            await via_helper()

        @workflow
        async def cross_module():
            await imported_step()

        @workflow
        async def by_attribute():
            await other_module.review()

        @workflow
        async def by_parameter(fn):
            await fn()

        @workflow
        async def only_primitives():
            await run("make")

        @workflow
        async def only_the_standard_library():
            subprocess.check_call(["make"])
        """,
    ),
    "PL007": (
        """\
        @step
        async def s():
            try:
                await run("x")
            except:
                pass
            try:
                await run("x")
            except Exception:
                pass
            try:
                await run("x")
            except (ValueError, BaseException) as exc:
                pass
            try:
                await run("x")
            except Exception:
                def later():
                    raise  # not this handler's re-raise
                return None
        """,
        [5, 9, 13, 17],
        """\
        from godel import RewindSignal

        def helper():
            try:
                return 1
            except Exception:
                return 2

        @step
        async def s():
            try:
                await run("x")
            except ValueError:
                pass
            try:
                await run("x")
            except Exception:
                await print("failed")
                raise
            try:
                await run("x")
            except RewindSignal:
                raise
            except Exception:
                pass
        """,
    ),
    "PL008": (
        """\
        from godel import step, workflow
        import builtins as b

        @step
        async def s():
            print("hi")
            answer = input("go? ")

        @workflow
        async def main():
            b.print("also builtin")
        """,
        [6, 7, 11],
        """\
        from godel import step, print, input

        def cli():
            print("outside workflow code is fine")

        @step
        async def defaults(x=print("a default runs at import, not in the step")):
            await print(x)

        @step
        async def s():
            await print("recorded")
            answer = await input("go? ")
        """,
    ),
    "PL009": (
        """\
        from godel.agents import claude_code
        import godel.agents

        reviewer = claude_code()

        @workflow
        async def main():
            await reviewer("review")
            await godel.agents.copilot()("inline")
        """,
        [8, 9],
        """\
        from godel.agents import claude_code

        reviewer = claude_code()

        @step
        async def review():
            return await reviewer("review")

        @workflow
        async def main(agent):
            await review()
            await agent("a parameter may be anything")
        """,
    ),
    "PL010": (
        """\
        async def notify():
            pass

        class Bot:
            async def ping(self):
                pass

            async def go(self):
                self.ping()

        @workflow
        async def main():
            notify()
        """,
        [9, 13],
        """\
        def sync_helper():
            pass

        async def notify():
            pass

        @workflow
        async def main():
            sync_helper()
            await notify()
            task = notify()
            await task
        """,
    ),
    "PL011": (
        """\
        import godel

        @step
        @retry(3)
        async def flaky():
            pass

        @godel.step(name="x")
        @godel.retry(2)
        async def flaky2():
            pass
        """,
        [4, 9],
        """\
        @retry(3)
        @step
        async def flaky():
            pass
        """,
    ),
    "PL012": (
        """\
        import os
        import subprocess
        from pathlib import Path

        @step
        async def s():
            subprocess.run(["ls"])
            os.system("ls")
            with open("out.txt", "w") as f:
                f.write("x")
            Path("out.txt").write_text("x")
        """,
        [7, 8, 9, 11],
        """\
        import subprocess

        def tool():
            subprocess.run(["ls"])

        @step
        async def s():
            await run("ls")
            with open("in.txt") as f:
                data = f.read()
            with open("in.txt", mode="r") as f:
                pass
        """,
    ),
    "PL013": (
        """\
        @step
        async def s(x):
            return {1, 2}

        def callback():
            pass

        @workflow
        async def main():
            await s(lambda: 1)
            await s(x=callback)
            await s([b"raw"])
        """,
        [3, 10, 11, 12],
        """\
        @step
        async def s(x):
            return {"items": [1, 2], "name": "n"}

        @workflow
        async def main():
            await s([1, 2, 3])
            await s({"a": (1, 2)})
            await s(x=None)
        """,
    ),
    "PL014": (
        """\
        @step
        async def s():
            pass
        """,
        [2],
        """\
        @step(name="stable")
        async def s():
            pass
        """,
    ),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_on_its_trigger(code: str) -> None:
    trigger, expected, _ = CASES[code]
    assert lines_of(code, trigger) == expected


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_is_silent_on_the_near_miss(code: str) -> None:
    _, _, near_miss = CASES[code]
    assert lines_of(code, near_miss) == []


def test_every_builtin_rule_has_a_case() -> None:
    assert sorted(CASES) == [r.code for r in RULES]


def test_severities_and_defaults() -> None:
    by_code = {r.code: r for r in RULES}
    errors = {c for c, r in by_code.items() if r.severity == "error"}
    assert errors == {"PL001", "PL003", "PL005", "PL010", "PL012"}
    # PL009 and PL011 flag what the reference documents as correct: opt-in house rules.
    assert [c for c, r in by_code.items() if not r.default_enabled] == ["PL009", "PL011", "PL014"]
    assert all(r.dist == "godel-core" and r.error is None for r in RULES)


def test_default_selection_leaves_off_by_default_rules_out() -> None:
    text = HEAD + "@step\nasync def s():\n    pass\n"
    assert lint_source(text, rules=RULES) == []
    assert [d.code for d in lint_source(text, rules=RULES, select=["PL"])] == ["PL014"]


def test_messages_follow_the_reference_wording() -> None:
    text = HEAD + textwrap.dedent("""\
        @step
        def s():
            run("x")
        """)
    messages = {d.code: d.message for d in lint_source(text, rules=RULES)}
    assert messages["PL001"] == "'run' is async and must be awaited"
    assert messages["PL005"] == "@step requires 'async def', not 'def'"


# Each reference message (REFERENCE_BEHAVIOR 11.2), word for word; hints may add to it.
REFERENCE_MESSAGES = """\
import time
import random as rnd
from datetime import datetime

async def helper():
    await run("x")

@step
async def s(items):
    x = time.time()
    y = rnd.choice(items)
    z = datetime.now()
    for item in items:
        await run(item)
    try:
        pass
    except:
        pass
    try:
        pass
    except BaseException:
        pass
    try:
        pass
    except (ValueError, Exception):
        pass

@workflow
def main():
    pass

@workflow
async def lonely():
    pass
"""


def test_every_reference_message_is_kept() -> None:
    found = lint_source(HEAD + REFERENCE_MESSAGES, rules=RULES)
    assert [(d.code, d.message) for d in found] == [
        ("PL002", "function 'helper' uses godel primitives but lacks @step decorator"),
        ("PL003", "'time.time' is non-deterministic; use godel.det equivalents"),
        ("PL003", "'rnd.choice' is non-deterministic; use godel.det equivalents"),
        ("PL003", "'datetime.now' is non-deterministic; use godel.det equivalents"),
        ("PL004", "run inside a loop without idempotent=True will block rewind"),
        ("PL007", "bare 'except:' may swallow WorkflowFail or RewindSignal"),
        (
            "PL007",
            "'except BaseException' may swallow WorkflowFail or RewindSignal; "
            "consider catching specific types",
        ),
        (
            "PL007",
            "'except (ValueError, Exception)' may swallow WorkflowFail or RewindSignal; "
            "consider catching specific types",
        ),
        ("PL005", "@workflow requires 'async def', not 'def'"),
        ("PL006", "@workflow 'main' never calls any @step function"),
        ("PL006", "@workflow 'lonely' never calls any @step function"),
    ]
    # What an alias stands for, and the godel.det stand-in, are in the hint.
    assert found[2].hint.startswith("'rnd.choice' is random.choice; use godel.det.random()")


def test_agents_reaching_a_function_as_a_parameter_are_agents() -> None:
    # PL009 and PL006 see an agent passed to a helper, or a parameter annotated Agent, as an
    # agent; an agent passed to a @step and called there is what PL009 asks for.
    text = """\
        from godel import step, workflow
        from godel.agents import Agent, claude_code

        @step
        async def ask(agent, prompt):
            return await agent(prompt)

        @workflow
        async def main():
            c = claude_code()
            async def nested(a):
                return await a("nested")
            await nested(c)
            return await ask(c, "hi")

        async def helper(agent, prompt):
            return await agent(prompt)

        @workflow
        async def typed(agent: Agent):
            return await helper(agent, "typed")
        """
    assert lines_of("PL009", text) == [12]
    assert lines_of("PL006", text) == [20]


# What the reference's docs teach must not be flagged by any default rule (issue 12): agents and
# run() directly in a @workflow, and @step written above @retry(n).
REFERENCE_USAGE = """\
from godel import workflow, step, run, retry
from godel.agents import claude_code

agent = claude_code(model="sonnet")


@step
@retry(3)
async def flaky():
    await run("make test")


@workflow
async def main():
    await run("git status")
    summary = await agent("summarise the repository")
    await flaky()
    return summary
"""


def test_default_rules_accept_what_the_reference_documents() -> None:
    assert lint_source(REFERENCE_USAGE, rules=RULES) == []
    opted_in = lint_source(REFERENCE_USAGE, rules=RULES, select=["PL009", "PL011"])
    assert [(d.code, d.line) for d in opted_in] == [("PL011", 8), ("PL009", 16)]


def test_registered_summaries_match_the_rules() -> None:
    # The registry's summary is what --list-rules shows without importing; it must not drift.
    for loaded in RULES:
        assert loaded.summary == loaded.rule.summary, loaded.code  # type: ignore[union-attr]


# PL003 and PL012 read strict mode's catalogue (godel.strict.catalog), so the two agree.
PL003_CATEGORIES = {"clock", "random", "uuid", "sleep"}


@pytest.mark.parametrize(
    ("module", "attr"),
    sorted(k for k, category in CALL_CATEGORIES.items() if category in PL003_CATEGORIES),
)
def test_pl003_reports_every_clock_draw_and_sleep_strict_mode_bans(module: str, attr: str) -> None:
    assert lines_of("PL003", f"import {module}\nx = {module}.{attr}(1)\n") == [2]


def test_pl003_knows_what_only_strict_mode_knew() -> None:
    assert lines_of(
        "PL003",
        """\
        import anyio, os, time, uuid

        @step
        async def s(t):
            a = time.process_time()
            b = time.strftime("%Y")
            c = time.strftime("%Y", t)
            await anyio.sleep(1)
            d = uuid.uuid7()
            e = os.getrandom(8)
        """,
    ) == [5, 6, 8, 9, 10]


def test_pl003_allows_what_strict_mode_allows() -> None:
    # A yield to the event loop, a pure secrets helper and a seeded generator.
    assert (
        lines_of(
            "PL003",
            """\
            import asyncio, random, secrets

            @step
            async def s(a, b):
                await asyncio.sleep(0)
                same = secrets.compare_digest(a, b)
                rng = random.Random(42)
            """,
        )
        == []
    )


def test_pl012_reports_every_process_and_file_opener_strict_mode_bans() -> None:
    assert lines_of(
        "PL012",
        """\
        import gzip, io, os, pty

        @step
        async def s():
            os.fork()
            pty.spawn(["sh"])
            io.open("out.txt", "a")
            with gzip.open("out.gz", mode="wt") as f:
                pass
            with gzip.open("in.gz") as f:
                pass
        """,
    ) == [5, 6, 7, 8]


def test_rewind_is_known_by_every_spelling() -> None:
    """``godel.rewind`` is ``godel.replay.rewind``: PL001 and PL002 see both."""
    source = """\
    import godel
    from godel.replay import rewind as back

    @step
    async def s():
        rewind(to="x")
        godel.rewind(to="x")
        back(to="x")

    async def helper():
        await godel.rewind(to="y")
    """
    assert lines_of("PL001", source) == [6, 7, 8]
    assert lines_of("PL002", source) == [10]


def test_pl003_follows_star_imports_as_strict_mode_does() -> None:
    source = """\
    from datetime import *
    from random import *

    @step
    async def s():
        a = datetime.now()
        b = randint(1, 6)
        c = timedelta(seconds=1)
    """
    assert lines_of("PL003", source) == [6, 7]
