"""Per-project configuration: pyproject.toml [tool.godel.lint] and .godel/settings.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from godel.lint import lint_paths, load_rules
from godel.plugins.manager import PluginManager

RULES = load_rules(PluginManager(autoload=False))
# PL003 (error) on line 5 and, when enabled, PL014 (off by default) on line 4.
FLOW = "from godel import step\nimport time\n@step\nasync def s():\n    time.time()\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project root (its .git stops the upward search) holding flow.py."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "flow.py").write_text(FLOW)
    return root


def codes(path: Path, **options) -> list[str]:  # type: ignore[no-untyped-def]
    return [d.code for d in lint_paths([path], rules=RULES, **options).diagnostics]


def pyproject(folder: Path, body: str) -> None:
    (folder / "pyproject.toml").write_text(body)


def settings(folder: Path, data: object) -> None:
    (folder / ".godel").mkdir(exist_ok=True)
    (folder / ".godel" / "settings.json").write_text(json.dumps(data))


def test_without_configuration_the_defaults_apply(project: Path) -> None:
    assert codes(project / "flow.py") == ["PL003"]


def test_pyproject_enables_and_disables(project: Path) -> None:
    pyproject(project, '[tool.godel.lint]\nenable = ["PL014"]\ndisable = ["PL003"]\n')
    assert codes(project / "flow.py") == ["PL014"]


def test_select_and_ignore_are_accepted_as_aliases(project: Path) -> None:
    pyproject(project, '[tool.godel.lint]\nselect = ["PL014"]\nignore = ["PL0"]\n')
    report = lint_paths([project / "flow.py"], rules=RULES)
    assert [d.code for d in report.diagnostics] == ["PL014", "PL003"]
    assert report.notes == [
        f"{project / 'pyproject.toml'} [tool.godel.lint]: ignore: not a lint code: PL0"
    ]


def test_the_nearest_pyproject_with_the_table_wins(project: Path) -> None:
    pyproject(project, '[tool.godel.lint]\ndisable = ["PL003"]\n')
    sub = project / "pkg"
    sub.mkdir()
    (sub / "flow.py").write_text(FLOW)
    pyproject(sub, '[project]\nname = "pkg"\n')  # no godel table: keep looking up
    assert codes(sub / "flow.py") == []
    pyproject(sub, '[tool.godel.lint]\nenable = ["PL014"]\n')  # nearer: replaces the root one
    assert codes(sub / "flow.py") == ["PL014", "PL003"]


def test_the_search_stops_at_the_repository_root(project: Path) -> None:
    pyproject(project.parent, '[tool.godel.lint]\ndisable = ["PL003"]\n')
    assert codes(project / "flow.py") == ["PL003"]
    (project / ".git").rmdir()
    assert codes(project / "flow.py") == []


def test_settings_json_applies_after_pyproject(project: Path) -> None:
    pyproject(project, '[tool.godel.lint]\nenable = ["PL014"]\n')
    settings(project, {"runs_dir": "runs", "lint": {"disable": ["PL014", "PL003"]}})
    assert codes(project / "flow.py") == []
    settings(project, {"lint": True})  # the reference's on/off switch selects no rules
    assert codes(project / "flow.py") == ["PL014", "PL003"]


def test_the_command_line_overrides_the_project(project: Path) -> None:
    pyproject(project, '[tool.godel.lint]\nenable = ["PL014"]\ndisable = ["PL003"]\n')
    assert codes(project / "flow.py", select=["PL003"]) == ["PL003"]
    assert codes(project / "flow.py", skip=["PL014"]) == []


def test_configuration_problems_are_notes_and_linting_goes_on(project: Path) -> None:
    pyproject(project, "[tool.godel.lint\n")
    settings(project, {"lint": {"disable": "PL003", "severity": "high", "enable": ["PL404"]}})
    report = lint_paths([project / "flow.py"], rules=RULES)
    assert [d.code for d in report.diagnostics] == []  # settings.json still disabled PL003
    assert len(report.notes) == 3
    assert report.notes[0].startswith(f"{project / 'pyproject.toml'}: cannot read:")
    assert report.notes[1].endswith("lint: unknown key 'severity' (use enable or disable)")
    assert report.notes[2].endswith("lint: unknown rule ID 'PL404' in enable (ignored)")


def test_use_config_false_ignores_the_project(project: Path) -> None:
    pyproject(project, '[tool.godel.lint]\ndisable = ["PL003"]\n')
    assert codes(project / "flow.py", use_config=False) == ["PL003"]
