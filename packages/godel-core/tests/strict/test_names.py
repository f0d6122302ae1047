"""The one name resolver behind strict mode and the linter, under each of its two policies."""

from __future__ import annotations

import ast
import textwrap

import pytest

from godel.strict.names import Resolver


def callees(source: str, *, cautious: bool) -> list[str | None]:
    """What each call's callee resolves to, in source order."""
    tree = ast.parse(textwrap.dedent(source))
    resolver = Resolver(tree, cautious=cautious)
    calls = sorted(
        (n for n in ast.walk(tree) if isinstance(n, ast.Call)),
        key=lambda n: (n.lineno, n.col_offset),
    )
    found = [resolver.resolve(call.func) for call in calls]
    return [r.name if r is not None else None for r in found]


def test_strict_reads_the_scope_of_the_use_and_lint_the_whole_file() -> None:
    source = """\
        import time
        def f(time):
            time.sleep(1)
        time.time()
    """
    assert callees(source, cautious=False) == [None, "time.time"]
    assert callees(source, cautious=True) == [None, None]


def test_an_import_wins_in_strict_mode_only() -> None:
    source = """\
        def f():
            sleep = None
            from time import sleep
            sleep(1)
    """
    assert callees(source, cautious=False) == ["time.sleep"]
    assert callees(source, cautious=True) == [None]


def test_an_unknown_star_import_hides_builtins_from_lint_only() -> None:
    source = "from helpers import *\nopen('x', 'w')\n"
    assert callees(source, cautious=False) == ["builtins.open"]
    assert callees(source, cautious=True) == [None]


def test_both_policies_agree_when_nothing_competes() -> None:
    source = """\
        import datetime as dt
        from os import path as p
        class Tool:
            def run(self):
                return dt.datetime.now()
        p.join("a")
        print(len([x for x in range(3)]))
    """
    expected = [
        "datetime.datetime.now",
        "os.path.join",
        "builtins.print",
        "builtins.len",
        "builtins.range",
    ]
    assert callees(source, cautious=False) == expected
    assert callees(source, cautious=True) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # Decorators, defaults and annotations run where the function is defined.
        ("import time\ndef f(time=time.time()):\n    pass", ["time.time"]),
        ("import time\n@time.sleep(0)\ndef f(time):\n    pass", ["time.sleep"]),
        # A comprehension's first iterable runs outside it, the rest inside.
        ("import time\n[1 for time in time.time()]", ["time.time"]),
        ("import time\n[time.time() for time in range(2)]", [None, "builtins.range"]),
        # Class bodies are not visible from the functions nested in them.
        (
            "import time\nclass A:\n    time = 1\n    def f(self):\n        time.time()",
            ["time.time"],
        ),
        # ``global`` binds the module-level name, from wherever it is declared.
        ("def f():\n    global time\n    import time\ntime.time()", ["time.time"]),
    ],
)
def test_strict_mode_follows_python_scoping(source: str, expected: list[str | None]) -> None:
    assert callees(source, cautious=False) == expected


def test_a_plain_assignment_of_a_dotted_name_is_an_alias_under_both_policies() -> None:
    source = """\
        import datetime, time
        clock = time
        X = datetime.datetime
        now = X.now
        def f():
            return clock.time(), X.now(), now()
    """
    expected = ["time.time", "datetime.datetime.now", "datetime.datetime.now"]
    assert callees(source, cautious=False) == expected
    assert callees(source, cautious=True) == expected


@pytest.mark.parametrize(
    ("source", "strict", "lint"),
    [
        # Only ``name = dotted.name``: a tuple, a call or an expression binds the user's own name.
        ("import time\nt, u = time, 1\nt.time()", [None], [None]),
        ("import time\nt = time.time()\nt.hex()", ["time.time", None], ["time.time", None]),
        ("import time\nt = time or None\nt.time()", [None], [None]),
        # Another binding of the name: strict mode still follows the alias, the linter cannot tell.
        ("import time\nt = time\nfor t in []:\n    pass\nt.time()", ["time.time"], [None]),
        # The alias lives in its scope: a parameter elsewhere is the user's own.
        ("import time\nt = time\ndef f(t):\n    t.time()", [None], [None]),
        # Aliases that lead back to themselves stand for nothing (and do not loop forever).
        ("a = b\nb = a\na.time()", [None], [None]),
        ("x = x.y\nx.time()", [None], [None]),
    ],
)
def test_aliases_stay_cautious(
    source: str, strict: list[str | None], lint: list[str | None]
) -> None:
    assert callees(source, cautious=False) == strict
    assert callees(source, cautious=True) == lint


def test_strict_lookups_do_not_read_every_binding_of_a_name_at_each_use() -> None:
    # A parameter ``x`` in each of many functions: each use of ``x`` looks in its own
    # function's bindings, not in all of them (a 100 000-function file took minutes).
    count = 2000
    source = "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(count))
    tree = ast.parse(source)
    resolver = Resolver(tree, cautious=False)
    reads = 0

    class Counted(list):  # type: ignore[type-arg]
        def __iter__(self):  # type: ignore[no-untyped-def]
            nonlocal reads
            reads += len(self)
            return super().__iter__()

    resolver._all["x"] = Counted(resolver._all["x"])
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "x"]
    assert [resolver.resolve(n) for n in uses] == [None] * count
    assert reads <= 2 * count


@pytest.mark.parametrize(
    "source",
    [
        "".join(f"x = x + {i}\n" for i in range(2000)),  # one name rebound all along a script
        "".join(f"x = y + {i}\ny = x\n" for i in range(1000)),  # and aliased
    ],
)
def test_a_name_bound_many_times_in_one_scope_is_judged_once(source: str) -> None:
    tree = ast.parse(source)
    resolver = Resolver(tree, cautious=False)
    reads = 0
    for name, bound in list(resolver._all.items()):

        class Counted(list):  # type: ignore[type-arg]
            def __iter__(self):  # type: ignore[no-untyped-def]
                nonlocal reads
                reads += len(self)
                return super().__iter__()

        resolver._all[name] = Counted(bound)
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and type(n.ctx) is ast.Load]
    assert {resolver.resolve(n) for n in uses} == {None}
    assert reads <= 2 * len(uses)
