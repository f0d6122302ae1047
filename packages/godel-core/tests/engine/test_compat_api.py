"""godel-py 3.x workflow code that must keep working unchanged (REFERENCE_BEHAVIOR §1-§3)."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from godel import CommandResult, run, step, workflow
from godel.log.events import Op


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@step
async def add_one(x):
    return x + 1


def test_workflow_can_wrap_a_step(run_wf, load_events):
    # godel-py kept ``asyncio.iscoroutinefunction(step_fn)`` true so that ``@workflow`` could be
    # put on a ``@step``; on Python < 3.12 only asyncio's marker says so, not ``inspect``.
    wf = workflow(add_one)
    result, run_id = run_wf(wf, 41)
    assert result == 42
    ops = [(e.op, e.step_path) for e in load_events(run_id)]
    assert ops == [(Op.WORKFLOW_STARTED, ()), (Op.STEP_ENTER, ("add_one",))]


def test_workflow_still_refuses_a_plain_function():
    def plain():
        return 1

    with pytest.raises(TypeError, match="requires an async function"):
        workflow(plain)


def test_command_result_fields_in_godel_py_order():
    # godel-py's dataclass: stdout, stderr, returncode (tests and mocks build it positionally).
    result = CommandResult("out", "err", 3)
    assert (result.stdout, result.stderr, result.returncode) == ("out", "err", 3)
    assert CommandResult(stdout="o", stderr="e", returncode=0).ok


@pytest.mark.anyio
async def test_run_returns_fields_by_name():
    result = await run("echo hi; echo oops >&2; exit 0")
    assert result == CommandResult(stdout="hi\n", stderr="oops\n", returncode=0)


def test_step_function_is_asyncio_not_inspect_coroutine_function():
    # The same on every Python version (3.12+ included), as in godel-py and docs/migrating.md.
    assert asyncio.iscoroutinefunction(add_one)
    assert not inspect.iscoroutinefunction(add_one)


def test_step_can_wrap_a_step(run_wf, load_events):
    outer = step(name="outer")(add_one)

    @workflow
    async def wf(x):
        return await outer(x)

    result, run_id = run_wf(wf, 1)
    assert result == 2
    paths = [e.step_path for e in load_events(run_id) if e.op == Op.STEP_ENTER]
    assert paths == [("outer",), ("outer", "add_one")]


@pytest.mark.anyio
@pytest.mark.parametrize("timeout", ["10", True, float("nan"), 0, -1])
async def test_run_refuses_a_timeout_that_is_not_a_positive_number(timeout):
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds"):
        await run("true", timeout=timeout)


@pytest.mark.anyio
async def test_run_with_a_missing_cwd_names_the_cwd(tmp_path):
    from godel import CommandFailure

    missing = tmp_path / "nope"
    with pytest.raises(CommandFailure, match=f"cwd {missing} is not a directory"):
        await run("true", cwd=missing)


def test_tail_signature_says_it_yields_events():
    import godel

    sig = inspect.signature(godel.tail)
    assert sig.return_annotation == "AsyncIterator[Event]"
    assert list(sig.parameters)[:6] == [
        "run_id",
        "runs_dir",
        "follow",
        "poll_interval",
        "stop_on_terminal",
        "wait",
    ]


def test_step_with_an_empty_name_takes_the_function_name(run_wf, load_events):
    # godel-py: ``name or fn.__name__``.
    @step(name="")
    async def build():
        return 1

    @workflow
    async def wf():
        return await build()

    _, run_id = run_wf(wf)
    assert [e.step_path for e in load_events(run_id) if e.op == Op.STEP_ENTER] == [("build",)]


@pytest.mark.parametrize("name", ["a/b", "  ", 3])
def test_step_refuses_a_name_it_cannot_show(name):
    with pytest.raises(TypeError, match="@step name must be"):
        step(name=name)


@pytest.mark.anyio
async def test_print_takes_none_for_sep_and_end_like_the_builtin(capsys):
    from godel import print as gprint

    await gprint("a", "b", sep=None, end=None)
    await gprint("c", "d", sep="-", end="!\n")
    assert capsys.readouterr().out == "a b\nc-d!\n"


def test_godel_config_is_built_from_keywords_like_godel_py_model():
    from godel import GodelConfig

    cfg = GodelConfig(runs_dir="r", strict=False)
    assert (cfg.runs_dir, cfg.strict, cfg.lint) == ("r", False, True)
    assert cfg == GodelConfig({"runs_dir": "r", "strict": False})
    # godel-py raised pydantic's ValidationError, a ValueError
    with pytest.raises(ValueError, match="no key 'bogus'"):
        GodelConfig(bogus=1)
    with pytest.raises(ValueError, match="GodelConfig strict"):
        GodelConfig(strict="maybe")
