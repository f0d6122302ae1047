"""Hooks are called through pluggy, once per plugin: wrappers, call order, monitoring, tracing.

Every test builds its own manager; the process-wide one is never touched.
"""

from __future__ import annotations

import pytest

from godel import hookimpl
from godel.exceptions import PluginError
from godel.plugins.manager import PluginManager


@pytest.fixture(autouse=True)
def _no_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GODEL_STRICT_PLUGINS", "GODEL_TRACE_PLUGINS"):
        monkeypatch.delenv(name, raising=False)


class Agent:
    def __init__(self, *names: str) -> None:
        self.names = names

    @hookimpl
    def godel_register_agents(self, register):
        for name in self.names:
            register(name, "json:dumps")


class Rules:
    def __init__(self, code: str) -> None:
        self.code = code

    @hookimpl
    def godel_register_lint_rules(self, register):
        register(self.code, Rules)


class FirstRules(Rules):
    @hookimpl(tryfirst=True)
    def godel_register_lint_rules(self, register):
        register(self.code, Rules)


class LastRules(Rules):
    @hookimpl(trylast=True)
    def godel_register_lint_rules(self, register):
        register(self.code, Rules)


def manager(*plugins: tuple[object, str], strict: bool = False) -> PluginManager:
    pm = PluginManager(autoload=False, strict=strict)
    for plugin, name in plugins:
        pm.register(plugin, name=name, dist=f"godel-{name}", version="1.0")
    return pm


def test_an_old_style_hookwrapper_wraps_each_plugins_call() -> None:
    seen: list[str] = []

    class Wrapper:
        @hookimpl(hookwrapper=True)
        def godel_register_agents(self, register):
            seen.append(f"before {register!r}")
            outcome = yield
            outcome.get_result()
            seen.append("after")

    pm = manager((Agent("one"), "one"), (Wrapper(), "wrapper"), (Agent("two"), "two"))
    assert pm.agents.names() == ["one", "two"]
    assert seen == [
        "before <register of plugin 'one'>",
        "after",
        "before <register of plugin 'two'>",
        "after",
    ]
    assert pm.agents.entry("two").provider.dist == "godel-two", "names keep their plugin"
    wrapper = next(p for p in pm.describe() if p.name == "wrapper")
    assert wrapper.hooks == ["godel_register_agents"] and wrapper.registered == {}


def test_a_new_style_wrapper_sees_a_plugins_failure_and_may_handle_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Crashing:
        @hookimpl
        def godel_register_agents(self, register):
            register("half", "json:dumps")
            raise RuntimeError("boom")

    class Forgiving:
        @hookimpl(wrapper=True)
        def godel_register_agents(self, register):
            try:
                return (yield)
            except RuntimeError:
                return []

    pm = manager((Crashing(), "crash"), (Forgiving(), "forgiving"))
    assert pm.agents.names() == ["half"], "the wrapper swallowed the error: nothing to skip"
    assert capsys.readouterr().err == ""


def test_tryfirst_and_trylast_order_third_parties_but_builtins_stay_first() -> None:
    pm = manager(
        (LastRules("ECH001"), "late"), (Rules("ECH002"), "plain"), (FirstRules("ECH003"), "eager")
    )
    calls: list[str] = []
    pm.pluggy.add_hookcall_monitoring(
        lambda hook, impls, kwargs: calls.append(kwargs["register"].plugin),
        lambda outcome, hook, impls, kwargs: None,
    )
    with pytest.raises(PluginError, match=r"^lint rule prefix 'ECH' belongs to godel-eager 1\.0"):
        pm.lint_rules  # noqa: B018
    assert calls == ["core", "eager", "plain", "late"]
    squatter = manager((FirstRules("PL999"), "squatter"))
    with pytest.raises(PluginError, match=r"prefix 'PL' belongs to godel-core"):
        squatter.lint_rules  # noqa: B018


def test_a_failing_wrapper_is_blamed_left_out_and_the_call_made_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Broken:
        @hookimpl(wrapper=True)
        def godel_register_agents(self, register):
            raise ValueError("wrapper bug")
            yield  # pragma: no cover

    pm = manager((Agent("one"), "one"), (Broken(), "broken"), (Agent("two"), "two"))
    assert pm.agents.names() == ["one", "two"]
    assert capsys.readouterr().err == (
        "godel: warning: plugin 'broken' from godel-broken 1.0 failed in godel_register_agents: "
        "ValueError: wrapper bug (skipped)\n"
    )
    infos = {p.name: p for p in pm.describe()}
    assert infos["broken"].error and infos["one"].error is None
    strict = manager((Agent("one"), "one"), (Broken(), "broken"), strict=True)
    with pytest.raises(PluginError, match=r"^plugin 'broken' from godel-broken 1\.0 failed in"):
        strict.agents  # noqa: B018


def test_an_error_a_wrapper_lets_through_is_blamed_on_the_plugin_that_raised(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Crashing:
        @hookimpl
        def godel_register_agents(self, register):
            raise RuntimeError("boom")

    class Passing:
        @hookimpl(wrapper=True)
        def godel_register_agents(self, register):
            return (yield)

    pm = manager((Crashing(), "crash"), (Passing(), "passing"), (Agent("ok"), "ok"))
    assert pm.agents.names() == ["ok"]
    assert "plugin 'crash' from godel-crash 1.0 failed in" in capsys.readouterr().err
    assert {p.name for p in pm.describe() if p.error} == {"crash"}


def test_hook_call_monitoring_sees_one_call_per_plugin() -> None:
    calls: list[tuple[str, list[str], str]] = []
    pm = manager((Agent("one"), "one"), (Agent("two"), "two"))
    pm.pluggy.add_hookcall_monitoring(
        lambda hook, impls, kwargs: calls.append(
            (hook, [i.plugin_name for i in impls], repr(kwargs["register"]))
        ),
        lambda outcome, hook, impls, kwargs: None,
    )
    pm.agents  # noqa: B018
    assert calls == [
        ("godel_register_agents", ["one"], "<register of plugin 'one'>"),
        ("godel_register_agents", ["two"], "<register of plugin 'two'>"),
    ]


def test_godel_trace_plugins_traces_hook_calls_to_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GODEL_TRACE_PLUGINS", "1")
    pm = manager((Agent("one"), "one"))
    pm.agents  # noqa: B018
    err = capsys.readouterr().err
    assert "godel_register_agents [hook]" in err
    assert "register: <register of plugin 'one'>" in err
    assert "finish godel_register_agents --> [] [hook]" in err
    monkeypatch.delenv("GODEL_TRACE_PLUGINS")
    manager((Agent("one"), "one")).agents  # noqa: B018
    assert capsys.readouterr().err == "", "no trace unless asked for"


class Renamed:
    @hookimpl(specname="godel_register_agents")
    def agents(self, register):
        register("renamed", "json:dumps")


def test_a_hook_implemented_under_another_name_is_called_for_its_own_plugin_only() -> None:
    pm = manager((Renamed(), "renamed"), (Agent("other"), "other"))
    assert pm.agents.names() == ["other", "renamed"]
    assert pm.agents.entry("other").provider.plugin == "other"
