"""The exceptions a workflow author meets.

Two families matter for exit codes and ``retry``:

- ``WorkflowFail`` and its subclasses are *expected* failures: ``retry`` retries them and
  ``godel run`` exits 1.
- ``GodelError`` and its subclasses are godel's structured errors (resume safety, config...).
  They carry ``step_path``, ``source_location`` and ``remediation_hint``.

``PluginError`` (and ``UnknownPluginError``) come from the plugin system, not from a workflow.

``PauseSignal`` and ``RewindSignal`` are control flow, not errors: they derive from
``BaseException`` so that a workflow's ``except Exception`` cannot swallow them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from godel.strict.violation import StrictViolation


def exception_message(exc: BaseException) -> str:
    """``str(exc)``, or ``<TypeName: str() failed>`` when the exception's own ``__str__``
    raises (a failure must still be recorded, whatever its message does)."""
    try:
        return str(exc)
    except Exception:
        return f"<{type(exc).__name__}: str() failed>"


def _display_cmd(cmd: str | Sequence[str]) -> str:
    if isinstance(cmd, str):
        return cmd
    import shlex  # here: `godel --help` imports this module (PluginError) and never quotes a command

    return " ".join(shlex.quote(str(a)) for a in cmd)


class _Located:
    """Mixin: the step path, source location and hint that make an error actionable."""

    step_path: tuple[str, ...]
    source_location: str
    remediation_hint: str

    def _init_location(
        self, step_path: Sequence[str] | None, source_location: str, remediation_hint: str
    ) -> None:
        self.step_path = tuple(s for s in (step_path or ()) if str(s).strip())
        self.source_location = source_location or ""
        self.remediation_hint = remediation_hint or ""

    def _marker(self) -> str:
        parts = []
        if self.step_path:
            parts.append("step=" + "/".join(self.step_path))
        if self.source_location:
            parts.append("source=" + self.source_location)
        if self.remediation_hint:
            parts.append("hint=" + self.remediation_hint)
        return f"[godel:{', '.join(parts)}]" if parts else ""

    def _render(self, message: str) -> str:
        marker = self._marker()
        if not marker:
            return message
        return f"{message} {marker}" if message else marker


class WorkflowFail(Exception):
    """An expected failure of a workflow: ``retry`` retries it; ``godel run`` exits 1."""


class GodelError(_Located, Exception):
    """Base of godel's structured errors."""

    def __init__(
        self,
        message: str = "",
        *,
        step_path: Sequence[str] | None = None,
        source_location: str = "",
        remediation_hint: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self._init_location(step_path, source_location, remediation_hint)

    def __str__(self) -> str:
        return self._render(self.message)


class CommandFailure(_Located, WorkflowFail):
    """A command run with ``godel.run`` exited non-zero, timed out or was cancelled."""

    def __init__(
        self,
        message: str,
        *,
        stdout: str = "",
        stderr: str = "",
        returncode: int | None = None,
        cmd: str | Sequence[str] = "",
        step_path: Sequence[str] | None = None,
        source_location: str = "",
        remediation_hint: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.stdout = stdout
        self.stderr = stderr
        self.returncode = returncode
        self.cmd = _display_cmd(cmd) if cmd else ""
        self._init_location(step_path, source_location, remediation_hint)

    def __str__(self) -> str:
        return self._render(self.message)


class AgentError(CommandFailure):
    """An agent call failed: the CLI exited without an answer, or the model reported an error.

    Carries the CLI's output (``stdout``, ``stderr``, ``returncode``) like ``CommandFailure``,
    plus the ``backend``, ``model`` and ``session_id`` of the call. A ``WorkflowFail``, so
    ``retry`` retries it.
    """

    def __init__(
        self,
        message: str,
        *,
        backend: str = "",
        model: str = "",
        session_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.backend = backend
        self.model = model
        self.session_id = session_id


class AgentTimeout(AgentError):
    """An agent call ran longer than its ``timeout``; its CLI's process group was ended."""


class AgentStalled(AgentTimeout):
    """An agent's CLI printed nothing for ``stall_timeout`` seconds; its process group was ended."""


class ContextOverflowError(AgentError):
    """An agent's conversation no longer fits the model's context window."""


class ResumeError(GodelError):
    """A run cannot be resumed as asked."""


class UnsafeResumeError(ResumeError):
    """A side effect was in flight when the run stopped; re-running it blindly is not safe."""

    def __init__(
        self,
        message: str,
        *,
        event_id: str = "",
        cmd: str | Sequence[str] = "",
        run_id: str = "",
        op: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.event_id = event_id
        self.cmd = _display_cmd(cmd) if cmd else ""
        self.run_id = run_id
        self.op = op  # the effect in flight ("run", "agent.call", "write_text"...), for the hint

    def _idempotent_hint(self) -> str:
        """Where ``idempotent`` can be said for this effect (only ``run`` takes it per call)."""
        if self.op == "run":
            return "idempotent=True on the call or its step"
        if self.op == "agent.call":
            return "assume_idempotent=True on the agent call, or idempotent=True on its step"
        if self.op:
            return "idempotent=True on its step"
        return "idempotent=True on the call or its step, assume_idempotent=True on an agent call"

    def __str__(self) -> str:
        run = self.run_id or "<run_id>"
        target = self.event_id or "<event_id>"
        lines = [f"UnsafeResumeError: {self.message}"]
        if self.cmd:
            lines.append(f"  Command: {self.cmd}")
        if self.step_path:
            lines.append(f"  Step: {'/'.join(self.step_path)}")
        if self.event_id:
            lines.append(f"  Event: {self.event_id}")
        lines += [
            "",
            "  It may or may not have completed. To go on, either:",
            f"    - re-run it: godel rewind {run} --to {target} && godel resume {run}",
            f"    - or, if running it twice is safe, mark it idempotent ({self._idempotent_hint()})"
            f" or pass: godel resume {run} --assume-idempotent",
        ]
        return "\n".join(lines)


class SourceEditedError(ResumeError):
    """A cached step's source changed since it ran (``--on-source-edit abort``)."""

    def __init__(
        self,
        message: str,
        *,
        step_name: str = "",
        event_id: str = "",
        run_id: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.step_name = step_name
        self.event_id = event_id
        self.run_id = run_id

    def __str__(self) -> str:
        lines = [super().__str__()]
        if self.step_name:
            lines.append(f"  Step: {self.step_name}")
        if self.event_id:
            lines.append(f"  Cached event: {self.event_id}")
            lines += [
                "",
                f"  To re-run it with the new code: godel rewind {self.run_id or '<run_id>'} "
                f"--to {self.event_id}",
            ]
        return "\n".join(lines)


class ConfigError(GodelError):
    """Invalid configuration or invalid use of an API option."""


class AgentRefusal(GodelError):
    """The model refused the request."""

    def __init__(
        self, message: str, *, model: str = "", refusal_reason: str = "", **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.model = model
        self.refusal_reason = refusal_reason


class SchemaValidationFailure(GodelError, WorkflowFail):
    """An agent's answer did not validate against the requested schema (retryable)."""

    def __init__(
        self,
        message: str,
        *,
        schema_name: str = "",
        raw: str = "",
        validation_errors: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.schema_name = schema_name
        self.raw = raw
        self.validation_errors = list(validation_errors)


class HumanTimeout(GodelError):
    """Nobody answered a checkpoint in time."""

    def __init__(
        self, message: str, *, prompt: str = "", timeout_seconds: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.prompt = prompt
        self.timeout_seconds = timeout_seconds


class NonDeterministicEscape(GodelError):
    """Workflow code did something strict mode forbids."""

    def __init__(self, message: str, *, operation: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.operation = operation


class RewindUnsafe(GodelError):
    """A rewind would re-run a completed side effect that cannot be undone."""

    def __init__(
        self,
        message: str,
        *,
        event_id: str = "",
        op: str = "",
        cmd: str | Sequence[str] = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.event_id = event_id
        self.op = op
        self.cmd = _display_cmd(cmd) if cmd else ""


class StepTimeout(GodelError, WorkflowFail):
    """A ``@step(timeout=...)`` ran out of time (retryable by ``retry``)."""

    def __init__(
        self,
        message: str,
        *,
        step_name: str = "",
        timeout_seconds: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.step_name = step_name
        self.timeout_seconds = timeout_seconds


class BudgetExceeded(GodelError, WorkflowFail):
    """The run has spent its budget (``max_cost_usd``): the next agent call was not made.

    ``spent_usd`` and ``budget_usd`` say how much and of what. ``godel resume --max-cost`` with
    a higher budget continues the run; ``retry`` does not retry it (the budget stays spent).
    """

    def __init__(
        self,
        message: str,
        *,
        spent_usd: float | None = None,
        budget_usd: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.spent_usd = spent_usd
        self.budget_usd = budget_usd


class GodelStrictError(Exception):
    """Strict mode found non-deterministic code; lists every violation."""

    def __init__(self, violations: Sequence[StrictViolation], message: str = "") -> None:
        self.violations = list(violations)
        self.message = message or f"godel strict: {len(self.violations)} violation(s) detected"
        super().__init__(self.message)

    def __str__(self) -> str:
        # One violation (what the runtime guard raises) stays one line: the CLI prints the
        # first line of an error.
        if len(self.violations) == 1:
            return f"godel strict: {self.violations[0]}"
        lines = [f"godel strict: {len(self.violations)} violations"]
        lines += [f"  {v}" for v in self.violations]
        return "\n".join(lines)


class PauseSignal(BaseException):
    """Raised at a step boundary when a pause was requested; the run stops cleanly."""

    def __init__(self, reason: str = "", request_ts: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.request_ts = request_ts

    def __str__(self) -> str:
        return f"PauseSignal: {self.reason}"


class RewindSignal(BaseException):
    """Raised by ``godel.rewind``; the workflow rewinds and runs again from the top."""

    def __init__(self, target_ids: Sequence[str], reason: str = "") -> None:
        super().__init__(list(target_ids), reason)
        self.target_ids = list(target_ids)
        self.reason = reason

    def __str__(self) -> str:
        return f"RewindSignal to {self.target_ids}: {self.reason}"


class GodelWatchNotInstalledError(ImportError):
    """``godel watch`` needs godel-watch: ``pip install godel-watch``."""


class PluginError(Exception):
    """A plugin could not be loaded, or two plugins registered the same name."""


class UnknownPluginError(PluginError, AttributeError, LookupError):
    """A name was asked for that no installed plugin registered.

    Subclasses ``AttributeError`` so that ``hasattr(godel.agents, "nope")`` is ``False``.
    """
