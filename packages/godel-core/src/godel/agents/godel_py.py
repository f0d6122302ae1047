"""Agent calls that godel-py 3.x recorded, answered from its log when godel resumes the run.

godel-py wrote an agent call's request as ``{model, prompt, has_schema, schema_name,
session_id}`` and its answer as ``{type, value, session_id}``, the value being the ``repr`` of
the answer; the CLI process it ran came right after, as a ``run`` of the same step. godel
records a call its own way, so a resume of such a log compared two different requests, and
the call was either refused as changed or, before its event was found at all, asked again and
paid for twice. A call is the one godel-py recorded when the fields godel-py kept are the same
(the prompt, the model, whether there is a schema and its name); a text answer is given back
exactly. A structured answer (a pydantic model's ``repr``) cannot be read back: such a call is
left to the mismatch policy, which stops the resume by default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from godel.log.events import EventStatus, Op

if TYPE_CHECKING:
    from godel.engine.record import Position
    from godel.log.events import Event

# The CLIs godel-py's agents ran, as the first word of the ``run`` it recorded after a call.
_AGENT_CLIS = frozenset({"claude", "copilot"})


def recorded_by_godel_py(cached: Event) -> bool:
    """Whether ``cached`` is an agent call in godel-py 3.x's form."""
    request = cached.request
    return isinstance(request, dict) and "has_schema" in request and "backend" not in request


def godel_py_answer(cached: Event, request: dict[str, Any], schema: Any) -> dict[str, Any] | None:
    """The answer to give back for ``request`` when ``cached``, a FINISHED agent call that
    godel-py 3.x recorded, is the same call with a text answer; None otherwise."""
    recorded = cached.request
    if cached.status is not EventStatus.FINISHED or schema is not None:
        return None
    if recorded.get("has_schema") or recorded.get("schema_name") is not None:
        return None
    if recorded.get("prompt") != request.get("prompt") or recorded.get("model") != request.get(
        "model"
    ):
        return None
    return _text_answer(cached)


def godel_py_response(pos: Position, cached: Event) -> dict[str, Any]:
    """The recorded text answer of ``cached`` (a godel-py 3.x agent call) for a resume that
    keeps it although the call changed (``--on-mismatch continue``); a structured answer, a
    model's ``repr``, cannot be read back: ``ResumeError``."""
    answer = _text_answer(cached)
    if answer is not None:
        return answer
    from godel.exceptions import ResumeError

    where = "/".join(cached.step_path) or "(root)"
    raise ResumeError(
        f"agent.call at {where} (event {cached.event_id}): godel-py recorded its answer as "
        "Python text godel cannot read back, so it cannot be kept",
        step_path=cached.step_path,
        remediation_hint=f"ask it again: godel resume {pos.run.run_id} --on-mismatch invalidate",
    )


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
    if following is None or not isinstance(following.request, dict):
        return
    cmd = following.request.get("cmd")
    if isinstance(cmd, list) and cmd and str(cmd[0]).rpartition("/")[2] in _AGENT_CLIS:
        frame.next_local()


def _literal_text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    import ast

    try:
        text = ast.literal_eval(value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return text if isinstance(text, str) else None
