"""The plugin contract: every hook a godel plugin can implement.

A plugin is a module named by an entry point in the ``godel`` group. It implements any of the
hooks below with the ``@godel.hookimpl`` marker. Every hook receives a ``register`` callable;
each call registers one named thing. Targets may be objects or lazy ``"module:attr"`` strings,
which are imported only when the thing is first used, so plugin modules stay import-cheap.

Changing the contract: add hooks, never change an existing hook's arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from godel.plugins.registry import Register

PROJECT = "godel"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def godel_register_agents(register: Register) -> None:
    """Register agent backends by name.

    Example::

        @hookimpl
        def godel_register_agents(register):
            register("claude_code", "godel_claude.agent:claude_code")

    Names are lowercase Python identifiers. The target is an agent factory: a callable that
    takes keyword options and returns an agent. ``godel.agents.<name>`` and
    ``godel.agents.get(name)`` return the target.
    """


@hookspec
def godel_register_parsers(register: Register) -> None:
    """Register stream parsers by name.

    Example::

        @hookimpl
        def godel_register_parsers(register):
            register("claude", "godel_claude.parser:ClaudeStreamParser")

    The target is a class implementing ``godel.parsers.StreamParser``: it is instantiated once
    per stream and turns raw output lines into normalised transcript records.
    """


@hookspec
def godel_register_lint_rules(register: Register) -> None:
    """Register workflow lint rules by code.

    Example::

        @hookimpl
        def godel_register_lint_rules(register):
            register("ECH001", "godel_echo.lint:NoShout")

    Codes match ``^[A-Z]{2,4}[0-9]{3}$``; a code's letter prefix belongs to one distribution
    (the built-in rules own ``PL``). The target is a lint rule object or class.
    """


@hookspec
def godel_register_commands(register: Register) -> None:
    """Register subcommands of the ``godel`` command line.

    Example::

        @hookimpl
        def godel_register_commands(register):
            register("echo", "godel_echo.cli:echo", summary="Echo words back.")

    The target is a ``click.Command`` (or a lazy path to one). ``summary`` is shown by
    ``godel --help`` without importing the command's module.
    """


@hookspec
def godel_register_config_sections(register: Register) -> None:
    """Register a configuration section the plugin reads, validated with its own model.

    Example::

        @hookimpl
        def godel_register_config_sections(register):
            register("agents.claude_code", "godel_claude.config:ClaudeCodeSettings")

    The name is the section's dotted path in ``.godel/settings.json`` (lowercase identifiers
    joined by dots: ``agents.claude_code`` is ``{"agents": {"claude_code": {...}}}``). The target
    is a pydantic model class; ``godel.config.load_config().section(name)`` returns the
    section validated with it (a ``ConfigError`` naming the file and key if it does not fit),
    and the model is imported only then. A top-level section a plugin registers is not
    reported as an unknown key.
    """


@hookspec
def godel_register_stores(register: Register) -> None:
    """Register run stores by URL scheme.

    Example::

        @hookimpl
        def godel_register_stores(register):
            register("postgresql", "godel_postgres.store:PostgresStore.from_url")

    Schemes are lowercase (letters, digits, ``+``, ``-``, ``.``). The target is a callable that
    takes the whole URL and returns a ``godel.store.Store`` (docs/store.md); ``godel store init
    URL`` calls it as ``target(url, init=True)`` to create or migrate the store's schema first
    (its ``initialized`` attribute may say ``(version before, version after)``). ``--store URL``,
    ``$GODEL_STORE`` and the settings' ``store`` key pick a store by its URL's scheme; ``file``
    is godel-core's own.
    """
