"""Configuration sources, precedence, validation and the runs dir (docs/configuration.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from godel.config import (
    GodelConfig,
    clear_cache,
    find_project_root,
    godel_home,
    list_workflows,
    load_config,
    project_data_dir,
    resolve_workflow,
)
from godel.exceptions import ConfigError


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private $HOME and godel home, and no GODEL_* variable from the outside."""
    for name in list(__import__("os").environ):
        if name.startswith("GODEL_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    clear_cache()
    yield home
    clear_cache()


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def project(home: Path, name: str = "proj", settings: object | None = None) -> Path:
    root = home / "code" / name
    (root / ".godel").mkdir(parents=True)
    if settings is not None:
        write(root / ".godel" / "settings.json", settings)
    return root


def test_defaults_without_any_file(home: Path, tmp_path: Path) -> None:
    loaded = load_config(tmp_path)
    assert loaded.project_root is None
    assert loaded.config == GodelConfig()
    assert loaded.runs_dir == (tmp_path / "runs").resolve()
    assert loaded.config.strict is True and loaded.config.watch == {
        "default": False,
        "plain": False,
    }
    assert set(loaded.set_by.values()) == {"default"}
    assert [s.exists for s in loaded.sources] == [False]


def test_precedence_defaults_user_project_env(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = write(
        godel_home() / "settings.json", {"lint": False, "strict": False, "env": {"A": "u"}}
    )
    root = project(home, settings={"strict": True, "env": {"B": "p"}, "runs_dir": "myruns"})
    monkeypatch.setenv("GODEL_STRICT", "no")
    loaded = load_config(root)
    assert loaded.config.lint is False and loaded.set_by["lint"] == str(user)
    assert loaded.config.strict is False and loaded.set_by["strict"] == "$GODEL_STRICT"
    assert loaded.config.env == {"A": "u", "B": "p"}
    assert loaded.runs_dir == root / "myruns"
    assert [s.exists for s in loaded.sources] == [True, True]


def test_the_project_is_found_walking_up_and_stops_at_git(home: Path) -> None:
    root = project(home)
    deep = root / "a" / "b"
    deep.mkdir(parents=True)
    assert find_project_root(deep) == root
    repo = root / "repo"
    (repo / ".git").mkdir(parents=True)
    assert find_project_root(repo / "x" if (repo / "x").mkdir() is None else repo) is None


def test_the_walk_stops_at_home(home: Path) -> None:
    (home / ".godel").mkdir()  # the godel home itself is not a project above $HOME
    outside = home.parent / "elsewhere"
    outside.mkdir()
    assert find_project_root(home / "sub" if (home / "sub").mkdir() is None else home) == home
    assert find_project_root(outside) is None


def test_a_project_without_runs_dir_keeps_runs_in_the_godel_home(home: Path) -> None:
    root = project(home)
    loaded = load_config(root)
    assert loaded.runs_dir == home / ".godel" / "projects" / "code" / "proj" / "runs"
    assert project_data_dir(Path("/opt/x")).parent.name == "_abs"


def test_a_project_outside_home_whose_name_is_not_utf8_has_a_runs_dir(home: Path) -> None:
    import hashlib
    import os

    # Undecodable bytes of a folder name arrive as surrogates; the digest is of the bytes.
    odd = Path(os.fsdecode(b"/opt/p\xff7"))
    digest = hashlib.sha256(b"/opt/p\xff7").hexdigest()[:16]
    assert project_data_dir(odd).name == digest
    # A UTF-8 name keeps the digest it always had: no project loses its runs.
    assert project_data_dir(Path("/opt/x")).name == hashlib.sha256(b"/opt/x").hexdigest()[:16]


def test_godel_home_moves_the_user_file(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alt = tmp_path / "alt"
    write(alt / "settings.json", {"durability": "always"})
    monkeypatch.setenv("GODEL_HOME", str(alt))
    assert load_config(tmp_path).config.durability == "always"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("{not json", "malformed JSON"),
        ("[1, 2]", "top-level JSON must be an object"),
        ({"strict": "yes"}, "key 'strict': expected true or false, got \"yes\""),
        ({"durability": "fast"}, "key 'durability': expected one of default, always, none"),
        ({"transcript_max_bytes": 0}, "expected a whole number above 0"),
        ({"watch": {"loud": True}}, "key 'watch': unknown field 'loud' (allowed: default, plain)"),
        ({"env": {"A": 1}}, "key 'env': expected an object of strings"),
        ({"agents": {"claude_code": {"model": 3}}}, "key 'agents': claude_code.model:"),
        ('{"env": ' + "[" * 100_000 + "]" * 100_000 + "}", "malformed JSON: nested too deeply"),
        ({"runs_dir": "a\x00b"}, "key 'runs_dir': a NUL character is not allowed"),
        ({"env": {"A": "a\x00b"}}, "key 'env': a NUL character is not allowed"),
        ({"lint": 3}, "key 'lint': expected true or false, or {"),
        # JSON can spell a lone surrogate, which no path, argument or variable can hold.
        ({"runs_dir": "\ud800"}, "key 'runs_dir': not valid Unicode text"),
        ({"env": {"A": "\ud800"}}, "key 'env': not valid Unicode text"),
        ({"agents": {"x": {"extra_args": ["\ud800"]}}}, "not valid Unicode text"),
        # A pattern that the first run's redactor would refuse is refused by every command.
        ({"redact": ["("]}, "key 'redact': \"(\" is not a valid regular expression: missing )"),
        ({"redact": {"patterns": [""]}}, "key 'redact': patterns: an empty pattern"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_file_and_key(
    home: Path, settings: object, message: str
) -> None:
    root = project(home, settings=settings)
    with pytest.raises(ConfigError) as info:
        load_config(root)
    text = str(info.value)
    assert "\n" not in text and str(root / ".godel" / "settings.json") in text and message in text


def test_a_file_that_is_not_utf8_is_one_line(home: Path) -> None:
    root = project(home, settings={})
    (root / ".godel" / "settings.json").write_bytes(b'{"runs_dir": "\xff"}')
    with pytest.raises(ConfigError, match=r"settings\.json: not UTF-8 text \(byte 14\)$"):
        load_config(root)


def test_a_settings_file_in_a_symlink_loop_is_one_line(home: Path) -> None:
    root = project(home)
    (root / ".godel" / "settings.json").symlink_to("settings.json")
    with pytest.raises(ConfigError, match=r"settings\.json: cannot read: Too many levels"):
        load_config(root)


def test_a_symlink_loop_in_a_configured_folder_is_left_to_the_command_using_it(
    home: Path,
) -> None:
    # Path.resolve() raises RuntimeError on one (before Python 3.13): every command's traceback.
    root = project(home, settings={"runs_dir": "loop", "workflows_dir": "loop"})
    (root / "loop").symlink_to("loop")
    loaded = load_config(root)
    assert loaded.runs_dir.name == loaded.workflow_dirs[0].name == "loop"
    assert not loaded.runs_dir.is_dir()


def test_a_lint_object_is_the_rule_selection_and_leaves_the_pre_flight_on(home: Path) -> None:
    root = project(home, settings={"lint": {"disable": ["PL007"]}})
    assert load_config(root).config.lint is True


def test_an_unknown_key_is_a_warning_with_a_suggestion(home: Path) -> None:
    root = project(home, settings={"runs_dri": "x", "lint": False})
    loaded = load_config(root)
    assert loaded.config.lint is False and loaded.config.runs_dir is None
    assert loaded.warnings == [
        f"{root / '.godel' / 'settings.json'}: unknown key 'runs_dri' ignored; did you mean 'runs_dir'?"
    ]


def test_environment_values(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GODEL_LINT", "0")
    monkeypatch.setenv("GODEL_CAPTURE_STDOUT", "1")
    monkeypatch.setenv("GODEL_TRANSCRIPT_MAX_BYTES", "2048")
    monkeypatch.setenv("GODEL_WATCH_PLAIN", "1")
    monkeypatch.setenv("GODEL_RUNS_DIR", "")  # empty: ignored
    config = load_config(tmp_path).config
    assert (config.lint, config.capture_stdout, config.transcript_max_bytes) == (False, True, 2048)
    assert config.watch == {"default": False, "plain": True} and config.runs_dir is None
    monkeypatch.setenv("GODEL_DURABILITY", "bogus")
    with pytest.raises(
        ConfigError, match=r"\$GODEL_DURABILITY: expected one of default, always, none"
    ):
        load_config(tmp_path)


def test_redact_takes_the_list_or_the_object_and_adds_up(home: Path) -> None:
    write(godel_home() / "settings.json", {"redact": ["ACME-[0-9]+"]})
    root = project(home, settings={"redact": {"patterns": ["X-[a-z]+"], "env": ["DATABASE_URL"]}})
    assert load_config(root).config.redact == {
        "patterns": ("ACME-[0-9]+", "X-[a-z]+"),
        "env": ("DATABASE_URL",),
    }


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("A_TOKEN, B ,,A_TOKEN", ("A_TOKEN", "B")),
        ("0", ()),
        (" Off ", ()),
        ("1", ()),
        ("true,X", ("X",)),
    ],
)
def test_godel_redact_names_join_the_files(
    home: Path, monkeypatch: pytest.MonkeyPatch, raw: str, names: tuple[str, ...]
) -> None:
    root = project(home, settings={"redact": {"env": ["DATABASE_URL"]}})
    monkeypatch.setenv("GODEL_REDACT", raw)
    loaded = load_config(root)
    assert loaded.config.redact == {"patterns": (), "env": ("DATABASE_URL", *names)}
    assert loaded.set_by.get("redact") == (
        "$GODEL_REDACT" if names else str(root / ".godel" / "settings.json")
    )


def test_agent_defaults_merge_per_backend(home: Path) -> None:
    write(godel_home() / "settings.json", {"agents": {"claude_code": {"model": "opus"}}})
    root = project(home, settings={"agents": {"claude_code": {"executable": "/opt/claude"}}})
    agents = load_config(root).config.agents
    assert agents["claude_code"] == {"model": "opus", "executable": "/opt/claude", "extra_args": ()}


def test_a_changed_file_is_read_again(home: Path) -> None:
    root = project(home, settings={"lint": False})
    assert load_config(root).config.lint is False
    settings = root / ".godel" / "settings.json"
    settings.write_text(json.dumps({"lint": True}))
    import os

    os.utime(settings, ns=(1, 1))  # a different mtime, whatever the clock's resolution
    assert load_config(root).config.lint is True


def test_model_dump_is_json(home: Path, tmp_path: Path) -> None:
    dumped = load_config(tmp_path).config.model_dump()
    assert json.loads(json.dumps(dumped)) == dumped
    assert dumped["redact"] == {"patterns": [], "env": []}


def test_named_workflows(home: Path) -> None:
    root = project(home, settings={})
    write(root / ".godel" / "workflows" / "hello.py", "")
    write(root / ".godel" / "workflows" / "_helper.py", "")
    write(godel_home() / "workflows" / "hello.py", "")  # shadowed by the project's
    write(godel_home() / "workflows" / "mine.py", "")
    loaded = load_config(root)
    assert list_workflows(loaded) == {
        "hello": (root / ".godel" / "workflows" / "hello.py").resolve(),
        "mine": (godel_home() / "workflows" / "mine.py").resolve(),
    }
    assert resolve_workflow("hello", loaded) == list_workflows(loaded)["hello"]
    assert resolve_workflow("mine.py", loaded) == list_workflows(loaded)["mine"]
    with pytest.raises(ConfigError, match="workflow not found: 'nope'\n  available: hello, mine"):
        resolve_workflow("nope", loaded)


def test_a_relative_godel_home_is_taken_from_the_working_directory(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GODEL_HOME", "relhome")
    assert godel_home() == tmp_path / "relhome"
