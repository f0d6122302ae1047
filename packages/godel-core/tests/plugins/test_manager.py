"""PluginManager: built-ins, inline plugins, entry-point loading, strictness, describe().

Every test builds its own manager; the process-wide one is never touched. Entry-point tests write
real ``*.dist-info`` directories into ``tmp_path`` and put it on ``sys.path``, and restrict
loading to them with ``GODEL_PLUGINS`` so the plugins installed in the venv stay out of the way.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from godel import hookimpl
from godel.exceptions import PluginError, UnknownPluginError
from godel.plugins.manager import PluginManager

SWITCHES = (
    "GODEL_DISABLE_PLUGIN_AUTOLOAD",
    "GODEL_PLUGINS",
    "GODEL_DISABLE_PLUGINS",
    "GODEL_STRICT_PLUGINS",
)


@pytest.fixture(autouse=True)
def _no_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SWITCHES:
        monkeypatch.delenv(name, raising=False)


class Agents:
    """An inline plugin registering two agents (one lazy, one object)."""

    @hookimpl
    def godel_register_agents(self, register):
        register("alpha", "json:dumps", summary="lazy")
        register("beta", len)


class Rules:
    def __init__(self, *codes: str) -> None:
        self.codes = codes

    @hookimpl
    def godel_register_lint_rules(self, register):
        for code in self.codes:
            register(code, Rules)


def manager(*plugins: tuple[object, str, str], strict: bool = False) -> PluginManager:
    pm = PluginManager(autoload=False, strict=strict)
    for plugin, name, dist in plugins:
        pm.register(plugin, name=name, dist=dist, version="1.0")
    return pm


# built-ins and inline plugins ---------------------------------------------------------------


def test_core_registers_its_builtin_parsers_through_the_hooks() -> None:
    pm = PluginManager(autoload=False)
    assert pm.parsers.names() == ["jsonl", "lines"]
    from godel.parsers.lines import JsonLinesParser

    assert pm.parsers.get("jsonl") is JsonLinesParser
    core = pm.plugins[0]
    assert (core.name, core.dist, core.builtin, core.entry_point) == (
        "core",
        "godel-core",
        True,
        "(built-in)",
    )
    assert core.version and "godel_register_parsers" in core.hooks


def test_an_inline_plugin_registers_lazy_and_object_targets() -> None:
    pm = manager((Agents(), "inline", "godel-inline"))
    assert pm.agents.names() == ["alpha", "beta"]
    assert pm.agents.entry("alpha").is_lazy
    import json

    assert pm.agents.get("alpha") is json.dumps
    assert pm.agents.get("beta") is len
    assert pm.agents.entry("beta").provider.dist == "godel-inline"


def test_a_module_can_be_a_plugin() -> None:
    import types

    mod = types.ModuleType("fake_plugin")

    @hookimpl
    def godel_register_parsers(register):
        register("fake", "godel.parsers.lines:LineParser")

    mod.godel_register_parsers = godel_register_parsers  # type: ignore[attr-defined]
    pm = manager((mod, "fake", "godel-fake"))
    assert "fake" in pm.parsers and "lines" in pm.parsers


def test_an_impl_may_take_fewer_arguments_than_the_spec() -> None:
    calls: list[str] = []

    class Quiet:
        @hookimpl
        def godel_register_agents(self):
            calls.append("called")

    pm = manager((Quiet(), "quiet", "godel-quiet"))
    assert pm.agents.names() == []
    assert calls == ["called"]


def test_registries_are_built_on_first_use_and_cached() -> None:
    calls: list[str] = []

    class Counting:
        @hookimpl
        def godel_register_agents(self, register):
            calls.append("agents")
            register("one", "json:dumps")

    pm = manager((Counting(), "counting", "godel-counting"))
    assert calls == []
    assert pm.agents is pm.agents
    assert calls == ["agents"]
    pm.register(Agents(), name="more", dist="godel-more")
    assert pm.agents.names() == ["alpha", "beta", "one"], "registering a plugin rebuilds registries"
    assert calls == ["agents", "agents"]


def test_a_hookimpl_with_a_wrong_argument_is_rejected_at_registration() -> None:
    class Wrong:
        @hookimpl
        def godel_register_agents(self, cli):
            raise AssertionError("never called")

    pm = PluginManager(autoload=False)
    with pytest.raises(
        PluginError, match=r"plugin 'wrong' from godel-wrong 1\.0 is invalid:.*'cli'"
    ):
        pm.register(Wrong(), name="wrong", dist="godel-wrong", version="1.0")
    assert [p.name for p in pm.plugins] == ["core"]


def test_an_unknown_hook_is_rejected_and_the_plugin_left_out() -> None:
    class Typo:
        @hookimpl
        def godel_register_agent(self, register):
            raise AssertionError("never called")

    pm = PluginManager(autoload=False)
    with pytest.raises(PluginError) as info:
        pm.register(Typo(), name="typo", dist="godel-typo", version="1.0")
    assert "implements unknown hook(s) godel_register_agent" in str(info.value)
    assert "godel_register_agents" in str(info.value), "the message lists the known hooks"
    assert [p.name for p in pm.plugins] == ["core"]
    assert pm.agents.names() == []


def test_an_optional_unknown_hook_is_allowed() -> None:
    class Future:
        @hookimpl(optionalhook=True)
        def godel_register_event_stores(self, register):
            raise AssertionError("never called")

    pm = manager((Future(), "future", "godel-future"))
    assert [p.name for p in pm.plugins] == ["core", "future"]


def test_a_plugin_name_can_be_used_once() -> None:
    pm = manager((Agents(), "same", "godel-a"))
    with pytest.raises(
        PluginError, match=r"plugin name 'same' is used twice: by godel-a 1\.0 and by godel-b"
    ):
        pm.register(Rules("BBB001"), name="same", dist="godel-b")


def test_duplicate_names_across_plugins_name_both_distributions() -> None:
    pm = manager((Agents(), "first", "godel-first"), (Agents(), "second", "godel-second"))
    with pytest.raises(PluginError) as info:
        pm.agents  # noqa: B018
    message = str(info.value)
    assert (
        "agent 'alpha' is registered twice: by godel-first 1.0 (plugin 'first') and by godel-second 1.0"
        in message
    )
    assert "agent 'beta' is registered twice" in message, (
        "every clash is reported, not just the first"
    )


def test_a_plugin_cannot_take_over_a_builtin_name() -> None:
    class Lines:
        @hookimpl
        def godel_register_parsers(self, register):
            register("lines", "json:loads")

    pm = manager((Lines(), "lines", "godel-lines"))
    with pytest.raises(
        PluginError,
        match=r"parser 'lines' is registered twice: by godel-core .* and by godel-lines",
    ):
        pm.parsers  # noqa: B018


def test_lint_prefixes_are_owned_in_registration_order() -> None:
    pm = manager(
        (Rules("ECH001"), "echo", "godel-echo"), (Rules("ECH002", "DUP001"), "dupe", "godel-dupe")
    )
    with pytest.raises(PluginError) as info:
        pm.lint_rules  # noqa: B018
    assert str(info.value) == (
        "lint rule prefix 'ECH' belongs to godel-echo 1.0 (plugin 'echo'), but godel-dupe 1.0 "
        "(plugin 'dupe') registered 'ECH002'; each distribution must use its own prefix"
    )


def test_the_builtin_lint_prefix_belongs_to_godel_core() -> None:
    pm = manager((Rules("PL999"), "squatter", "godel-squatter"))
    with pytest.raises(
        PluginError,
        match=r"prefix 'PL' belongs to godel-core .*godel-squatter 1\.0 \(plugin 'squatter'\) "
        r"registered 'PL999'",
    ):
        pm.lint_rules  # noqa: B018


def test_one_distribution_may_use_its_prefix_from_several_plugins() -> None:
    pm = manager(
        (Rules("ECH001"), "echo", "godel-echo"), (Rules("ECH002"), "echo-extra", "godel-echo")
    )
    assert {"ECH001", "ECH002"} <= set(pm.lint_rules.names())
    assert pm.lint_rules.entry("ECH002").provider.plugin == "echo-extra"


class Crashing:
    @hookimpl
    def godel_register_agents(self, register):
        register("half", "json:dumps")
        raise RuntimeError("boom")


def test_a_crashing_hook_is_skipped_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    pm = manager((Crashing(), "crash", "godel-crash"), (Agents(), "ok", "godel-ok"))
    assert pm.agents.names() == ["alpha", "beta"], "nothing from the hook that crashed half-way"
    err = capsys.readouterr().err
    assert (
        "godel: warning: plugin 'crash' from godel-crash 1.0 failed in godel_register_agents: "
        "RuntimeError: boom (skipped)" in err
    )
    crash = next(p for p in pm.describe() if p.name == "crash")
    assert crash.error and "RuntimeError: boom" in crash.error


def test_a_crashing_hook_is_an_error_when_strict() -> None:
    pm = manager((Crashing(), "crash", "godel-crash"), strict=True)
    with pytest.raises(PluginError, match="failed in godel_register_agents: RuntimeError: boom"):
        pm.agents  # noqa: B018


def test_an_invalid_name_is_an_error_even_when_not_strict() -> None:
    class Bad:
        @hookimpl
        def godel_register_agents(self, register):
            register("Bad-Name", "json:dumps")

    pm = manager((Bad(), "bad", "godel-bad"))
    with pytest.raises(
        PluginError, match=r"godel-bad 1\.0 registered an invalid agent name 'Bad-Name'"
    ):
        pm.agents  # noqa: B018


def test_unknown_names_come_from_the_registry() -> None:
    pm = manager((Agents(), "inline", "godel-inline"))
    with pytest.raises(
        UnknownPluginError,
        match=r"installed: alpha, beta\); install it with: pip install godel-copilot",
    ):
        pm.agents.get("copilot")


def test_describe_lists_plugins_hooks_and_names_and_collects_problems() -> None:
    pm = manager(
        (Agents(), "inline", "godel-inline"),
        (Rules("ECH001"), "echo", "godel-echo"),
        (Rules("ECH002"), "dupe", "godel-dupe"),
    )
    infos = pm.describe()
    assert [p.name for p in infos] == ["core", "inline", "echo", "dupe"]
    inline = infos[1].to_dict()
    assert inline == {
        "name": "inline",
        "distribution": "godel-inline",
        "version": "1.0",
        "entry_point": "(inline)",
        "builtin": False,
        "loaded": True,
        "error": None,
        "hooks": ["godel_register_agents"],
        "registered": {"agents": ["alpha", "beta"]},
    }
    # Both sides of the clash show what they asked for.
    assert infos[2].registered["lint_rules"] == ["ECH001"]
    assert infos[3].registered["lint_rules"] == ["ECH002"]
    assert len(pm.problems) == 1 and "prefix 'ECH' belongs to godel-echo" in pm.problems[0]


def test_describe_without_problems() -> None:
    pm = manager((Agents(), "inline", "godel-inline"))
    pm.describe()
    assert pm.problems == []


# entry points ---------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """``site(dist, version, {ep_name: module}, {module: source})`` writes an installed dist."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)

    def add(dist: str, version: str, eps: dict[str, str], modules: dict[str, str]) -> None:
        for module, source in modules.items():
            (tmp_path / f"{module}.py").write_text(source)
        info = tmp_path / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text(
            "[godel]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items())
        )
        importlib.invalidate_caches()

    yield add
    for name in set(sys.modules) - before:
        del sys.modules[name]


GOOD = """
from godel import hookimpl

@hookimpl
def godel_register_agents(register):
    register("{name}", "json:dumps")
"""


def test_entry_points_are_loaded_with_their_distribution(
    site: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    site(
        "godel-tp-good",
        "1.2.3",
        {"tpgood": "tp_good_plugin"},
        {"tp_good_plugin": GOOD.format(name="tp_good")},
    )
    monkeypatch.setenv("GODEL_PLUGINS", "tpgood")
    pm = PluginManager()
    assert pm.agents.names() == ["tp_good"]
    info = next(p for p in pm.describe() if p.name == "tpgood")
    assert (info.dist, info.version, info.entry_point) == (
        "godel-tp-good",
        "1.2.3",
        "godel:tpgood = tp_good_plugin",
    )
    assert "tp_good_plugin" in sys.modules


def test_nothing_is_imported_before_first_use(
    site: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    site(
        "godel-tp-late",
        "1.0",
        {"tplate": "tp_late_plugin"},
        {"tp_late_plugin": GOOD.format(name="late")},
    )
    monkeypatch.setenv("GODEL_PLUGINS", "tplate")
    pm = PluginManager()
    assert "tp_late_plugin" not in sys.modules
    pm.agents  # noqa: B018
    assert "tp_late_plugin" in sys.modules


BROKEN = "raise ImportError('needs nonexistent_sdk')\n"


def test_a_broken_entry_point_is_skipped_with_a_warning(
    site: Callable[..., None], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site("godel-tp-broken", "0.9", {"tpbroken": "tp_broken_plugin"}, {"tp_broken_plugin": BROKEN})
    site(
        "godel-tp-fine",
        "1.0",
        {"tpfine": "tp_fine_plugin"},
        {"tp_fine_plugin": GOOD.format(name="fine")},
    )
    monkeypatch.setenv("GODEL_PLUGINS", "tpbroken,tpfine")
    pm = PluginManager()
    assert pm.agents.names() == ["fine"]
    assert capsys.readouterr().err == (
        "godel: warning: plugin 'tpbroken' from godel-tp-broken 0.9 failed to import: "
        "ImportError: needs nonexistent_sdk (skipped)\n"
    )
    broken = next(p for p in pm.describe() if p.name == "tpbroken")
    assert (
        broken.error
        == "plugin 'tpbroken' from godel-tp-broken 0.9 failed to import: ImportError: needs nonexistent_sdk"
    )
    assert broken.to_dict()["loaded"] is False
    assert capsys.readouterr().err == "", "the warning is printed once"


def test_a_broken_entry_point_is_an_error_when_strict_and_stays_one(
    site: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    site(
        "godel-tp-broken2", "0.9", {"tpbroken2": "tp_broken2_plugin"}, {"tp_broken2_plugin": BROKEN}
    )
    monkeypatch.setenv("GODEL_PLUGINS", "tpbroken2")
    monkeypatch.setenv("GODEL_STRICT_PLUGINS", "1")
    pm = PluginManager()
    assert pm.strict
    with pytest.raises(
        PluginError, match=r"plugin 'tpbroken2' from godel-tp-broken2 0\.9 failed to import"
    ):
        pm.agents  # noqa: B018
    with pytest.raises(PluginError, match="failed to import"):
        pm.parsers  # noqa: B018


def test_an_entry_point_with_an_unknown_hook_is_skipped(
    site: Callable[..., None], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (
        "from godel import hookimpl\n\n@hookimpl\ndef godel_register_agnts(register):\n    pass\n"
    )
    site("godel-tp-typo", "1.0", {"tptypo": "tp_typo_plugin"}, {"tp_typo_plugin": source})
    monkeypatch.setenv("GODEL_PLUGINS", "tptypo")
    pm = PluginManager()
    assert pm.agents.names() == []
    assert "implements unknown hook(s) godel_register_agnts" in capsys.readouterr().err


def test_the_same_entry_point_name_from_two_distributions_is_an_error(
    site: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    site(
        "godel-tp-one",
        "1.0",
        {"tpsame": "tp_one_plugin"},
        {"tp_one_plugin": GOOD.format(name="one")},
    )
    site(
        "godel-tp-two",
        "2.0",
        {"tpsame": "tp_two_plugin"},
        {"tp_two_plugin": GOOD.format(name="two")},
    )
    monkeypatch.setenv("GODEL_PLUGINS", "tpsame")
    pm = PluginManager()
    with pytest.raises(PluginError) as info:
        pm.agents  # noqa: B018
    assert "plugin name 'tpsame' is provided twice" in str(info.value)
    assert "godel-tp-one 1.0" in str(info.value) and "godel-tp-two 2.0" in str(info.value)


def test_switches_choose_and_block_entry_points(
    site: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    site("godel-tp-a", "1.0", {"tpa": "tp_a_plugin"}, {"tp_a_plugin": GOOD.format(name="a")})
    site("godel-tp-b", "1.0", {"tpb": "tp_b_plugin"}, {"tp_b_plugin": GOOD.format(name="b")})
    monkeypatch.setenv("GODEL_PLUGINS", "tpa, tpb")
    assert PluginManager().agents.names() == ["a", "b"]
    monkeypatch.setenv("GODEL_DISABLE_PLUGINS", "tpb")
    assert PluginManager().agents.names() == ["a"]
    monkeypatch.setenv("GODEL_DISABLE_PLUGIN_AUTOLOAD", "1")
    pm = PluginManager()
    assert pm.agents.names() == []
    assert [p.name for p in pm.describe()] == ["core"]
    assert (
        pm.agents.disabled["godel-tp-a"]
        == "GODEL_DISABLE_PLUGIN_AUTOLOAD keeps its plugin 'tpa' from loading"
    )
    assert PluginManager(autoload=True).agents.names() == ["a"], (
        "the argument beats the environment"
    )
    assert PluginManager(autoload=False).agents.disabled == {}, (
        "no note when a host turned loading off"
    )


def test_a_blocked_distribution_is_named_in_unknown_name_errors(
    site: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    site("godel-tp-c", "1.0", {"tpc": "tp_c_plugin"}, {"tp_c_plugin": GOOD.format(name="c")})
    monkeypatch.setenv("GODEL_DISABLE_PLUGINS", "tpc")
    pm = PluginManager()
    assert (
        pm.agents.disabled["godel-tp-c"] == "its plugin 'tpc' is blocked by GODEL_DISABLE_PLUGINS"
    )
    monkeypatch.setenv("GODEL_PLUGINS", "nothing")
    monkeypatch.delenv("GODEL_DISABLE_PLUGINS")
    assert (
        PluginManager().agents.disabled["godel-tp-c"]
        == "its plugin 'tpc' is not listed in GODEL_PLUGINS"
    )


# plugin-author mistakes: each is reported as that plugin's failure, in one line ----------------


def test_sys_exit_at_import_is_a_failure_not_the_end_of_godel(
    site: Callable[..., None], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site(
        "godel-tp-exit",
        "0.1",
        {"tpexit": "tp_exit_plugin"},
        {"tp_exit_plugin": "raise SystemExit(3)\n"},
    )
    site("godel-tp-ok", "1.0", {"tpok": "tp_ok_plugin"}, {"tp_ok_plugin": GOOD.format(name="ok")})
    monkeypatch.setenv("GODEL_PLUGINS", "tpexit,tpok")
    pm = PluginManager()
    assert pm.agents.names() == ["ok"]
    assert capsys.readouterr().err == (
        "godel: warning: plugin 'tpexit' from godel-tp-exit 0.1 failed to import: "
        "SystemExit: 3 (skipped)\n"
    )


def test_sys_exit_in_a_hook_or_a_lazy_target_is_a_plugin_error(
    site: Callable[..., None],
) -> None:
    class Exits:
        @hookimpl
        def godel_register_agents(self, register):
            raise SystemExit(1)

    pm = manager((Exits(), "exits", "godel-exits"), strict=True)
    with pytest.raises(
        PluginError, match=r"'exits' .* failed in godel_register_agents: SystemExit"
    ):
        pm.agents  # noqa: B018

    class Lazy:
        @hookimpl
        def godel_register_agents(self, register):
            register("bye", "tp_exit_target:agent")

    site("godel-tp-unused", "1.0", {}, {"tp_exit_target": "raise SystemExit(4)\n"})
    pm = manager((Lazy(), "lazy", "godel-lazy"))
    with pytest.raises(
        PluginError,
        match=r"'tp_exit_target:agent' registered by godel-lazy 1\.0 could not be imported: "
        "SystemExit: 4",
    ):
        pm.agents.get("bye")


def test_a_hook_that_returns_a_value_instead_of_registering_is_reported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Returns:
        @hookimpl
        def godel_register_agents(self, register):
            return {"mine": "json:dumps"}

    pm = manager((Returns(), "returns", "godel-returns"), (Agents(), "ok", "godel-ok"))
    assert pm.agents.names() == ["alpha", "beta"]
    assert capsys.readouterr().err == (
        "godel: warning: plugin 'returns' from godel-returns 1.0 failed in godel_register_agents: "
        "TypeError: godel_register_agents returned a dict instead of None; register each name "
        "with register(name, target, summary=...) (skipped)\n"
    )
    with pytest.raises(PluginError, match="returned a dict instead of None"):
        manager((Returns(), "returns", "godel-returns"), strict=True).agents  # noqa: B018


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r("x", "json:dumps", summary=123), "register() summary must be a str, not int"),
        (lambda r: r("x", "json:dumps", "a summary"), "register() takes the summary as a keyword"),
        (
            lambda r: r("x", 42),
            "TypeError: register('x', ...): the target must be a callable (a function or a "
            "class) or a 'package.module:attribute' string, not int 42 (skipped)",
        ),
    ],
)
def test_a_wrong_register_call_fails_that_plugin_only(
    call: Callable[..., None], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    class Wrong:
        @hookimpl
        def godel_register_commands(self, register):
            call(register)

    pm = manager((Wrong(), "wrong", "godel-wrong"), (Agents(), "ok", "godel-ok"))
    assert "x" not in pm.commands
    err = capsys.readouterr().err
    assert err.startswith("godel: warning: plugin 'wrong' from godel-wrong 1.0 failed in ")
    assert message in err and err.count("\n") == 1


def test_an_invalid_name_error_names_the_plugin() -> None:
    class Bad:
        @hookimpl
        def godel_register_commands(self, register):
            register(None, "json:dumps")

    with pytest.raises(
        PluginError,
        match=r"^plugin 'bad' from godel-bad 1\.0 registered a command with a non-string",
    ):
        manager((Bad(), "bad", "godel-bad")).commands  # noqa: B018


def test_a_hook_without_the_marker_is_reported_not_silently_ignored() -> None:
    import types

    module = types.ModuleType("unmarked_plugin")

    def godel_register_agents(register):
        register("never", "json:dumps")

    module.godel_register_agents = godel_register_agents  # type: ignore[attr-defined]
    pm = PluginManager(autoload=False)
    with pytest.raises(
        PluginError,
        match=r"plugin 'unmarked' from godel-unmarked 1\.0 defines godel_register_agents "
        "without the @hookimpl marker",
    ):
        pm.register(module, name="unmarked", dist="godel-unmarked", version="1.0")
    assert [p.name for p in pm.plugins] == ["core"]


def test_an_entry_point_without_hooks_is_reported_not_listed_as_registering_nothing(
    site: Callable[..., None], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Pointing the entry point at the package (or a function, a constant) instead of the
    # module of hookimpls used to load "fine" and register nothing, without a word.
    source = "VERSION = '1.0'\nNOTHING = None\n\ndef helper():\n    pass\n"
    eps = {
        "tpmod": "tp_nohooks",
        "tpfunc": "tp_nohooks:helper",
        "tpnone": "tp_nohooks:NOTHING",
        "tpgood2": "tp_good2_plugin",
    }
    site(
        "godel-tp-nohooks",
        "0.3",
        eps,
        {"tp_nohooks": source, "tp_good2_plugin": GOOD.format(name="good2")},
    )
    monkeypatch.setenv("GODEL_PLUGINS", ",".join(eps))
    pm = PluginManager()
    assert pm.agents.names() == ["good2"]
    head = "godel: warning: plugin '{}' from godel-tp-nohooks 0.3 defines no godel_register_* "
    assert capsys.readouterr().err == (
        head.format("tpfunc") + "hooks: its entry point godel:tpfunc = tp_nohooks:helper is a "
        "function object, not a module of @hookimpl functions (skipped)\n"
        + head.format("tpmod")
        + "hooks: its entry point godel:tpmod = tp_nohooks is module "
        "'tp_nohooks', which has no @hookimpl functions (skipped)\n"
        + head.format("tpnone")
        + "hooks: its entry point godel:tpnone = tp_nohooks:NOTHING is a "
        "NoneType object, not a module of @hookimpl functions (skipped)\n"
    )
    infos = {p.name: p for p in pm.describe()}
    assert infos["tpmod"].error and "defines no godel_register_* hooks" in infos["tpmod"].error
    assert infos["tpgood2"].error is None

    monkeypatch.setenv("GODEL_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError, match=r"^plugin 'tpfunc' .* defines no godel_register_\*"):
        PluginManager().agents  # noqa: B018


def test_two_entry_points_at_one_module_are_reported_not_silently_merged(
    site: Callable[..., None], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The second one used to vanish: not loaded, not listed, no warning.
    site(
        "godel-tp-twice",
        "0.1",
        {"tpone": "tp_twice_plugin", "tptwo": "tp_twice_plugin"},
        {"tp_twice_plugin": GOOD.format(name="twice")},
    )
    monkeypatch.setenv("GODEL_PLUGINS", "tpone,tptwo")
    pm = PluginManager()
    assert pm.agents.names() == ["twice"]
    assert capsys.readouterr().err == (
        "godel: warning: plugin 'tptwo' from godel-tp-twice 0.1 loads the same object as plugin "
        "'tpone' (entry point godel:tptwo = tp_twice_plugin); remove one of the two entry points "
        "(skipped)\n"
    )
    assert [p.name for p in pm.describe() if p.error] == ["tptwo"]


def test_an_entry_point_may_not_take_a_builtin_plugin_name(
    site: Callable[..., None], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without the check the Python API loaded a "cli", and godel-cli's own plugin, added later by
    # the command line under the same name, was silently dropped with every built-in command;
    # and a refused "core" took the credit for core's parsers and lint rules.
    site("godel-tp-cli", "0.1", {"cli": "tp_cli_plugin"}, {"tp_cli_plugin": GOOD.format(name="x")})
    site(
        "godel-tp-core",
        "0.1",
        {"core": "tp_core_plugin"},
        {"tp_core_plugin": GOOD.format(name="y")},
    )
    monkeypatch.setenv("GODEL_PLUGINS", "cli,core")
    pm = PluginManager()
    assert pm.agents.names() == []
    assert capsys.readouterr().err == (
        "godel: warning: plugin name 'cli' from godel-tp-cli 0.1 is reserved for godel-cli's "
        "built-in plugin; rename the entry point (skipped)\n"
        "godel: warning: plugin name 'core' from godel-tp-core 0.1 is reserved for godel-core's "
        "built-in plugin; rename the entry point (skipped)\n"
    )
    assert pm.parsers.entry("lines").provider.dist == "godel-core"

    import types

    cli = types.ModuleType("tp_builtin_cli")

    @hookimpl
    def godel_register_commands(register):
        register("plugins", "json:dumps")

    cli.godel_register_commands = godel_register_commands  # type: ignore[attr-defined]
    pm.add_builtin(cli, name="cli", dist="godel-cli")
    assert pm.commands.entry("plugins").provider.dist == "godel-cli"
    infos = {(p.name, p.dist): p for p in pm.describe()}
    assert infos["cli", "godel-cli"].registered["commands"] == ["plugins"]
    assert infos["core", "godel-core"].registered["parsers"] == ["lines", "jsonl"]
    assert infos["cli", "godel-tp-cli"].error
