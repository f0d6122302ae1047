"""The agent base: what every backend (claude, copilot, third parties) builds on.

A backend says how to run its CLI (``command``) and how to read its output (a registered
stream parser that emits an ``agent.result`` record). The base does the rest:

- one ``agent.call`` event per call, linked to its step, with the full request (backend,
  model, prompt, system prompt, schema name and JSON schema, tools, session) and the full
  answer (text or structured value, session id, usage and cost, duration);
- lossless replay: a resumed run gets the recorded answer and session back, the CLI is not run;
- sessions chosen by godel and journaled before the CLI starts (``godel.agents.sessions``):
  continue, recover after a crash, fork after a rewind;
- structured answers validated with pydantic, with one repair turn in the same session;
- refusals, context overflow, model errors, a per-call timeout and a stall watchdog, each a
  clear exception;
- the live transcript of what the agent streams.

Writing a backend: see docs/plugins.md ("Writing an agent backend").
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from godel.agents.call import AgentCall, AgentResult, from_record
from godel.agents.sessions import SessionPlan, plan_live, plan_recovery, session_fields
from godel.engine.context import current_frame, current_run
from godel.engine.record import SPENT_ATTR
from godel.log.events import EventStatus, Op
from godel.strict.privilege import privileged

if TYPE_CHECKING:
    from godel.agents.invoke import Invocation
    from godel.engine.record import Position
    from godel.parsers.base import StreamParser

__all__ = ["DEFAULT_STALL_TIMEOUT", "Agent"]

DEFAULT_STALL_TIMEOUT = 600.0
"""Seconds without any output line after which an agent CLI is considered hung (``stall_timeout=``)."""

_OVERFLOW = re.compile(
    r"prompt is too long|context window|context length|token limit|max_tokens exceeded|maximum context"
    r"|conversation is too long|input is too long",
    re.IGNORECASE,
)

_RECOVERY_NOTE = (
    "(Your previous attempt at this request was interrupted or failed before it finished; "
    "this session may already hold part of your work on it. Continue from where you "
    "stopped and complete it.)\n\n"
)


class Agent:
    """Base class of agent backends: ``await agent(prompt, schema=None)`` returns ``str`` or a model.

    Constructor options shared by every backend:

    ``model``: model name or alias (``model_aliases``); ``cwd``: the directory the CLI works
    in; ``tools``: tool names the agent may use (None: the CLI's default); ``skip_permissions``:
    run tools without asking; ``system_prompt``: instructions for the whole session;
    ``session_id``: continue an existing CLI session; ``timeout``: seconds per call;
    ``stall_timeout``: seconds without output before the CLI is ended; ``env``: extra
    environment for the CLI; ``executable``: the CLI program; ``extra_args``: more arguments for
    every invocation; ``idempotent``: a call that was in flight when the run stopped may simply
    run again on resume.

    ``model``, ``executable`` and ``extra_args`` default to the configuration's
    ``agents.<name>`` section (``godel.config``; ``config_names`` lists the names looked up), so
    a team pins its models and CLI paths once; ``extra_args`` given here come after those.

    Agents are values: pass them around, store them. One agent is one conversation; calls on
    the same agent run one at a time, in the order they are made.
    """

    backend: ClassVar[str] = ""
    """Name recorded in each ``agent.call`` request."""
    parser: ClassVar[str | type] = "jsonl"
    """The stream parser: a name registered through the parser hook, or a class."""
    executable: str = ""
    model_aliases: ClassVar[Mapping[str, str]] = {}
    default_model: ClassVar[str | None] = None
    native_schema: ClassVar[bool] = False
    """True when the CLI enforces a JSON schema itself (the base passes ``AgentCall.schema``)."""
    system_prompt_flag: ClassVar[bool] = False
    """True when the CLI takes a system prompt on every invocation; else the base prepends it once."""
    can_fork: ClassVar[bool] = False
    """True when ``command`` supports ``session_mode="fork"``."""
    config_names: ClassVar[tuple[str, ...]] = ()
    """Names of this backend's ``agents.<name>`` configuration section (default: ``backend``)."""
    prices: ClassVar[Mapping[str, Mapping[str, float]]] = {}
    """USD per million tokens per model (``{"model": {"input": ..., "output": ..., "cache_read":
    ..., "cache_write": ...}}``), to estimate the cost of calls the CLI reports no cost for; the
    configuration's ``prices`` key wins (``godel.cost.prices``)."""

    def __init__(
        self,
        model: str | None = None,
        *,
        cwd: str | os.PathLike[str] | None = None,
        tools: Sequence[str] | None = None,
        skip_permissions: bool = False,
        system_prompt: str | None = None,
        session_id: str | None = None,
        timeout: float | None = None,
        stall_timeout: float | None = DEFAULT_STALL_TIMEOUT,
        env: Mapping[str, str] | None = None,
        executable: str | None = None,
        extra_args: Sequence[str] | None = None,
        idempotent: bool = False,
    ) -> None:
        if isinstance(tools, str):
            raise TypeError("tools= takes a list of tool names, not a string")
        _check_seconds("timeout", timeout)
        _check_seconds("stall_timeout", stall_timeout)
        if isinstance(extra_args, str):
            raise TypeError("extra_args= takes a list of arguments, not a string")
        # Checked here, not when the CLI is started: a wrong type would fail there as a bare
        # TypeError from deep inside subprocess.
        for name, values in (("tools", tools), ("extra_args", extra_args)):
            bad = [v for v in values or () if not isinstance(v, str)]
            if bad:
                raise TypeError(f"{name}= takes a list of strings, got {bad[0]!r}")
        bad_env = [
            (k, v)
            for k, v in (env or {}).items()
            if not isinstance(k, str) or not isinstance(v, str)
        ]
        if bad_env:
            raise TypeError("env= takes str names and values, got {!r}: {!r}".format(*bad_env[0]))
        defaults = self.configured()
        self.model = model or defaults.get("model") or self.default_model
        self.cwd = os.path.abspath(os.fspath(cwd)) if cwd is not None else None
        self.tools = tuple(tools) if tools is not None else None
        self.skip_permissions = skip_permissions
        self.system_prompt = (system_prompt or "").strip() or None
        self.session_id = (session_id or "").strip() or None
        self.timeout = timeout
        self.stall_timeout = stall_timeout
        self.env = dict(env) if env else {}
        if executable or defaults.get("executable"):
            self.executable = executable or defaults["executable"]
        self.extra_args = [*defaults.get("extra_args", ()), *(extra_args or ())]
        self.idempotent = idempotent
        self._turn = 0
        self._cursor: str | None = None
        self._lock: Any = None

    @classmethod
    def configured(cls) -> dict[str, Any]:
        """This backend's ``agents.<name>`` defaults from the configuration (first name found)."""
        from godel.config.load import load_config

        loaded = load_config()
        for name in cls.config_names or (cls.backend,):
            if name in loaded.config.agents:
                # Checked by the backend's own model when its plugin registered one.
                value = loaded.section(f"agents.{name}")
                return dict(value.model_dump() if hasattr(value, "model_dump") else value)
        return {}

    # what a backend provides ---------------------------------------------------------------------
    def command(self, call: AgentCall) -> list[str]:
        """The argv that runs one invocation (the prompt included, unless ``stdin`` sends it)."""
        raise NotImplementedError(f"{type(self).__name__} must implement command()")

    def stdin(self, call: AgentCall) -> str | None:
        """Text to feed the CLI on stdin (None: stdin is /dev/null)."""
        return None

    def extract_result(self, inv: Invocation) -> AgentResult | None:
        """The invocation's result: by default from the parser's last ``agent.result`` record."""
        for rec in reversed(inv.records):
            if rec.get("op") == "agent.result":
                return from_record(rec)
        return None

    def is_context_overflow(self, message: str) -> bool:
        """Whether an error message says the conversation no longer fits the model's context."""
        return bool(_OVERFLOW.search(message))

    def session_missing(self, inv: Invocation) -> bool:
        """Whether the CLI failed because the session it was told to resume does not exist."""
        return False

    def resolve_model(self) -> str | None:
        """The model id passed to the CLI (aliases resolved)."""
        return self.model_aliases.get(self.model, self.model) if self.model else None

    # the call -----------------------------------------------------------------------------------
    async def __call__(
        self,
        prompt: str,
        *,
        schema: Any = None,
        timeout: float | None = None,
        assume_idempotent: bool = False,
    ) -> Any:
        """Ask the agent. Returns the answer text, or an instance of ``schema`` (a pydantic model).

        ``assume_idempotent=True``: if this call was in flight when the run stopped, a resume
        may ask it again (in its session) instead of stopping with ``UnsafeResumeError``.
        """
        if not isinstance(prompt, str) or not prompt.strip():
            raise ValueError(f"{self._name()}: the prompt must be a non-empty string")
        if schema is not None:
            from godel.agents.schema import check_schema

            check_schema(schema)
        _check_seconds("timeout", timeout)
        async with self._call_lock():
            return await self._call(prompt, schema, timeout or self.timeout, assume_idempotent)

    def _call_lock(self) -> Any:
        import anyio

        if self._lock is None:
            self._lock = anyio.Lock()
        return self._lock

    async def _call(
        self, prompt: str, schema: Any, timeout: float | None, assume_idempotent: bool
    ) -> Any:
        from godel.agents.godel_py import (
            godel_py_answer,
            godel_py_response,
            recorded_by_godel_py,
            same_godel_py_call,
            skip_its_process,
        )
        from godel.engine.record import cached_response, effect, position, replayed_failure
        from godel.replay.failures import in_flight

        if self.env:
            from godel.process.run import redact_also

            redact_also(self.env)  # the CLI may echo them into its answer or the transcript
        request = self._request(prompt, schema)
        pos = position(Op.AGENT_CALL)
        source = self._idempotency_source(pos, assume_idempotent)
        if source:
            request["assumed_idempotent_source"] = source
        prior = None
        if pos is not None and pos.cached is not None:
            cached = pos.cached
            legacy = recorded_by_godel_py(cached)  # a run godel-py 3.x wrote
            if legacy and (answer := godel_py_answer(cached, request, schema)) is not None:
                skip_its_process(pos)
                return self._adopt(request, answer, schema)
            if legacy and not source and in_flight(cached):
                if same_godel_py_call(cached, request, schema):
                    raise self._unsafe(pos, cached)  # as for a call of godel's own in flight
            if cached.status is EventStatus.FINISHED:
                hit = cached_response(
                    pos, Op.AGENT_CALL, {**request, **session_fields(cached.request)}
                )
                if hit is not None:
                    if legacy:  # kept as recorded (--on-mismatch continue)
                        skip_its_process(pos)
                        return self._adopt(request, godel_py_response(pos, hit, schema), schema)
                    if pos.run.costs is not None:
                        pos.run.costs.replay(hit)  # saved, not spent again
                    return self._adopt(hit.request, hit.response or {}, schema)
            elif self._same_call(cached, request):
                failure = replayed_failure(pos)
                if failure is not None:
                    raise failure  # a failure the run handled: not asked again
                if not source and in_flight(cached):
                    # Never ended, or interrupted (a signal, a cancelled parallel sibling): the
                    # CLI may have done part of the work.
                    raise self._unsafe(pos, cached)
                prior = cached  # in flight or failed: run it again in its session
            elif cached.status is EventStatus.FAILED:
                # A handled failure asked for differently: the mismatch policy decides, as for
                # a recorded answer (abort stops, continue raises it again, invalidate asks).
                from godel.log.events import compute_request_hash

                asked = compute_request_hash({**request, **session_fields(cached.request)})
                failure = replayed_failure(pos, asked, op=Op.AGENT_CALL, request=request)
                if failure is not None:
                    raise failure
            # Decided here: effect() must neither replay it nor refuse the in-flight event.
            pos.cached = None
        costs = pos.run.costs if pos is not None else None
        if costs is not None:
            costs.check(f"the call to {self._name()}", _step_path())  # the budget guard
        plan = self._plan(pos, prior)
        request.update(plan.fields())
        stream_path = self._stream_path()

        async def execute(_event: object) -> dict[str, Any]:
            return await self._execute(plan, request, schema, timeout, stream_path)

        try:
            if pos is None:
                response = await execute(None)
            else:
                response = await effect(
                    Op.AGENT_CALL,
                    request,
                    execute,
                    side_effect=True,
                    stream_path=stream_path,
                    pos=pos,
                )
        except Exception as exc:
            spent = getattr(exc, SPENT_ATTR, None)
            if spent is not None:
                # On the agent.call's FAILED event only: the steps it fails on the way up are
                # not calls, and must not carry (or be read as) its figures.
                delattr(exc, SPENT_ATTR)
                if costs is not None and spent:
                    costs.spend(spent, self._name())  # a failed call was paid for all the same
            raise
        if costs is not None:
            costs.spend(response, self._name())
        return self._adopt(request, response, schema)

    def _request(self, prompt: str, schema: Any) -> dict[str, Any]:
        request: dict[str, Any] = {
            "backend": self.backend or type(self).__name__,
            "model": self.model,
            "prompt": prompt,
            "system_prompt": self.system_prompt,
            "schema_name": schema.__name__ if schema is not None else None,
            "schema": None,
            "tools": list(self.tools) if self.tools is not None else None,
            "skip_permissions": self.skip_permissions,
            "cwd": self.cwd,
        }
        if schema is not None:
            from godel.agents.schema import json_schema

            request["schema"] = json_schema(schema)
        if self.idempotent:
            request["idempotent"] = True
        return request

    def _idempotency_source(self, pos: Position | None, assume_idempotent: bool) -> str:
        """Why this call may run again if it was in flight when the run stopped ("" if not);
        recorded in its request as ``assumed_idempotent_source``."""
        from godel.replay.policy import step_is_idempotent

        if assume_idempotent:
            return "assume_idempotent_kwarg"
        if self.idempotent:
            return "idempotent_kwarg"
        if pos is None:
            return ""
        if step_is_idempotent(pos):
            return "step_idempotent"
        policy = pos.run.policy
        return "resume_flag" if policy is not None and policy.assume_idempotent else ""

    def _unsafe(self, pos: Position, cached: Any) -> Exception:
        from godel.exceptions import UnsafeResumeError
        from godel.replay.policy import in_flight_message

        # The CLI may have done part of the work (edited files, spent tokens): asking again is
        # the user's call, as for a command in flight.
        return UnsafeResumeError(
            in_flight_message("agent.call", cached),
            event_id=cached.event_id,
            cmd=self._name(),
            run_id=pos.run.run_id,
            op="agent.call",
            step_path=cached.step_path,
        )

    @staticmethod
    def _same_call(cached: Any, request: dict[str, Any]) -> bool:
        # By hash: the recorded request may be redacted on disk; its hash is of the original.
        from godel.log.events import compute_request_hash

        return bool(cached.request_hash) and cached.request_hash == compute_request_hash(
            {**request, **session_fields(cached.request)}
        )

    def _plan(self, pos: Position | None, prior: Any) -> SessionPlan:
        if prior is not None:
            return plan_recovery(prior, self._cursor)
        log = pos.run.log if pos is not None else None
        plan = plan_live(log, self.session_id, self._turn, self._cursor, can_fork=self.can_fork)
        if plan.note:
            print(f"[godel] warning: {self._name()}: {plan.note}", file=sys.stderr)
        return plan

    def _adopt(self, request: dict[str, Any], response: dict[str, Any], schema: Any) -> Any:
        """Take over the session state of a finished (or replayed) call and return its answer."""
        self.session_id = response.get("session_id") or request.get("session_id") or self.session_id
        self._turn = int(request.get("turn", self._turn)) + 1
        self._cursor = response.get("cursor") or None
        if schema is None:
            return response.get("text", "")
        return schema.model_validate(response.get("value"))

    @staticmethod
    def _stream_path() -> list[str]:
        from godel.log.ids import new_id
        from godel.process.run import stream_parent

        return [*stream_parent.get(), new_id()]

    # running it -----------------------------------------------------------------------------
    async def _execute(
        self,
        plan: SessionPlan,
        request: dict[str, Any],
        schema: Any,
        timeout: float | None,
        stream_path: list[str],
    ) -> dict[str, Any]:
        from godel.agents import schema as schemas

        prompt = request["prompt"]
        if schema is not None and not self.native_schema:
            prompt += schemas.instructions(schema)
        first = self._first_call(plan, prompt, request)
        results: list[AgentResult] = []
        try:
            result, inv = await self._invoke_for(plan, first, timeout, stream_path, results)
            value = None
            if schema is not None:
                value, errors = schemas.coerce(schema, result.structured, result.text)
                if errors:
                    fix = schemas.repair_prompt(errors, native=self.native_schema)
                    call = self._call_spec(
                        fix,
                        result.session_id or first.session_id,
                        "resume",
                        request,
                        cursor=result.cursor or self._cursor,
                    )
                    result, inv = await self._invoke(call, timeout, stream_path, results)
                    value, errors = schemas.coerce(schema, result.structured, result.text)
                    if errors:
                        raise self._schema_failure(schema, result, errors)
        except Exception as exc:
            # The invocations that answered were paid for: their usage and cost go on the
            # FAILED event (godel.engine.record.failure_fields), for the ledger and the budget.
            spent = self._spent(results, results[-1].model if results else None)
            if spent:
                setattr(exc, SPENT_ATTR, spent)
            raise
        return self._response(result, results, value, inv, first.session_id)

    def _first_call(self, plan: SessionPlan, prompt: str, request: dict[str, Any]) -> AgentCall:
        if plan.recover:
            # Continue the session the interrupted call had started, if the CLI had saved it.
            return self._call_spec(_RECOVERY_NOTE + prompt, plan.session_id, "resume", request)
        if not self.system_prompt_flag and self.system_prompt and plan.mode == "new":
            prompt = f"{self.system_prompt}\n\n{prompt}"
        return self._call_spec(
            prompt,
            plan.session_id,
            plan.mode,
            request,
            fork_of=plan.fork_of,
            resume_at=plan.resume_at,
        )

    def _call_spec(
        self,
        prompt: str,
        session_id: str,
        mode: Any,
        request: dict[str, Any],
        *,
        fork_of: str | None = None,
        resume_at: str | None = None,
        cursor: str | None = None,
    ) -> AgentCall:
        return AgentCall(
            prompt=prompt,
            model=self.resolve_model(),
            session_id=session_id,
            session_mode=mode,
            fork_of=fork_of,
            resume_at=resume_at,
            system_prompt=self.system_prompt if self.system_prompt_flag else None,
            schema=request["schema"] if self.native_schema else None,
            tools=self.tools,
            skip_permissions=self.skip_permissions,
            cwd=self.cwd,
            cursor=cursor or self._cursor,
        )

    async def _invoke_for(
        self,
        plan: SessionPlan,
        call: AgentCall,
        timeout: float | None,
        stream_path: list[str],
        results: list[AgentResult],
    ) -> tuple[AgentResult, Invocation]:
        if not plan.recover:
            return await self._invoke(call, timeout, stream_path, results)
        inv = await self._run(call, timeout, stream_path)
        if self.session_missing(inv):
            # The interrupted call never got as far as saving its session: start it as planned.
            prompt = call.prompt[len(_RECOVERY_NOTE) :]
            if not self.system_prompt_flag and self.system_prompt and plan.mode == "new":
                prompt = f"{self.system_prompt}\n\n{prompt}"
            call = AgentCall(
                **{
                    **call.__dict__,
                    "prompt": prompt,
                    "session_mode": plan.mode,
                    "fork_of": plan.fork_of,
                    "resume_at": plan.resume_at,
                }
            )
            inv = await self._run(call, timeout, stream_path)
        return self._check(call, inv, results, timeout), inv

    async def _invoke(
        self,
        call: AgentCall,
        timeout: float | None,
        stream_path: list[str],
        results: list[AgentResult],
    ) -> tuple[AgentResult, Invocation]:
        inv = await self._run(call, timeout, stream_path)
        return self._check(call, inv, results, timeout), inv

    async def _run(
        self, call: AgentCall, timeout: float | None, stream_path: list[str]
    ) -> Invocation:
        from godel.agents.invoke import run_cli
        from godel.exceptions import AgentError
        from godel.process.run import command_env

        with privileged():  # godel's machinery, not workflow code: a backend may write files
            argv, stdin = self.command(call), self.stdin(call)
        write = self._transcript_writer(stream_path)
        if write is not None:
            write(
                op="agent.prompt",
                backend=self.backend,
                model=call.model,
                prompt=call.prompt,
                session_id=call.session_id,
                session_mode=call.session_mode,
            )
        try:
            return await run_cli(
                argv,
                parser=self._new_parser(),
                env=command_env(self.env),
                cwd=call.cwd,
                stdin=stdin,
                timeout=timeout,
                stall_timeout=self.stall_timeout,
                write=write,
            )
        except OSError as exc:
            raise AgentError(
                f"{self._name()}: cannot start {argv[0]!r}: {exc.strerror or exc}",
                cmd=argv,
                backend=self.backend,
                model=call.model or "",
                session_id=call.session_id,
                step_path=_step_path(),
                remediation_hint=f"Install the {argv[0]} CLI and make sure it is on PATH "
                "(or pass executable= with its full path).",
            ) from exc

    def _check(
        self,
        call: AgentCall,
        inv: Invocation,
        results: list[AgentResult],
        timeout: float | None = None,
    ) -> AgentResult:
        """The invocation's result, or the exception that says why there is none."""
        from godel.exceptions import (
            AgentError,
            AgentRefusal,
            AgentStalled,
            AgentTimeout,
            ContextOverflowError,
        )

        common = dict(
            cmd=inv.argv,
            stdout=inv.stdout,
            stderr=inv.stderr,
            returncode=inv.returncode,
            backend=self.backend,
            model=call.model or "",
            session_id=call.session_id,
            step_path=_step_path(),
        )
        if inv.stalled:
            raise AgentStalled(
                f"{self._name()}: no output for {self.stall_timeout:g}s; ended the CLI",
                remediation_hint="Raise stall_timeout= if the agent legitimately works silently "
                "that long, or check the model server.",
                **common,
            )
        if inv.timed_out:
            raise AgentTimeout(
                f"{self._name()}: the call took longer than its timeout"
                + (f" ({timeout:g}s)" if timeout else "")
                + "; ended the CLI",
                remediation_hint="Raise timeout= or give the agent a smaller task.",
                **common,
            )
        result = self.extract_result(inv)
        if result is None:
            tail = _tail(inv.stderr) or _tail(inv.stdout) or "(no output)"
            raise AgentError(
                f"{self._name()}: the CLI exited (status {inv.returncode}) without a result: {tail}",
                remediation_hint="Run the command by hand to see what it says (its argv is in .cmd).",
                **common,
            )
        results.append(result)
        if result.is_error:
            message = result.error or result.text or "unknown error"
            if self.is_context_overflow(f"{message}\n{inv.stderr}"):
                raise ContextOverflowError(
                    f"{self._name()}: the conversation no longer fits the model's context: "
                    f"{_clip(message)}",
                    **common,
                )
            raise AgentError(
                f"{self._name()}: the model reported an error: {_clip(message)}", **common
            )
        if result.refusal:
            raise AgentRefusal(
                f"{self._name()}: the model refused the request: {_clip(result.text)}",
                model=call.model or "",
                refusal_reason=result.stop_reason or "refusal",
                step_path=_step_path(),
            )
        return result

    def _response(
        self,
        result: AgentResult,
        results: list[AgentResult],
        value: Any,
        inv: Invocation,
        session_id: str,
    ) -> dict[str, Any]:
        response: dict[str, Any] = {
            "text": result.text,
            "session_id": result.session_id or session_id,
            "usage": {},
            "cost_usd": None,
            "duration": inv.duration,
            "invocations": len(results),
        }
        response.update(self._spent(results, result.model))
        if value is not None:
            response["value"] = value.model_dump(mode="json")
        if result.cursor:
            response["cursor"] = result.cursor
        if result.stop_reason:
            response["stop_reason"] = result.stop_reason
        return response

    def _spent(self, results: list[AgentResult], answered_by: str | None) -> dict[str, Any]:
        """``usage`` and ``cost_usd`` summed over the invocations that answered ({} if none),
        the cost estimated from a price table when the CLI reported none."""
        if not results:
            return {}
        usage: dict[str, int] = {}
        cost = None
        for r in results:
            for k, v in (r.usage or {}).items():
                if isinstance(v, int):
                    usage[k] = usage.get(k, 0) + v
            if r.cost_usd is not None:
                cost = (cost or 0.0) + r.cost_usd
        out: dict[str, Any] = {"usage": usage, "cost_usd": cost}
        if cost is None and usage:
            out.update(self._estimate(usage, answered_by))
        return out

    def _estimate(self, usage: dict[str, int], answered_by: str | None) -> dict[str, Any]:
        """``cost_usd`` from a price table, marked ``cost_estimated`` ({} if no table prices
        the model): the configuration's ``prices`` first, then the plugin's own."""
        from godel.config.load import load_config
        from godel.cost.prices import lookup

        model = self.resolve_model() or answered_by
        found = lookup(model, load_config().config.prices, self.prices)
        if found is None:
            return {}
        key, price = found
        return {"cost_usd": price.cost(usage), "cost_estimated": True, "priced_as": key}

    def _schema_failure(self, schema: Any, result: AgentResult, errors: list[str]) -> Exception:
        from godel.exceptions import SchemaValidationFailure

        return SchemaValidationFailure(
            f"{self._name()}: the answer did not match {schema.__name__} (after one repair turn): "
            + "; ".join(errors[:5]),
            schema_name=schema.__name__,
            raw=result.text if result.structured is None else repr(result.structured),
            validation_errors=errors,
            step_path=_step_path(),
            remediation_hint="Make the prompt say more precisely what each field must hold, or loosen the schema.",
        )

    def _new_parser(self) -> StreamParser:
        parser = self.parser
        if isinstance(parser, str):
            from godel.parsers import get

            parser = get(parser)
        return parser()  # type: ignore[operator,no-any-return]

    @staticmethod
    def _transcript_writer(stream_path: list[str]) -> Any:
        run = current_run()
        if run is None or run.transcript is None:
            return None
        return partial(run.transcript.write, step_path=_step_path(), stream_path=stream_path)

    def _name(self) -> str:
        return f"{self.backend or type(self).__name__}({self.model or 'default model'})"

    def __repr__(self) -> str:
        # Stable over the agent's life (no session state): step arguments are recorded by repr.
        return (
            f"{type(self).__name__}(model={self.model!r}, cwd={self.cwd!r}, tools={self.tools!r})"
        )


def _check_seconds(name: str, value: Any) -> None:
    """``ValueError`` unless ``value`` is None or a positive number (a str or a bool is not)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{name}= must be a positive number of seconds, got {value!r}")


def _step_path() -> tuple[str, ...]:
    frame = current_frame()
    return frame.step_path if frame is not None else ()


def _tail(text: str, lines: int = 5) -> str:
    kept = [ln.strip() for ln in text.splitlines() if ln.strip()][-lines:]
    return _clip(" | ".join(kept))


def _clip(text: str, width: int = 500) -> str:
    text = text.strip()
    return text if len(text) <= width else text[: width - 3] + "..."
