"""Recorded I/O: ``print``, ``input``, ``sleep``, ``read_text``, ``write_text``.

Each works outside a workflow too (just without recording).
"""

from __future__ import annotations

import builtins
import errno
import hashlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any, Literal

import anyio

from godel.engine.context import current_frame, current_run
from godel.engine.record import effect, position
from godel.engine.sleep import recorded_sleep
from godel.log.events import Op
from godel.strict.privilege import privileged

__all__ = ["input", "print", "read_text", "sleep", "write_text"]

_warned_non_tty = False


def _stream_path() -> tuple[tuple[str, ...], list[str]]:
    frame = current_frame()
    return (frame.step_path if frame else ()), []


async def print(*values: Any, sep: str | None = " ", end: str | None = "\n") -> None:
    """Print to stdout and record the text (a replay prints it again, without recording).

    ``sep=None`` and ``end=None`` mean the defaults, as for the builtin it shadows.
    """
    sep = " " if sep is None else _checked_text("sep", sep)
    end = "\n" if end is None else _checked_text("end", end)
    text = sep.join(str(v) for v in values) + end
    live = False

    async def execute(_event: Any) -> dict[str, Any]:
        nonlocal live
        live = True
        run = current_run()
        if run is not None and run.transcript is not None:
            step_path, stream_path = _stream_path()
            run.transcript.write(
                "print", step_path=step_path, stream_path=stream_path, text=text.rstrip("\n")
            )
        sys.stdout.write(text)
        sys.stdout.flush()
        return {}

    pos = position(Op.PRINT)
    await effect(Op.PRINT, {"text": text}, execute, pos=pos)
    if not live and pos is not None and pos.cached is not None:
        shown = _replayed_text(pos.cached.request, pos.cached.request_hash, text)
        if shown:
            sys.stdout.write(shown)
            sys.stdout.flush()


def _replayed_text(recorded: dict[str, Any], recorded_hash: str, text: str) -> str:
    """What a replayed print shows: ``text``; nothing if the log holds it redacted (a secret
    is not shown again); the recorded text if the code changed it (``--on-mismatch continue``
    replays the recorded print)."""
    was = recorded.get("text")
    if was == text:
        return text
    from godel.log.events import compute_request_hash

    if recorded_hash == compute_request_hash({"text": text}):
        return ""
    return was if isinstance(was, str) else ""


def _checked_text(name: str, value: Any) -> str:
    if not isinstance(value, str):  # the builtin's message
        raise TypeError(f"{name} must be None or a string, not {type(value).__name__}")
    return value


def _auto_checkpoint() -> str:
    run = current_run()
    mode = (run.auto_checkpoint if run is not None else "") or os.environ.get(
        "GODEL_AUTO_CHECKPOINT", ""
    )
    return mode.strip()


def _warn_non_tty(mode: str) -> None:
    global _warned_non_tty
    if _warned_non_tty or mode or sys.stdin is None or sys.stdin.isatty():
        return
    _warned_non_tty = True
    builtins.print(
        "[godel] warning: godel.input called but stdin is not a TTY. To script checkpoint answers, pipe "
        "answers or set GODEL_AUTO_CHECKPOINT=<mode> (e.g. pipe, file, fifo) to suppress this warning.",
        file=sys.stderr,
    )


async def input(prompt: str = "", *, schema: Any = None) -> Any:
    """Read one line from stdin (a checkpoint); the answer is recorded and replayed on resume.

    With ``schema`` (a pydantic model class) the line is parsed and validated, and a model
    instance is returned (``godel.engine.answers``: a JSON object, or a one-field model's bare
    value). An invalid answer is explained and asked again on a terminal; otherwise it raises
    ``SchemaValidationFailure`` (a ``WorkflowFail``). The validated value is recorded as JSON and
    a replay rebuilds the instance from it.
    """
    prompt = str(prompt)  # as the builtin shows it
    mode = _auto_checkpoint()
    request: dict[str, Any] = {"prompt": prompt}
    if schema is not None:
        from godel.agents.schema import check_schema, json_schema

        check_schema(schema)
        request["schema_name"] = schema.__name__
        request["schema"] = json_schema(schema)
    if mode:
        request["auto_checkpoint"] = mode  # recorded, but not part of the request hash

    async def execute(_event: Any) -> dict[str, Any]:
        _warn_non_tty(mode)
        while True:
            if prompt:
                sys.stdout.write(prompt)
                sys.stdout.flush()
            line = await _read_line() if sys.stdin else ""
            response: dict[str, Any] = {"value": line[:-1] if line.endswith("\n") else line}
            if not line:
                response["eof"] = True
            if schema is None:
                return response
            parsed, errors = _validated(schema, response["value"])
            if parsed is not None:
                response["parsed"] = parsed.model_dump(mode="json")
                return response
            if line and sys.stdin is not None and sys.stdin.isatty():
                builtins.print(
                    f"[godel] that answer does not match {schema.__name__}: {'; '.join(errors)}; "
                    "try again",
                    file=sys.stderr,
                )
                continue
            raise _invalid_answer(schema, response["value"], errors)

    response = await effect(Op.INPUT, request, execute)
    if schema is None:
        return str(response.get("value", ""))
    if "parsed" in response:
        return schema.model_validate(response["parsed"])
    # Recorded without a schema (an --on-mismatch continue): validate the recorded line.
    parsed, errors = _validated(schema, str(response.get("value", "")))
    if parsed is None:
        raise _invalid_answer(schema, str(response.get("value", "")), errors)
    return parsed


# How often a run waiting at a prompt looks for a pause request (seconds).
PAUSE_POLL = 0.05


async def _read_line() -> str:
    """One line of stdin; a ``godel pause`` while the run waits here pauses the run at the prompt.

    The input event is then left PAUSED (``godel.engine.record``): the answer never came, so a
    resume asks again, and ``godel repair`` can answer it (``answer_input``). The line is read
    in a daemon thread: a worker thread blocked in ``readline`` would keep a paused run's
    process alive until stdin closed (a terminal user would have to press Enter to get the
    prompt back).
    """
    run = current_run()
    check = run.pause_check if run is not None else None
    if check is None:
        return await anyio.to_thread.run_sync(sys.stdin.readline, abandon_on_cancel=True)
    import threading

    got: list[str] = []
    failed: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            got.append(sys.stdin.readline())
        except BaseException as exc:  # handed to the run, not lost in the thread
            failed.append(exc)
        finally:
            done.set()

    threading.Thread(target=read, name="godel-input", daemon=True).start()
    while not done.is_set():
        await anyio.sleep(PAUSE_POLL)
        check()  # PauseSignal: the run pauses at the prompt
    if failed:
        raise failed[0]
    return got[0] if got else ""


def _validated(schema: Any, value: str) -> tuple[Any, list[str]]:
    from godel.engine.answers import parse_answer

    return parse_answer(schema, value)


def _invalid_answer(schema: Any, value: str, errors: list[str]) -> Exception:
    from godel.exceptions import SchemaValidationFailure

    frame = current_frame()
    return SchemaValidationFailure(
        f"godel.input: the answer {value!r} does not match {schema.__name__}: "
        + "; ".join(errors[:5]),
        schema_name=schema.__name__,
        raw=value,
        validation_errors=errors,
        step_path=frame.step_path if frame is not None else (),
        remediation_hint="answer with a JSON object of the model's fields (a model with one field "
        "also takes its bare value)",
    )


async def sleep(seconds: float) -> None:
    """Sleep ``seconds``, recorded (a replay of a finished sleep does not wait)."""
    if current_run() is None:
        from godel.engine.sleep import check_seconds

        await anyio.sleep(check_seconds(seconds, "godel.sleep"))
        return
    await recorded_sleep(Op.SLEEP, seconds, "godel.sleep")


def _abs(path: str | os.PathLike[str]) -> Path:
    try:
        return Path(path).expanduser().resolve(strict=False)
    except RuntimeError as exc:  # symlink loop
        raise OSError(f"cannot resolve {path!r}: {exc}") from exc


REPLAY_MODES = ("file", "reread")


async def read_text(
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    replay: Literal["file", "reread"] = "file",
) -> str:
    """Read a text file; the full content is recorded.

    ``replay`` says what a resumed run gets: ``"file"`` (default) the recorded content, exactly
    what the run read; ``"reread"`` the file as it is now, read again (and recorded again).
    The mode is recorded but not part of the request hash: changing it is not a mismatch.
    """
    if replay not in REPLAY_MODES:
        raise ValueError(f"godel.read_text replay= must be 'file' or 'reread', got {replay!r}")
    target = _abs(path)

    async def execute(_event: Any) -> dict[str, Any]:
        def read() -> bytes:
            with privileged():
                return target.read_bytes()

        data = await anyio.to_thread.run_sync(read)
        try:
            content = data.decode(encoding)
        except UnicodeDecodeError as exc:  # say which file: the run's error is one line
            raise UnicodeDecodeError(
                exc.encoding,
                exc.object,
                exc.start,
                exc.end,
                f"{exc.reason} (reading {target}: not {encoding} text; pass encoding=)",
            ) from None
        return {
            "content": content,
            "bytes_read": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }

    pos = position(Op.READ_TEXT)
    if replay == "reread" and pos is not None:
        pos.cached = None  # read again: a new event at the same identity supersedes the old one
    request = {"path": str(target), "encoding": encoding, "replay": replay}
    response = await effect(Op.READ_TEXT, request, execute, pos=pos)
    return str(response["content"])


def write_atomic(target: Path, data: bytes) -> None:
    """Write via a temp file in the same directory: fsync, rename over the target, fsync the dir.

    An existing file keeps its permission bits; a new one gets the usual umask-based mode. A file
    this process may not write (read-only, for a user other than root) is refused with the
    ``PermissionError`` that ``open(target, "w")`` gives.
    A symlink is followed (its target is replaced, not the link). A FIFO or a device
    (``/dev/null``) is written into: a rename would replace it with a regular file.
    """
    with privileged():
        if target.is_symlink():
            target = target.resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            st = target.stat()
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        else:
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
            if not stat.S_ISREG(st.st_mode):
                with open(target, "wb") as fh:
                    fh.write(data)
                return
            if not os.access(target, os.W_OK, effective_ids=os.access in os.supports_effective_ids):
                # A rename would replace a file that open() may not write: refuse as open() does.
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))
            mode = st.st_mode & 0o7777
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


async def write_text(
    path: str | os.PathLike[str], content: str, *, encoding: str = "utf-8"
) -> None:
    """Write a text file atomically (temp file, fsync, rename); the full content is recorded."""
    if not isinstance(content, str):
        raise TypeError(f"godel.write_text content must be str, got {type(content).__name__}")
    target = _abs(path)
    data = content.encode(encoding)

    async def execute(_event: Any) -> dict[str, Any]:
        await anyio.to_thread.run_sync(write_atomic, target, data)
        return {
            "path": str(target),
            "bytes_written": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }

    await effect(
        Op.WRITE_TEXT,
        {"path": str(target), "content": content, "encoding": encoding},
        execute,
        side_effect=True,
    )
