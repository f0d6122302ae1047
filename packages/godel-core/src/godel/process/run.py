"""``run``: an audited subprocess (exported as ``godel.run``).

Inside a workflow each call is one ``run`` event in the audit log (request: what was asked;
response: exit code and the full stdout/stderr), and its output streams line by line into
the run's transcript as it arrives. On resume a finished call returns its recorded result
without running again. Outside a workflow it simply runs the command.

Every command leads its own process group; whatever way ``run`` ends (exit, timeout,
cancellation, an error), nothing it started is left running (see ``godel.process.group``).

Internal hooks for agent backends (not public API):

- ``line_observer=``: receives each stdout line (``str``, newline stripped) instead of the
  default ``stdout`` transcript event; if it raises, the command is killed and ``run`` raises
  that exception.
- ``stream_parent``: a context variable holding the enclosing launch ids; ``run`` appends its
  own, so a command started by an agent call gets ``stream_path == [agent_launch, launch]``.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from godel.engine.context import current_frame, current_run
from godel.engine.record import effect
from godel.exceptions import CommandFailure
from godel.log.ids import new_id
from godel.process.group import LineSink, run_group

__all__ = ["CommandResult", "run"]

stream_parent: ContextVar[tuple[str, ...]] = ContextVar("godel_stream_parent", default=())


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What a command returned: its full, decoded stdout and stderr, and its exit code."""

    # godel-py's field order: code written for it builds results positionally.
    stdout: str
    stderr: str
    returncode: int

    @property
    def ok(self) -> bool:
        """True when the command exited 0."""
        return self.returncode == 0

    def __str__(self) -> str:
        return self.stdout


async def run(
    cmd: str | Sequence[str],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    stdin: str | bytes | None = None,
    inherit_stdin: bool = False,
    check: bool = True,
    idempotent: bool = False,
    shell: bool | None = None,
    line_observer: Callable[[str], object] | None = None,
) -> CommandResult:
    """Run a command and return its result; raise ``CommandFailure`` if it fails.

    ``cmd`` as a string runs through ``/bin/sh -c``; as a list it is executed directly
    (``shell=`` overrides: a list is then shell-quoted, a string split with ``shlex``).
    ``env`` is merged over the current environment. stdin is ``/dev/null`` unless ``stdin=``
    (fed, then closed) or ``inherit_stdin=True``. A non-zero exit raises ``CommandFailure``
    with the full output attached (``check=False`` returns the result instead); so does a
    ``timeout`` (seconds; partial output attached, ``returncode=None``). ``idempotent=True``
    lets a resume re-run a call that was in flight when the run stopped.
    """
    if stdin is not None and inherit_stdin:
        raise ValueError("run(): give stdin= or inherit_stdin=True, not both")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0
    ):
        raise ValueError(f"run(): timeout must be a positive number of seconds, got {timeout!r}")
    if stdin is not None and not isinstance(stdin, str | bytes):
        raise TypeError(f"run(): stdin must be str or bytes, got {type(stdin).__name__}")
    cmd = _checked_cmd(cmd)
    if not cmd:
        raise ValueError("run(): empty command")
    cwd_abs = os.path.abspath(os.fspath(cwd)) if cwd is not None else None
    env_given = _checked_env(env) if env is not None else None
    if env_given:
        redact_also(env_given)  # before the request, which holds them, is written
    launch = new_id()
    stream_path = [*stream_parent.get(), launch]
    request = {
        "cmd": cmd,
        "cwd": cwd_abs,
        "env": env_given,  # only what the caller passed: it is part of what the command does
        "timeout": timeout,
        "stdin": _stdin_record(stdin),
        "idempotent": idempotent,
    }
    use_shell = isinstance(cmd, str) if shell is None else bool(shell)

    async def execute(_event: object) -> dict[str, Any]:
        return await _execute(
            cmd,
            use_shell,
            cwd_abs,
            env_given,
            stdin,
            inherit_stdin,
            timeout,
            check,
            stream_path,
            line_observer,
        )

    response = await effect("run", request, execute, side_effect=True, stream_path=stream_path)
    result = CommandResult(response["stdout"], response["stderr"], response["returncode"])
    if check and result.returncode != 0:
        # Only reachable from a replayed response that was recorded with check=False.
        raise _exit_failure(cmd, result)
    return result


async def _execute(
    cmd: str | list[str],
    use_shell: bool,
    cwd: str | None,
    env: dict[str, str] | None,
    stdin: str | bytes | None,
    inherit_stdin: bool,
    timeout: float | None,
    check: bool,
    stream_path: list[str],
    line_observer: Callable[[str], object] | None,
) -> dict[str, Any]:
    state = current_run()
    transcript = state.transcript if state is not None else None
    out_sink: LineSink | None = None
    err_sink: LineSink | None = None
    if transcript is not None:
        step_path = _step_path()
        transcript.write(
            "run.start", step_path=step_path, stream_path=stream_path, cmd=cmd, cwd=cwd or ""
        )
        out_sink = _transcript_sink(transcript.write, "stdout", step_path, stream_path)
        err_sink = _transcript_sink(transcript.write, "stderr", step_path, stream_path)
    if line_observer is not None:
        out_sink = _observer_sink(line_observer)
    if use_shell:
        argv: str | list[str] = cmd if isinstance(cmd, str) else shlex.join(cmd)
    else:
        argv = shlex.split(cmd) if isinstance(cmd, str) else cmd
    started = time.monotonic()
    try:
        outcome = await run_group(
            argv,
            shell=use_shell,
            cwd=cwd,
            env=command_env(env),
            stdin=stdin.encode("utf-8") if isinstance(stdin, str) else stdin,
            inherit_stdin=inherit_stdin,
            timeout=timeout,
            out_sink=out_sink,
            err_sink=err_sink,
        )
    except OSError as exc:
        # No process to report on (missing program, bad cwd...): a failed command all the same.
        why = f"{exc.strerror or exc}: {_display(cmd)}"
        if cwd is not None and not os.path.isdir(cwd):  # else the error names the program
            why = f"cwd {cwd} is not a directory: {_display(cmd)}"
        raise CommandFailure(
            f"cannot start command: {why}",
            cmd=cmd,
            step_path=_step_path(),
            source_location=_caller_location(),
            remediation_hint="Check that the program exists and is executable, and that cwd exists.",
        ) from exc
    duration = round(time.monotonic() - started, 6)
    stdout = outcome.stdout.decode("utf-8", "replace")
    stderr = outcome.stderr.decode("utf-8", "replace")
    if outcome.returncode is None:
        raise CommandFailure(
            f"command timed out after {timeout:g}s: {_display(cmd)}",
            stdout=stdout,
            stderr=stderr,
            returncode=None,
            cmd=cmd,
            step_path=_step_path(),
            source_location=_caller_location(),
            remediation_hint="Increase the timeout parameter or make the command finish sooner.",
        )
    if check and outcome.returncode != 0:
        raise _exit_failure(cmd, CommandResult(stdout, stderr, outcome.returncode))
    return {
        "returncode": outcome.returncode,
        "stdout": stdout,
        "stderr": stderr,
        "duration": duration,
    }


def _checked_cmd(cmd: Any) -> str | list[str]:
    """``cmd`` as text: a string (or bytes), or a list of them (path-likes too)."""
    if isinstance(cmd, str | bytes):
        return os.fsdecode(cmd)
    args = list(cmd) if isinstance(cmd, Iterable) else None
    if args is not None and all(isinstance(a, str | bytes | os.PathLike) for a in args):
        return [os.fsdecode(a) if isinstance(a, bytes) else os.fspath(a) for a in args]
    raise TypeError(f"run(): cmd must be a string or a list of strings, got {cmd!r}")


def _checked_env(env: Any) -> dict[str, str]:
    if not isinstance(env, Mapping):
        raise TypeError(
            f"run(): env must be a mapping of names to strings, got {type(env).__name__}"
        )
    for name, value in env.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"run(): env must map names to strings, got {name!r}: {value!r}")
    return dict(env)


def _transcript_sink(
    write: Callable[..., int], op: str, step_path: tuple[str, ...], stream_path: list[str]
) -> LineSink:
    def sink(line: bytes) -> None:
        write(
            op, step_path=step_path, stream_path=stream_path, line=line.decode("utf-8", "replace")
        )

    return sink


def _observer_sink(observer: Callable[[str], object]) -> LineSink:
    def sink(line: bytes) -> None:
        observer(line.decode("utf-8", "replace"))

    return sink


def _stdin_record(stdin: str | bytes | None) -> Any:
    # The request holds text; bytes that are not UTF-8 are kept exactly, as base64.
    if stdin is None or isinstance(stdin, str):
        return stdin
    try:
        return stdin.decode("utf-8")
    except UnicodeDecodeError:
        import base64

        return {"base64": base64.b64encode(stdin).decode("ascii")}


def _display(cmd: str | Sequence[str]) -> str:
    return cmd if isinstance(cmd, str) else shlex.join(cmd)


def _step_path() -> tuple[str, ...]:
    frame = current_frame()
    return frame.step_path if frame is not None else ()


def _exit_failure(cmd: str | Sequence[str], result: CommandResult) -> CommandFailure:
    return CommandFailure(
        f"command failed (exit {result.returncode}): {_display(cmd)}",
        stdout=result.stdout,
        stderr=result.stderr,
        returncode=result.returncode,
        cmd=cmd,
        step_path=_step_path(),
        source_location=_caller_location(),
        remediation_hint=_stderr_hint(result.stderr),
    )


def _stderr_hint(stderr: str, lines: int = 3, width: int = 200) -> str:
    tail = [ln.strip() for ln in stderr.splitlines() if ln.strip()][-lines:]
    if not tail:
        return "The command wrote nothing to stderr; its stdout is attached to the exception (.stdout)."
    quoted = " | ".join(ln if len(ln) <= width else ln[: width - 3] + "..." for ln in tail)
    return f"Check the command's output; stderr ends with: {quoted}"


_INTERNAL = tuple(os.sep + name + os.sep for name in ("godel", "anyio", "asyncio"))


def _caller_location() -> str:
    """``file:line`` of the nearest calling frame outside godel, anyio and asyncio."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith("<") and not any(marker in filename for marker in _INTERNAL):
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return ""


def redact_also(env: Mapping[str, str]) -> None:
    """From now on the run's log and transcript also redact the secret-looking variables of
    ``env`` (``*_TOKEN``, ``*_API_KEY``...: ``godel.log.redact``), as they do those of godel's
    own environment: a command given ``env={"DEPLOY_TOKEN": ...}`` may echo it."""
    run = current_run()
    if run is None or run.redactor is None:
        return
    redactor = run.redactor.with_secrets(env)
    if redactor is not run.redactor:
        run.redactor = run.log.redactor = redactor
        if run.transcript is not None:
            run.transcript.redactor = redactor


def command_env(extra: Mapping[str, str] | None) -> dict[str, str] | None:
    """A command's environment: godel's own, then the configuration's ``env`` (as the run read
    it when it started), then ``extra`` (a call's ``env=``); None (inherit as is) when neither
    adds anything."""
    run = current_run()
    configured = run.command_env if run is not None else None
    if configured is None:
        # Outside a run. Within one the configuration is not read again: that took 60-100 us
        # of each command (the project root found again, the GODEL_* variables listed).
        from godel.config.load import load_config

        configured = load_config().config.env
    if not configured and not extra:
        return None
    return {**os.environ, **configured, **(extra or {})}
