"""The pre-flight cache: a pass is remembered until what it read changes, and a hit looks the same.

Whether the checks ran is seen from the inside: ``python -X importtime`` lists the modules a
process imported, and a hit imports neither the linter's rules and configuration nor the strict
scanner's name resolver.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

GODEL = Path(sys.executable).parent / "godel"
Project = Any  # the ``project`` fixture (conftest.Project)

WORKFLOW = """\
from godel import step, workflow


@step
async def one() -> int:
    return 1


@workflow
async def main():
    return await one()
"""
WARNS = """\
from godel import workflow


@workflow
async def main():
    return None
"""
CHECKERS = ("godel.lint.functions", "godel.lint.config", "godel.strict.names")


def run(project: Project, *args: str, env: dict[str, str] | None = None):
    """``godel run ARGS`` under ``-X importtime``: (process, the godel modules it imported)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", str(GODEL), "run", *args],
        capture_output=True,
        text=True,
        cwd=project.root,
        env=project.env({"XDG_CACHE_HOME": str(project.home / ".cache"), **(env or {})}),
        timeout=120,
    )
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in proc.stderr.splitlines()
        if "import time:" in line
    }
    shown = "\n".join(line for line in proc.stderr.splitlines() if "import time:" not in line)
    return proc, imported, shown


def checked(imported: set[str]) -> bool:
    return any(name in imported for name in CHECKERS)


def records(project: Project) -> list[str]:
    folder = project.home / ".cache" / "godel" / "preflight"
    return sorted(p.name for p in folder.glob("*.json")) if folder.is_dir() else []


def test_an_unchanged_workflow_is_not_checked_again(project: Project) -> None:
    project.write("wf.py", WORKFLOW)
    first, imported, _ = run(project, "wf.py")
    assert first.returncode == 0, first.stderr
    assert checked(imported)
    assert len(records(project)) == 1
    again, imported, _ = run(project, "wf.py")
    assert again.returncode == 0, again.stderr
    assert not checked(imported)


def test_a_hit_prints_the_same_warnings(project: Project) -> None:
    project.write("wf.py", WARNS)
    first, _, shown_first = run(project, "wf.py")
    again, imported, shown_again = run(project, "wf.py")
    assert first.returncode == again.returncode == 0
    assert not checked(imported)
    warning = [line for line in shown_first.splitlines() if "PL006" in line or "hint:" in line]
    assert len(warning) == 2
    assert warning == [line for line in shown_again.splitlines() if line in warning]


def test_an_edit_that_breaks_the_workflow_is_refused(project: Project) -> None:
    wf = project.write("wf.py", WORKFLOW)
    assert run(project, "wf.py")[0].returncode == 0
    wf.write_text(WORKFLOW.replace("return 1", "import time\n    return time.time()"))
    refused, imported, shown = run(project, "wf.py")
    assert refused.returncode == 1, shown
    assert checked(imported)
    assert "strict" in shown


def test_a_new_sibling_module_that_the_workflow_imports_is_scanned(project: Project) -> None:
    project.write("wf.py", "from helpers import value\n" + WORKFLOW)
    # No helpers.py yet: it is not a project module, so the scan passes (the import fails later).
    run(project, "wf.py")
    assert len(records(project)) == 1
    time.sleep(0.05)  # a folder's mtime has the kernel tick's resolution
    project.write("helpers.py", "import random\n\nvalue = random.random()\n")
    refused, imported, shown = run(project, "wf.py")
    assert refused.returncode == 1, shown
    assert checked(imported)
    assert "helpers.py" in shown


def test_files_and_folders_an_import_cannot_find_keep_the_record(project: Project) -> None:
    """The first run makes runs/ beside the workflow, and a workflow may write its outputs
    there: the folder's time moves, its Python entries do not."""
    project.write("wf.py", WORKFLOW)
    assert not (project.root / "runs").exists()
    run(project, "wf.py")
    again, imported, shown = run(project, "wf.py")
    assert again.returncode == 0, shown
    assert not checked(imported)
    time.sleep(0.05)  # a folder's mtime has the kernel tick's resolution
    project.write("report.md", "# outputs\n")
    project.write("out/data.json", "{}")
    project.write("notes.txt", "")
    for _ in range(2):  # the first brings the record's times up to date, the second uses them
        again, imported, shown = run(project, "wf.py")
        assert again.returncode == 0, shown
        assert not checked(imported)


@pytest.mark.parametrize(
    ("module", "init"),
    [
        ("helpers", "helpers/__init__.py"),
        # A namespace package holds no .py of its own, only the packages under it.
        ("helpers.sub", "helpers/sub/__init__.py"),
    ],
)
def test_a_new_sibling_package_that_the_workflow_imports_is_scanned(
    project: Project, module: str, init: str
) -> None:
    project.write("wf.py", f"from {module} import value\n" + WORKFLOW)
    run(project, "wf.py")
    run(project, "wf.py")  # the record holds
    time.sleep(0.05)
    project.write(init, "import random\n\nvalue = random.random()\n")
    refused, imported, shown = run(project, "wf.py")
    assert refused.returncode == 1, shown
    assert checked(imported)
    assert "helpers" in shown


def test_a_new_module_in_a_folder_that_already_existed_is_scanned(project: Project) -> None:
    # lib/ exists (a namespace package with nothing in it yet): the workflow folder's entries
    # do not change when lib/util.py is written, lib/'s do.
    project.write("lib/README.md", "helpers go here\n")
    project.write("wf.py", "from lib import util\n" + WORKFLOW)
    run(project, "wf.py")
    assert len(records(project)) == 1
    time.sleep(0.05)  # a folder's mtime has the kernel tick's resolution
    project.write("lib/util.py", "import datetime\n\nvalue = datetime.datetime.now()\n")
    refused, imported, shown = run(project, "wf.py")
    assert refused.returncode == 1, shown
    assert checked(imported)
    assert "lib/util.py:3: datetime.datetime.now()" in shown


def test_lint_configuration_warnings_are_printed_by_run_checked_or_cached(
    project: Project,
) -> None:
    # As `godel lint` prints them (docs/lint.md): a mistyped table is not silently ignored.
    project.write("wf.py", WORKFLOW)
    project.write("pyproject.toml", '[tool.godel.lint]\nenable = ["PL999"]\n')
    expected = "Warning: " + str(project.root / "pyproject.toml")
    for hit in (False, True):
        proc, imported, shown = run(project, "wf.py")
        assert proc.returncode == 0, shown
        assert checked(imported) is not hit
        assert [line for line in shown.splitlines() if line.startswith("Warning:")] == [
            f"{expected} [tool.godel.lint]: unknown rule ID 'PL999' in enable (ignored)"
        ]


def test_a_configuration_change_is_seen(project: Project) -> None:
    project.write("wf.py", WARNS)
    _, _, shown = run(project, "wf.py")
    assert "PL006" in shown
    project.write("pyproject.toml", '[tool.godel.lint]\ndisable = ["PL006"]\n')
    again, imported, shown = run(project, "wf.py")
    assert again.returncode == 0
    assert checked(imported)
    assert "PL006" not in shown


@pytest.mark.parametrize("flags", [["--no-strict"], ["--no-lint"]])
def test_each_switch_has_its_own_record(project: Project, flags: list[str]) -> None:
    project.write("wf.py", WORKFLOW)
    run(project, "wf.py")
    _, imported, _ = run(project, "wf.py", *flags)
    assert checked(imported)
    assert len(records(project)) == 2


def test_it_can_be_switched_off(project: Project) -> None:
    project.write("wf.py", WORKFLOW)
    env = {"GODEL_PREFLIGHT_CACHE": "0"}
    run(project, "wf.py", env=env)
    again, imported, _ = run(project, "wf.py", env=env)
    assert again.returncode == 0
    assert checked(imported)
    assert records(project) == []


def test_an_unwritable_cache_costs_nothing_but_time(project: Project) -> None:
    (project.home / ".cache").write_text("not a folder")
    project.write("wf.py", WORKFLOW)
    for _ in range(2):
        proc, imported, shown = run(project, "wf.py")
        assert proc.returncode == 0, shown
        assert checked(imported)


def test_a_file_changed_while_the_checks_ran_is_not_vouched_for(tmp_path: Path) -> None:
    # The checks read the old text; a record with the new text's hash would let it run unread.
    from godel_cli import preflight_cache as cache

    wf = tmp_path / "wf.py"
    wf.write_text(WORKFLOW)
    record = tmp_path / "cache" / "record.json"
    since = cache.started()
    later = since + 1_000_000_000
    os.utime(wf, ns=(later, later))  # saved by an editor during the checks
    cache.save(record, [wf], [], since=since)
    assert not record.exists()
    earlier = since - 5_000_000_000
    os.utime(wf, ns=(earlier, earlier))
    cache.save(record, [wf], [], since=since)
    assert cache.load(record) == []
