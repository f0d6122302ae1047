"""How a command ends: the exit statuses, and ``CliError``, which ends one with a message.

Any code under a command raises ``CliError`` instead of printing and exiting itself; click
shows it (``[godel] ...`` lines on stderr) and exits with its status, 2 unless told otherwise.
"""

from __future__ import annotations

import signal
import traceback
from typing import IO, Any

import click

from godel_cli.messages import PREFIX

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}
if hasattr(signal, "SIGHUP"):
    EXIT_SIGNAL[signal.SIGHUP] = 129


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
            traceback.print_exception(type(cause), cause, cause.__traceback__)
