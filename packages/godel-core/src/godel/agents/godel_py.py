"""Agent calls that godel-py 3.x recorded, answered from its log when godel resumes the run.

godel-py wrote an agent call's request as ``{model, prompt, has_schema, schema_name,
session_id}`` and its answer as ``{type, value, session_id}``, the value being the ``repr`` of
the answer; the CLI process it ran came right after, as a ``run`` of the same step. godel
records a call its own way, so a resume of such a log compared two different requests, and
the call was either refused as changed or, before its event was found at all, asked again and
paid for twice. A call is the one godel-py recorded when the fields godel-py kept are the same
(the prompt, the model, whether there is a schema and its name). The answer is given back when
its ``repr`` reads back whole: a text, or a pydantic model made of literals and other models
(``Verdict(ok=True, reasons=['small'])``). Anything else (a cut ``repr``, a ``datetime`` in a
model) is left to the mismatch policy, which stops the resume by default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from godel.log.events import EventStatus, Op

if TYPE_CHECKING:
    from godel.engine.record import Position
    from godel.log.events import Event

# The CLIs godel-py's agents ran, as the first word of the ``run`` it recorded after a call.
_AGENT_CLIS = frozenset({"claude", "copilot"})
_KEPT = 500  # characters of a prompt and of an answer's repr godel-py kept
# How godel-py's second call began when an answer did not parse as the schema asked.
_EXTRACTION = "Extract the following information from this text"


def recorded_by_godel_py(cached: Event) -> bool:
    """Whether ``cached`` is an agent call in godel-py 3.x's form."""
    request = cached.request
    return isinstance(request, dict) and "has_schema" in request and "backend" not in request


def godel_py_answer(cached: Event, request: dict[str, Any], schema: Any) -> dict[str, Any] | None:
    """The answer to give back for ``request`` when ``cached``, a FINISHED agent call that
    godel-py 3.x recorded, is the same call and its answer can be read back whole; else None.

    godel-py kept the first 500 characters of the prompt, with the system prompt before it on
    a session's first call, and of the answer's ``repr``: a cut ``repr`` does not parse, so a
    long answer is never given back cut."""
    if cached.status is not EventStatus.FINISHED or not same_godel_py_call(cached, request, schema):
        return None
    return _answer(cached, schema)


def same_godel_py_call(cached: Event, request: dict[str, Any], schema: Any) -> bool:
    """Whether ``request`` (with ``schema``) is the call godel-py 3.x recorded in ``cached``, as
    far as what it kept tells: the prompt, the model, whether there is a schema and its name."""
    recorded = cached.request
    if bool(recorded.get("has_schema")) != (schema is not None):
        return False
    if schema is not None and recorded.get("schema_name") != getattr(schema, "__name__", None):
        return False
    if _model(recorded.get("model")) != _model(request.get("model")):
        return False
    return recorded.get("prompt") in _prompts_sent(request)


def godel_py_response(pos: Position, cached: Event, schema: Any) -> dict[str, Any]:
    """The recorded answer of ``cached`` (a godel-py 3.x agent call) for a resume that keeps it
    although the call changed (``--on-mismatch continue``); ``ResumeError`` when it does not
    read back whole."""
    answer = _answer(cached, schema)
    if answer is not None:
        return answer
    from godel.exceptions import ResumeError

    where = "/".join(cached.step_path) or "(root)"
    raise ResumeError(
        f"agent.call at {where} (event {cached.event_id}): godel-py recorded its answer as "
        "Python text that does not read back whole as the answer asked for, so it cannot be kept",
        step_path=cached.step_path,
        remediation_hint=f"ask it again: godel resume {pos.run.run_id} --on-mismatch invalidate",
    )


def _model(name: Any) -> Any:
    # godel-py wrote "default" for copilot's own default model, which godel records as None.
    return None if name == "default" else name


def _prompts_sent(request: dict[str, Any]) -> tuple[str, ...]:
    prompt = str(request.get("prompt") or "")
    system = request.get("system_prompt")
    if not system:
        return (prompt[:_KEPT],)
    return (prompt[:_KEPT], f"{system}\n\n{prompt}"[:_KEPT])


def _answer(cached: Event, schema: Any) -> dict[str, Any] | None:
    """The recorded answer as godel's agents return it, when it reads back whole."""
    return _text_answer(cached) if schema is None else _structured_answer(cached, schema)


def _structured_answer(cached: Event, schema: Any) -> dict[str, Any] | None:
    response = cached.response
    if not isinstance(response, dict) or response.get("type") != "structured":
        return None
    fields = _model_fields(response.get("value"), schema.__name__)
    if fields is None:
        return None
    try:
        schema.model_validate(fields)
    except Exception:  # what the repr held is not this model now
        return None
    return {"value": fields, "session_id": response.get("session_id")}


def _model_fields(text: Any, name: str) -> dict[str, Any] | None:
    """``{"ok": True}`` from the ``repr`` of a pydantic model, ``Verdict(ok=True)``; None when it
    is not made of literals and nested models only (a ``datetime``'s repr, a cut one)."""
    if not isinstance(text, str):
        return None
    import ast

    try:
        node = ast.parse(text, mode="eval").body
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            return None
        if node.func.id != name:
            return None
        return _call_fields(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _call_fields(node: Any) -> dict[str, Any]:
    import ast

    if node.args or any(keyword.arg is None for keyword in node.keywords):
        raise ValueError("not a model's repr")
    fields = {}
    for keyword in node.keywords:
        value = keyword.value
        nested = isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
        fields[keyword.arg] = _call_fields(value) if nested else ast.literal_eval(value)
    return fields


def _text_answer(cached: Event) -> dict[str, Any] | None:
    response = cached.response
    if not isinstance(response, dict) or response.get("type") != "text":
        return None
    text = _literal_text(response.get("value"))
    if text is None:
        return None
    return {"text": text, "session_id": response.get("session_id")}


def skip_its_process(pos: Position) -> None:
    """Claim the position of the ``run`` godel-py recorded for the call's CLI process, right
    after the call: the step's next effect then meets its own recording, not that one."""
    from godel.engine.context import lookup

    frame, run = pos.frame, pos.run
    if not run.cache:
        return
    following = lookup(run, frame.op_key(Op.RUN, frame.upcoming_local()))
    if _agent_cli(following):
        frame.next_local()
        # An answer that did not parse as the schema asked made godel-py ask again, to extract
        # it: that call's process came next.
        extraction = lookup(run, frame.op_key(Op.RUN, frame.upcoming_local()))
        if _agent_cli(extraction) and any(
            str(arg).startswith(_EXTRACTION) for arg in extraction.request["cmd"]
        ):
            frame.next_local()


def _agent_cli(event: Event | None) -> bool:
    """Whether ``event`` is a ``run`` of an agent's CLI."""
    if event is None or not isinstance(event.request, dict):
        return False
    cmd = event.request.get("cmd")
    return isinstance(cmd, list) and bool(cmd) and str(cmd[0]).rpartition("/")[2] in _AGENT_CLIS


def _literal_text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    import ast

    try:
        text = ast.literal_eval(value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return text if isinstance(text, str) else None
