"""How a command ends: the exit codes, and ``CliError``, which ends one with a message.

Any code under a command raises ``CliError`` instead of printing and exiting itself; click
shows it (``[godel] ...`` lines on stderr) and exits with its code, 2 unless told otherwise.
The codes are godel-py 3.x's matrix (docs/cli.md lists every command's), so that scripts
written against it keep working.
"""

from __future__ import annotations

import signal
import sys
from typing import IO, Any

import click

from godel_cli.messages import PREFIX

EXIT_OK = 0
# The command worked but the answer is no: the run failed, strict mode or lint refused it, no
# such run (or runs dir, or event), a refused request.
EXIT_FAIL = 1
# A usage error, a workflow file that cannot be loaded, an unexpected exception, a refused rewind.
EXIT_USAGE = 2
# `pause` and `rewind` only: the run id is ambiguous or invalid (the other commands exit 1).
EXIT_BAD_ID = 3
EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}
if hasattr(signal, "SIGHUP"):
    EXIT_SIGNAL[signal.SIGHUP] = 129


def is_ctrl_c(exc: BaseException) -> bool:
    """``exc`` is how Ctrl+C ended an event loop: ``KeyboardInterrupt``, or on Python 3.10 the
    ``CancelledError`` that its asyncio runners (anyio's backport of ``asyncio.Runner``, hence
    ``anyio.run`` and the MCP SDK) raise in its place, since the check that turns it into
    ``KeyboardInterrupt`` needs 3.11's ``Task.uncancel``. Nothing else cancels a main task."""
    if isinstance(exc, KeyboardInterrupt):
        return True
    if sys.version_info >= (3, 11):
        return False
    asyncio = sys.modules.get("asyncio")  # not imported: no event loop ran
    return asyncio is not None and isinstance(exc, asyncio.CancelledError)


def is_strict_violation(exc: BaseException) -> bool:
    """A strict-mode guard refused the workflow's code: the import guard (``GodelStrictError``)
    or the audit hook (a ``PermissionError`` saying ``godel strict: ...``). Exit 1, as the
    pre-run scan does: the run was refused, it did not crash."""
    from godel import GodelStrictError

    return isinstance(exc, GodelStrictError) or (
        isinstance(exc, PermissionError) and str(exc).startswith("godel strict:")
    )


class CliError(click.ClickException):
    """The command cannot go on: each of ``lines`` as a status line, then exit ``exit_code``.

    ``show_cause`` adds the traceback of the exception this one was raised from (``--debug``);
    ``prefix`` replaces ``[godel] `` for a command with its own message style (``godel lint``).
    """

    def __init__(
        self,
        *lines: str,
        exit_code: int = EXIT_USAGE,
        show_cause: bool = False,
        prefix: str = PREFIX,
    ) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines
        self.exit_code = exit_code  # type: ignore[misc]  # click declares a class default
        self.show_cause = show_cause
        self.prefix = prefix

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo("\n".join(f"{self.prefix}{line}" for line in self.lines), file=file, err=True)
        cause = self.__cause__
        if self.show_cause and cause is not None:
            import traceback  # here: every command imports this module, few print a traceback

            traceback.print_exception(type(cause), cause, cause.__traceback__)
