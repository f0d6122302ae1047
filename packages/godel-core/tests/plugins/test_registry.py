"""Registry: name validation, lazy targets, duplicates, lint prefixes, unknown-name messages."""

from __future__ import annotations

import json

import pytest

from godel.exceptions import PluginError, UnknownPluginError
from godel.plugins.registry import AGENTS, COMMANDS, LINT_RULES, PARSERS, Provider, Registry

ECHO = Provider("echo", "godel-echo", "0.1.0")
DUPE = Provider("dupe", "godel-dupe", "0.2.0")


def target() -> None:
    """A stand-in for an agent factory, parser class, rule or command: any callable."""


@pytest.mark.parametrize("name", ["claude_code", "copilot", "_private", "v2"])
def test_agent_names_that_are_lowercase_identifiers_are_accepted(name: str) -> None:
    reg = Registry(AGENTS)
    reg.add(name, target, ECHO)
    assert reg.names() == [name]


@pytest.mark.parametrize("name", ["Claude", "claude-code", "2fast", "", "a.b", "with space"])
def test_invalid_agent_names_are_rejected_naming_the_provider(name: str) -> None:
    with pytest.raises(PluginError, match=r"godel-echo 0\.1\.0 registered an invalid agent name"):
        Registry(AGENTS).add(name, target, ECHO)


def test_parser_names_follow_the_agent_rules() -> None:
    with pytest.raises(PluginError, match="invalid parser name 'Stream'"):
        Registry(PARSERS).add("Stream", target, ECHO)


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("godel-watch", True),
        ("plugins", True),
        ("Watch", False),
        ("-x", False),
        ("under_score", False),
    ],
)
def test_command_names_are_lowercase_with_dashes(name: str, ok: bool) -> None:
    reg = Registry(COMMANDS)
    if ok:
        reg.add(name, target, ECHO)
        assert name in reg
    else:
        with pytest.raises(PluginError, match="invalid command name"):
            reg.add(name, target, ECHO)


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("ECH001", True),
        ("PL100", True),
        ("ABCD999", True),
        ("E001", False),
        ("ABCDE001", False),
        ("ech001", False),
        ("ECH01", False),
        ("ECH0001", False),
    ],
)
def test_lint_codes_are_two_to_four_capitals_and_three_digits(code: str, ok: bool) -> None:
    reg = Registry(LINT_RULES)
    if ok:
        reg.add(code, target, ECHO)
        assert reg.names() == [code]
    else:
        with pytest.raises(PluginError, match="lint codes look like ABC123"):
            reg.add(code, target, ECHO)


def test_a_non_string_name_is_rejected() -> None:
    with pytest.raises(PluginError, match="non-string name 42"):
        Registry(AGENTS).add(42, target, ECHO)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bad", "shown"),
    [(42, "int 42"), (True, "bool True"), ([1], "list [1]"), (object(), "object <object object")],
)
def test_a_target_that_is_neither_callable_nor_lazy_is_rejected(bad: object, shown: str) -> None:
    # It used to be accepted, and fail only when the agent was first used.
    with pytest.raises(PluginError) as info:
        Registry(AGENTS).add("echo", bad, ECHO)
    assert str(info.value).startswith(
        "plugin 'echo' from godel-echo 0.1.0 registered agent 'echo': the target must be a "
        f"callable (a function or a class) or a 'package.module:attribute' string, not {shown}"
    )


def test_a_lint_rule_may_be_a_rule_object_but_not_any_object() -> None:
    class Rule:
        code, summary, severity = "ECH001", "", "error"

        def check(self, source):
            return []

    reg = Registry(LINT_RULES)
    reg.add("ECH001", Rule(), ECHO)
    reg.add("ECH002", Rule, ECHO)
    with pytest.raises(PluginError, match=r"must be a lint rule \(a class or an object\)"):
        reg.add("ECH003", object(), ECHO)


def test_a_missing_target_is_rejected() -> None:
    with pytest.raises(PluginError, match="'echo' with no target"):
        Registry(AGENTS).add("echo", None, ECHO)


@pytest.mark.parametrize(
    "target",
    [
        "godel_echo.agent",
        "godel_echo.agent:",
        ":echo",
        "godel echo:x",
        "pkg.mod:attr-name",
        "pkg:mod:attr",
    ],
)
def test_a_malformed_lazy_target_is_rejected(target: str) -> None:
    with pytest.raises(
        PluginError, match=r"a lazy target must look like 'package\.module:attribute'"
    ):
        Registry(AGENTS).add("echo", target, ECHO)


def test_a_lazy_target_is_imported_on_first_get_only() -> None:
    reg = Registry(AGENTS)
    reg.add("dumps", "json:dumps", ECHO)
    reg.add("nested", "json:JSONDecoder.decode", ECHO)
    entry = reg.entry("dumps")
    assert entry.is_lazy and entry.target == "json:dumps"
    assert reg.get("dumps") is json.dumps
    assert not entry.is_lazy and entry.target is json.dumps
    assert reg.get("nested") is json.JSONDecoder.decode


def test_an_object_target_is_returned_as_is() -> None:
    class Marker:
        pass

    marker = Marker
    reg = Registry(AGENTS)
    reg.add("thing", marker, ECHO, summary="a thing")
    assert reg.get("thing") is marker
    assert reg.entry("thing").summary == "a thing"
    assert not reg.entry("thing").is_lazy


def test_a_lazy_target_that_cannot_be_imported_names_the_provider() -> None:
    reg = Registry(AGENTS)
    reg.add("ghost", "godel_no_such_module.agent:ghost", ECHO)
    reg.add("typo", "json:dumpz", ECHO)
    with pytest.raises(
        PluginError,
        match=r"registered by godel-echo 0\.1\.0 could not be imported: "
        r"ModuleNotFoundError",
    ):
        reg.get("ghost")
    with pytest.raises(PluginError, match="AttributeError"):
        reg.get("typo")


def test_a_duplicate_name_names_both_distributions_and_plugins() -> None:
    reg = Registry(AGENTS)
    reg.add("echo", "godel_echo.agent:echo", ECHO)
    with pytest.raises(PluginError) as info:
        reg.add("echo", "godel_dupe.agent:echo", DUPE)
    message = str(info.value)
    assert "agent 'echo' is registered twice" in message
    assert "godel-echo 0.1.0 (plugin 'echo')" in message
    assert "godel-dupe 0.2.0 (plugin 'dupe')" in message
    assert reg.entry("echo").provider == ECHO, "the first registration stays"


def test_a_lint_prefix_belongs_to_the_first_distribution_that_uses_it() -> None:
    reg = Registry(LINT_RULES)
    reg.add("ECH001", target, ECHO)
    reg.add("ECH002", target, Provider("other-entry-point", "godel-echo", "0.1.0"))
    reg.add("DUP001", target, DUPE)
    with pytest.raises(PluginError) as info:
        reg.add("ECH003", target, DUPE)
    message = str(info.value)
    assert "lint rule prefix 'ECH' belongs to godel-echo 0.1.0" in message
    assert "godel-dupe 0.2.0 (plugin 'dupe') registered 'ECH003'" in message
    assert reg.names() == ["DUP001", "ECH001", "ECH002"]


def test_prefix_ownership_is_per_prefix_not_per_letter() -> None:
    reg = Registry(LINT_RULES)
    reg.add("EC001", target, ECHO)
    reg.add("ECH001", target, DUPE)
    assert reg.entry("ECH001").provider == DUPE


def test_unknown_names_list_what_is_installed_and_the_package_to_install() -> None:
    reg = Registry(AGENTS)
    reg.add("echo", target, ECHO)
    reg.add("copilot", target, ECHO)
    with pytest.raises(UnknownPluginError) as info:
        reg.get("claude_code")
    assert str(info.value) == (
        "no agent named 'claude_code' is installed (installed: copilot, echo); "
        "install it with: pip install godel-claude"
    )


def test_unknown_names_without_a_known_package_point_at_godel_plugins() -> None:
    with pytest.raises(
        UnknownPluginError,
        match=r"installed: none\); install the plugin that provides "
        r"it, then check with: godel plugins",
    ):
        Registry(AGENTS).get("nope")


def test_unknown_name_of_a_disabled_distribution_says_so() -> None:
    reg = Registry(AGENTS)
    reg.disabled["godel-claude"] = "its plugin 'claude' is blocked by GODEL_DISABLE_PLUGINS"
    with pytest.raises(
        UnknownPluginError,
        match=r"pip install godel-claude \(godel-claude is installed, "
        r"but its plugin 'claude' is blocked",
    ):
        reg.get("claude_code")


def test_unknown_plugin_error_is_an_attribute_and_lookup_error() -> None:
    reg = Registry(AGENTS)
    with pytest.raises(AttributeError):
        reg.get("nope")
    with pytest.raises(LookupError):
        reg.entry("nope")


def test_reading_the_registry() -> None:
    reg = Registry(PARSERS)
    for name in ("zeta", "alpha", "mid"):
        reg.add(name, target, ECHO)
    assert reg.names() == ["alpha", "mid", "zeta"]
    assert list(reg) == reg.names()
    assert [e.name for e in reg.entries()] == reg.names()
    assert len(reg) == 3
    assert "mid" in reg and "nope" not in reg and 3 not in reg
    assert str(ECHO) == "godel-echo 0.1.0"
    assert str(Provider("x", "godel-x", "")) == "godel-x"
