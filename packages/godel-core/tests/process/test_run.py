"""``godel.run`` outside a workflow: forms, output, stdin, env, failures, timeouts, cancellation.

Every test runs twice: with the pidfd spawn path (``godel.process.spawn.DirectChild``, Linux) and with
the asyncio fallback (``AsyncioChild``), which other systems use.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import time
from pathlib import Path

import anyio
import pytest

from godel.exceptions import CommandFailure
from godel.process import reaper
from godel.process.run import CommandResult, run
from godel.testing import wait_process_gone

PY = sys.executable


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True, params=["pidfd", "asyncio"])
def spawn_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    from godel.process import group
    from godel.process.spawn import pidfd_supported

    if request.param == "pidfd" and not pidfd_supported():
        pytest.skip("no pidfd_open on this system")
    monkeypatch.setattr(group, "pidfd_supported", lambda: request.param == "pidfd")
    return request.param


async def read_pidfile(path: Path, timeout: float = 20.0) -> int:
    with anyio.fail_after(timeout):
        while True:
            try:
                return int(path.read_text())
            except (FileNotFoundError, ValueError):
                await anyio.sleep(0.01)


def spawn_grandchild(pidfile: Path, *, before: str = "", after: str = "wait") -> list[str]:
    """A shell that starts ``sleep 300`` in the background, writes its pid, then ``after``."""
    tmp = f"{pidfile}.tmp"
    return ["sh", "-c", f"{before} sleep 300 & echo $! > {tmp} && mv {tmp} {pidfile}; {after}"]


# forms and results ---------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_list_runs_without_shell_and_string_through_sh():
    result = await run(["echo", "a b", "$HOME"])
    assert result == CommandResult("a b $HOME\n", "", 0)
    assert result.ok and str(result) == "a b $HOME\n"
    piped = await run("printf 'x\\ny\\n' | wc -l")
    assert piped.stdout.strip() == "2"


@pytest.mark.anyio
async def test_shell_flag_overrides_the_form():
    quoted = await run(["echo", "$((1+1))"], shell=True)  # list is quoted, so no expansion
    assert quoted.stdout == "$((1+1))\n"
    split = await run("printf '%s|' 'a b' c", shell=False)
    assert split.stdout == "a b|c|"


@pytest.mark.anyio
async def test_result_is_frozen():
    result = await run(["true"])
    with pytest.raises(AttributeError):
        result.returncode = 1  # type: ignore[misc]


@pytest.mark.anyio
async def test_nonzero_exit_raises_with_full_output_and_stderr_hint():
    script = "import sys; sys.stdout.write('o' * 300_000); sys.stderr.write('noise\\n' * 1000 + 'the real reason\\n'); sys.exit(3)"
    with pytest.raises(CommandFailure) as info:
        await run([PY, "-c", script])
    err = info.value
    assert err.returncode == 3
    assert err.stdout == "o" * 300_000
    assert err.stderr == "noise\n" * 1000 + "the real reason\n"
    assert err.message.startswith("command failed (exit 3): ")
    assert "the real reason" in err.remediation_hint
    assert err.source_location.startswith(__file__)


@pytest.mark.anyio
async def test_check_false_returns_the_failed_result():
    result = await run("echo out; echo err >&2; exit 5", check=False)
    assert result == CommandResult("out\n", "err\n", 5)
    assert not result.ok


@pytest.mark.anyio
async def test_a_timeout_raises_even_with_check_false():
    # As the API reference says: check=False covers the exit status only; there is none here.
    with pytest.raises(CommandFailure, match="timed out") as info:
        await run("echo partial; sleep 5", timeout=0.3, check=False)
    assert info.value.returncode is None and info.value.stdout == "partial\n"


@pytest.mark.anyio
async def test_output_is_decoded_with_replacement():
    result = await run(["printf", "caf\\303\\251 \\377\\n"])
    assert result.stdout == "café \ufffd\n"


@pytest.mark.anyio
@pytest.mark.parametrize("cmd", [["/nonexistent/program"], "true"])
async def test_a_command_that_cannot_start_is_a_command_failure(cmd, tmp_path):
    cwd = tmp_path / "missing" if cmd == "true" else None
    with pytest.raises(CommandFailure, match="cannot start command") as info:
        await run(cmd, cwd=cwd)
    assert info.value.returncode is None


@pytest.mark.anyio
async def test_argument_checks():
    with pytest.raises(ValueError, match="not both"):
        await run(["cat"], stdin="x", inherit_stdin=True)
    with pytest.raises(ValueError, match="empty"):
        await run([])
    with pytest.raises(ValueError, match="timeout"):
        await run(["true"], timeout=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cmd": None}, r"^run\(\): cmd must be a string or a list of strings, got None$"),
        (
            {"cmd": ["echo", 1]},
            r"^run\(\): cmd must be a string or a list of strings, got \['echo', 1\]$",
        ),
        ({"env": {"A": 1}}, r"^run\(\): env must map names to strings, got 'A': 1$"),
        ({"env": {1: "x"}}, r"^run\(\): env must map names to strings, got 1: 'x'$"),
        ({"env": ["A=1"]}, r"^run\(\): env must be a mapping of names to strings, got list$"),
        ({"stdin": 1}, r"^run\(\): stdin must be str or bytes, got int$"),
    ],
)
@pytest.mark.anyio
async def test_arguments_of_the_wrong_type_are_named(kwargs: dict, message: str) -> None:
    # A user mistake, told in one line (not "object of type 'int' has no len()").
    kwargs = dict(kwargs)  # parametrized values are shared by both spawn paths
    cmd = kwargs.pop("cmd", ["true"])
    with pytest.raises(TypeError, match=message):
        await run(cmd, **kwargs)


# stdin, env, cwd -----------------------------------------------------------------------------------
@pytest.fixture
def stdin_pipe():
    """Replace fd 0 with a pipe for the test; yields its write end (still open)."""
    saved = os.dup(0)
    r, w = os.pipe()
    os.dup2(r, 0)
    os.close(r)
    try:
        yield w
    finally:
        os.dup2(saved, 0)
        os.close(saved)
        try:
            os.close(w)
        except OSError:
            pass


@pytest.mark.anyio
async def test_stdin_is_not_inherited(stdin_pipe):
    # Our stdin is a pipe that never reaches EOF: a child that inherited it would block.
    result = await run(["cat"], timeout=30)
    assert result == CommandResult("", "", 0)


@pytest.mark.anyio
async def test_inherit_stdin_passes_ours_through(stdin_pipe):
    os.write(stdin_pipe, b"typed by a human\n")
    os.close(stdin_pipe)
    result = await run(["cat"], inherit_stdin=True, timeout=30)
    assert result.stdout == "typed by a human\n"


@pytest.mark.anyio
async def test_stdin_text_and_bytes_are_delivered_then_closed():
    assert (await run(["cat"], stdin="x")).stdout == "x"
    big = bytes(range(256)) * 8192  # 2 MiB, not UTF-8
    result = await run(
        [
            PY,
            "-c",
            "import sys, hashlib; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())",
        ],
        stdin=big,
    )
    import hashlib

    assert result.stdout.strip() == hashlib.sha256(big).hexdigest()


@pytest.mark.anyio
async def test_stdin_the_child_never_reads_is_harmless():
    result = await run(["true"], stdin="x" * 5_000_000)
    assert result.ok


@pytest.mark.anyio
async def test_env_is_merged_over_the_environment(monkeypatch):
    monkeypatch.setenv("GODEL_TEST_OUTER", "outer")
    result = await run(
        'echo "$GODEL_TEST_OUTER $GODEL_TEST_INNER"', env={"GODEL_TEST_INNER": "inner"}
    )
    assert result.stdout == "outer inner\n"


@pytest.mark.anyio
async def test_cwd(tmp_path):
    result = await run(["pwd"], cwd=tmp_path)
    assert Path(result.stdout.strip()).resolve() == tmp_path.resolve()


# streaming -----------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_line_observer_gets_each_stdout_line_including_an_unterminated_last_one():
    lines: list[str] = []
    result = await run("printf 'a\\n\\nb\\r\\nc'; echo e >&2", line_observer=lines.append)
    assert lines == ["a", "", "b\r", "c"]
    assert result.stdout == "a\n\nb\r\nc"


@pytest.mark.anyio
async def test_lines_longer_than_a_mebibyte_arrive_whole():
    lines: list[str] = []
    size = 3 * 1024 * 1024 + 17
    script = f"import sys; sys.stdout.write('x' * {size} + '\\nshort\\n')"
    await run([PY, "-c", script], line_observer=lines.append)
    assert [len(line) for line in lines] == [size, 5]


@pytest.mark.anyio
async def test_a_failing_line_observer_kills_the_command_and_propagates(tmp_path):
    pidfile = tmp_path / "pid"

    def observer(line: str) -> None:
        raise KeyError(line)

    with pytest.raises(KeyError, match="go"):
        await run(spawn_grandchild(pidfile, after="echo go; wait"), line_observer=observer)
    assert wait_process_gone(int(pidfile.read_text()))
    assert not reaper.live_groups()


@pytest.mark.anyio
async def test_the_group_is_registered_while_the_command_runs():
    seen: list[frozenset[int]] = []
    # The first line can arrive while the spawn is still being set up: look at the second.
    result = await run(
        'echo "$$"; sleep 0.2; echo again',
        line_observer=lambda _line: seen.append(reaper.live_groups()),
    )
    leader = int(result.stdout.split()[0])
    assert leader in seen[-1]
    assert leader not in reaper.live_groups()


# process lifetime ----------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_timeout_kills_the_group_and_keeps_partial_output(tmp_path):
    pidfile = tmp_path / "pid"
    cmd = spawn_grandchild(pidfile, before="echo partial; echo oops >&2;")
    with pytest.raises(CommandFailure) as info:
        await run(cmd, timeout=1)
    err = info.value
    assert err.message.startswith("command timed out after 1s: sh -c")
    assert (err.stdout, err.stderr, err.returncode) == ("partial\n", "oops\n", None)
    assert wait_process_gone(int(pidfile.read_text()))
    assert not reaper.live_groups()


@pytest.mark.anyio
async def test_cancellation_kills_the_group_and_propagates(tmp_path):
    pidfile = tmp_path / "pid"
    reached_end = False

    async def target() -> None:
        nonlocal reached_end
        await run(spawn_grandchild(pidfile))
        reached_end = True

    async with anyio.create_task_group() as tg:
        tg.start_soon(target)
        grandchild = await read_pidfile(pidfile)
        tg.cancel_scope.cancel()
    assert not reached_end
    assert wait_process_gone(grandchild)
    assert not reaper.live_groups()


@pytest.mark.anyio
async def test_cancellation_escalates_to_sigkill_when_sigterm_is_ignored(tmp_path):
    pidfile = tmp_path / "pid"
    with anyio.CancelScope() as scope:
        async with anyio.create_task_group() as tg:
            tg.start_soon(run, spawn_grandchild(pidfile, before="trap '' TERM;"))
            grandchild = await read_pidfile(pidfile)
            scope.cancel()
    assert scope.cancelled_caught
    assert wait_process_gone(grandchild)
    assert not reaper.live_groups()


@pytest.mark.anyio
async def test_a_process_that_closes_its_pipes_is_still_waited_for():
    # Closing stdout/stderr does not end the command, and it is not a timeout either.
    result = await run("exec >/dev/null 2>&1; sleep 1; exit 4", check=False)
    assert result.returncode == 4


@pytest.mark.anyio
async def test_a_process_with_closed_pipes_times_out_only_at_the_timeout():
    with pytest.raises(CommandFailure, match=r"timed out after 0\.5s") as info:
        await run("exec >/dev/null 2>&1; sleep 60", timeout=0.5)
    assert info.value.returncode is None


@pytest.mark.anyio
@pytest.mark.parametrize(
    "redirect", [">/dev/null 2>&1", ""], ids=["detached-output", "holding-the-pipes"]
)
async def test_what_the_command_leaves_running_in_its_group_is_killed(redirect):
    # The shell exits at once; its background job (holding our pipes, or not) must not outlive run.
    result = await run(f"sleep 300 {redirect} & echo $!")
    assert result.returncode == 0
    assert wait_process_gone(int(result.stdout))
    assert not reaper.live_groups()


@pytest.mark.anyio
async def test_pipes_held_by_a_process_outside_the_group_do_not_hang_run():
    # A daemon that left the group (setsid) keeps our pipes open forever; it is out of our
    # reach, but run must still return, with the output written so far.
    result = await run("setsid sleep 300 & echo $!; echo done")
    daemon = int(result.stdout.split()[0])
    try:
        assert result.returncode == 0 and result.stdout.endswith("done\n")
    finally:
        os.kill(daemon, 9)


@pytest.mark.anyio
async def test_concurrent_runs_are_independent():
    async def one(i: int, out: list[str]) -> None:
        out.append((await run(["sh", "-c", f"sleep 0.{i}; echo {i}"])).stdout.strip())

    out: list[str] = []
    async with anyio.create_task_group() as tg:
        for i in range(1, 6):
            tg.start_soon(one, i, out)
    assert sorted(out) == ["1", "2", "3", "4", "5"]


NODE_WRITES_AND_EXITS = "process.stdout.write('x'.repeat(2000000) + '\\nend\\n'); process.exit(0)"


@pytest.mark.anyio
@pytest.mark.skipif(shutil.which("node") is None, reason="needs node (the agent CLIs' runtime)")
async def test_a_spooled_stdout_keeps_what_node_wrote_before_exiting(spawn_path: str) -> None:
    # Node writes to a pipe asynchronously and drops what is still queued when it exits: a
    # reader that falls behind (here: the loop blocked while node writes) lost the end of an
    # agent CLI's stream (claude's result line). A spooled stdout is a file: nothing is lost.
    from godel.process.group import run_group

    if spawn_path != "pidfd":
        pytest.skip("stdout is spooled only where pidfds work (Linux 5.3+): pipes elsewhere")
    lines: list[bytes] = []
    asyncio.get_running_loop().call_soon(time.sleep, 1.0)  # the reader falls behind
    outcome = await run_group(
        ["node", "-e", NODE_WRITES_AND_EXITS],
        shell=False,
        cwd=None,
        env=None,
        stdin=None,
        inherit_stdin=False,
        timeout=30,
        out_sink=lines.append,
        err_sink=None,
        spool_stdout=True,
    )
    assert outcome.returncode == 0
    assert lines[-1] == b"end" and len(outcome.stdout) == 2_000_005
