"""Plugins import godel-core only through its documented surface (docs/plugins.md).

Every module of the plugin packages (godel-claude, godel-copilot, godel-codex, godel-watch, godel-web and the test
plugins under tests/plugins) is parsed, not imported; an import of a core module or name outside
``SURFACE`` fails. godel-cli, the host, may use the package-level names of any godel package, but
never a submodule path (``godel.log.eventlog``) and never a private name.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import godel
import godel.agents
import godel.cost
import godel.exceptions
import godel.lint
import godel.parsers
import godel.runs
import godel.runs.render
import godel.store

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_SOURCES = {
    **{
        name: ROOT / "packages" / name / "src"
        for name in ("godel-claude", "godel-copilot", "godel-codex")
    },
    "godel-watch": ROOT / "packages" / "godel-watch" / "src",
    "godel-web": ROOT / "packages" / "godel-web" / "src",
    "godel-postgres": ROOT / "packages" / "godel-postgres" / "src",
    **{p.name: p / "src" for p in sorted((ROOT / "tests" / "plugins").iterdir()) if p.is_dir()},
}
CLI_SOURCES = ROOT / "packages" / "godel-cli" / "src"

# module -> the names a plugin may import from it
SURFACE: dict[str, set[str]] = {
    "godel": set(godel.__all__),
    "godel.hookspecs": {"hookimpl"},
    "godel.plugins": {"Register", "PluginManager"},
    "godel.agents": set(godel.agents.__all__),
    "godel.parsers": set(godel.parsers.__all__),
    "godel.exceptions": {n for n in vars(godel.exceptions) if not n.startswith("_")},
    "godel.lint": set(godel.lint.__all__),
    # Reading runs (commands that show them, such as godel-watch): the log, never its writers.
    "godel.log": {
        "BlobStore",
        "BULK_LINES",
        "CorruptLogError",
        "Event",
        "EventLog",
        "EventStatus",
        "IdLookupError",
        "LogFormatError",
        "LogReader",
        "Op",
        "RunLockedError",
        "RUN_ID",
        "bulk_parser",
        "check_header",  # a header's format: a newer one is refused, as godel show refuses it
        "find_log",
        "from_iso",
        "list_run_ids",
        "lock_held",
        "lock_unwritable",
        "transcript_files",  # a run's transcript and its rotated archives (godel-watch)
        "parse_line",
        "parse_ts",
        "read_batches",
        # stores (godel-postgres): the error a refused writer raises, the transcript they hand out
        "Redactor",
        "Transcript",
        "resolve_id",
        "resolve_runs_dir",
        "seconds_between",
        "short_id",
        "utc_now",
    },
    # Acting on runs (godel-web's pause and rewind): what `godel pause` and `godel rewind` call.
    "godel.engine": {"is_live", "request_pause"},
    "godel.replay": {"apply_rewind"},
    # What agent calls cost (godel-web's figures, the same as `godel show` and `godel cost`).
    "godel.cost": set(godel.cost.__all__),
    "godel.runs": set(godel.runs.__all__),
    "godel.store": set(godel.store.__all__),
    "godel.runs.render": set(godel.runs.render.__all__),
}

CORE = Path(godel.__file__).parent
CORE_MODULES = {
    ".".join(("godel", *p.relative_to(CORE).with_suffix("").parts)).removesuffix(".__init__")
    for p in CORE.rglob("*.py")
}
CORE_PACKAGES = {
    ".".join(("godel", *p.parent.relative_to(CORE).parts)) for p in CORE.rglob("__init__.py")
}


def godel_imports(root: Path) -> Iterator[tuple[str, str, str | None]]:
    """(where, module, name) for every import of godel in the modules under ``root``;
    ``name`` is None for ``import module``."""
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{os.path.relpath(path, ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "godel":
                        yield where, alias.name, None
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] == "godel":
                    for alias in node.names:
                        yield where, node.module, alias.name


def plugin_violations(root: Path) -> list[str]:
    bad = []
    for where, module, name in godel_imports(root):
        if name is None:
            ok = module in SURFACE
        else:
            ok = name in SURFACE.get(module, ()) or f"{module}.{name}" in SURFACE
        if not ok:
            bad.append(f"{where}: {module}{'' if name is None else ' import ' + name}")
    return bad


def host_violations(root: Path) -> list[str]:
    """godel-cli: names from ``godel`` or a package of it (``godel.runs.render``), public
    names, never a module path (``godel.log.eventlog``)."""
    bad = []
    for where, module, name in godel_imports(root):
        full = module if name is None else f"{module}.{name}"
        too_deep = module not in CORE_PACKAGES or (
            full in CORE_MODULES and full not in CORE_PACKAGES and module != "godel"
        )
        private = (name or "").startswith("_") and not (name or "").endswith("__")
        if too_deep or private:
            bad.append(f"{where}: {module}{'' if name is None else ' import ' + name}")
    return bad


def test_the_surface_exists() -> None:
    for module, names in SURFACE.items():
        assert module in CORE_MODULES
        assert names, module
    assert {"Agent", "AgentCall", "AgentResult", "Invocation", "result_record"} <= SURFACE[
        "godel.agents"
    ]
    assert {"StreamParser", "Record", "JsonStreamParser"} <= SURFACE["godel.parsers"]


def test_the_surface_is_documented() -> None:
    text = (ROOT / "docs" / "plugins.md").read_text()
    section = re.split(r"^## ", text, flags=re.MULTILINE)
    surface = next(s for s in section if s.startswith("What a plugin may import"))
    for module in SURFACE:
        assert f"`{module}`" in surface, module


@pytest.mark.parametrize("package", sorted(PLUGIN_SOURCES))
def test_plugins_import_only_the_surface(package: str) -> None:
    assert PLUGIN_SOURCES[package].is_dir()
    assert plugin_violations(PLUGIN_SOURCES[package]) == []


def test_the_checks_catch_what_they_should(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        "import godel.agents\n"
        "from godel import hookimpl, agents\n"
        "from godel.agents import Agent\n"
        "from godel.log import JsonlStore\n"
        "from godel.agents.base import Agent as Base\n"
        "import godel.log.eventlog\n"
        "from godel.log import eventlog\n"
        "from godel.log import _private\n"
        "from godel import __version__\n"
        "def f():\n    from godel.plugins.registry import Register\n"
    )
    assert [v.split(": ", 1)[1] for v in plugin_violations(tmp_path)] == [
        "godel.log import JsonlStore",
        "godel.agents.base import Agent",
        "godel.log.eventlog",
        "godel.log import eventlog",
        "godel.log import _private",
        "godel.plugins.registry import Register",
    ]
    assert [v.split(": ", 1)[1] for v in host_violations(tmp_path)] == [
        "godel.agents.base import Agent",
        "godel.log.eventlog",
        "godel.log import eventlog",
        "godel.log import _private",
        "godel.plugins.registry import Register",
    ]


def test_the_cli_imports_package_level_names_only() -> None:
    assert host_violations(CLI_SOURCES) == []
