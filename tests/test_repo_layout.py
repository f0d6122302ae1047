"""The monorepo's shape: every member installed, typed, versioned, tested, and loosely coupled."""

from __future__ import annotations

import fnmatch
import sys
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: godel-core's own dependency there
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
MEMBERS = sorted(p.parent for p in (REPO / "packages").glob("*/pyproject.toml"))
TEST_PLUGINS = sorted(p.parent for p in (REPO / "tests" / "plugins").glob("*/pyproject.toml"))
ROOT = tomllib.loads((REPO / "pyproject.toml").read_text())


def pyproject(member: Path) -> dict[str, Any]:
    return tomllib.loads((member / "pyproject.toml").read_text())


def dist_name(member: Path) -> str:
    return pyproject(member)["project"]["name"]


def import_package(member: Path) -> Path:
    """``src/<package>`` as named by the hatch wheel target."""
    packages = pyproject(member)["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert len(packages) == 1, packages
    return member / packages[0]


def ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


MEMBER_NAMES = {dist_name(m) for m in MEMBERS}


def test_the_six_members_exist() -> None:
    assert {
        "godel-core",
        "godel-cli",
        "godel-claude",
        "godel-copilot",
        "godel-codex",
        "godel-watch",
    } <= MEMBER_NAMES


def test_the_root_is_not_a_distribution() -> None:
    assert "project" not in ROOT, "the root holds configuration only; never `pip install .` there"


@pytest.mark.parametrize("member", MEMBERS, ids=ids(MEMBERS))
def test_member_is_installed_by_requirements_dev(member: Path) -> None:
    lines = {line.strip() for line in (REPO / "requirements-dev.txt").read_text().splitlines()}
    assert f"-e packages/{member.name}" in lines


@pytest.mark.parametrize("member", MEMBERS, ids=ids(MEMBERS))
def test_member_is_in_the_uv_workspace(member: Path) -> None:
    uv = ROOT["tool"]["uv"]
    assert any(
        fnmatch.fnmatch(f"packages/{member.name}", glob) for glob in uv["workspace"]["members"]
    )
    assert uv["sources"].get(dist_name(member)) == {"workspace": True}


def test_uv_sources_name_only_members() -> None:
    assert set(ROOT["tool"]["uv"]["sources"]) <= MEMBER_NAMES


@pytest.mark.parametrize("member", MEMBERS, ids=ids(MEMBERS))
def test_member_shape(member: Path) -> None:
    data = pyproject(member)
    assert data["project"]["name"] == member.name, "the folder is named after the distribution"
    assert data["build-system"]["build-backend"] == "hatchling.build"
    assert any(r.startswith("hatchling") for r in data["build-system"]["requires"])
    assert data["project"]["dynamic"] == ["version"]
    package = import_package(member)
    about = member / data["tool"]["hatch"]["version"]["path"]
    assert about == package / "__about__.py" and about.is_file()
    assert "__version__ = " in about.read_text()
    assert (package / "__init__.py").is_file()
    assert (package / "py.typed").is_file()
    assert (member / "README.md").is_file()


@pytest.mark.parametrize("member", MEMBERS, ids=ids(MEMBERS))
def test_member_has_its_own_tests(member: Path) -> None:
    # An empty directory does not survive a git clone, so there must be a test module in it.
    tests = member / "tests"
    assert tests.is_dir() and any(tests.rglob("test_*.py")), (
        f"{member.name}/tests/ has no test_*.py"
    )


@pytest.mark.parametrize("member", MEMBERS + TEST_PLUGINS, ids=ids(MEMBERS + TEST_PLUGINS))
def test_a_godel_entry_point_names_the_plugin_module(member: Path) -> None:
    entry_points = pyproject(member)["project"].get("entry-points", {}).get("godel", {})
    package = import_package(member)
    for name, value in entry_points.items():
        assert value == f"{package.name}.plugin", (
            f"{name} = {value}: the hookimpl module is <package>.plugin"
        )
        assert (package / "plugin.py").is_file()


AGENT_BACKENDS = {"godel-claude", "godel-copilot", "godel-codex"}


@pytest.mark.parametrize("member", MEMBERS + TEST_PLUGINS, ids=ids(MEMBERS + TEST_PLUGINS))
def test_dependencies_on_godel_core_are_ranges_and_members_are_independent(member: Path) -> None:
    name = dist_name(member)
    requirements = [Requirement(r) for r in pyproject(member)["project"].get("dependencies", [])]
    siblings = [r for r in requirements if r.name in MEMBER_NAMES]
    # An agent backend also brings the `godel` command: `pip install godel-core godel-claude`
    # is how users install godel, as godel-py's one package gave them `godel run`.
    allowed = {"godel-core", "godel-cli"} if name in AGENT_BACKENDS else {"godel-core"}
    for req in siblings:
        assert req.name in allowed, f"{name} depends on {req.name}: plugins depend on the core only"
        operators = {spec.operator for spec in req.specifier}
        assert "==" not in operators and "===" not in operators, f"{name} pins {req}"
        assert any(op in {">=", ">", "~="} for op in operators), (
            f"{name}: {req} needs a lower bound"
        )
        assert any(op in {"<", "~="} for op in operators), f"{name}: {req} needs an upper bound"
    if name != "godel-core":
        assert sorted(r.name for r in siblings) == sorted(allowed), (
            f"{name} must depend on {' and '.join(sorted(allowed))}"
        )


def test_the_core_range_admits_the_current_core() -> None:
    core = next(m for m in MEMBERS if dist_name(m) == "godel-core")
    ns: dict[str, str] = {}
    exec((import_package(core) / "__about__.py").read_text(), ns)
    for member in MEMBERS + TEST_PLUGINS:
        for raw in pyproject(member)["project"].get("dependencies", []):
            req = Requirement(raw)
            if req.name == "godel-core":
                assert req.specifier.contains(ns["__version__"]), f"{dist_name(member)}: {req}"
