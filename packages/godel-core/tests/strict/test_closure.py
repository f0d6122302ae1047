"""Strict mode, layer 1 across files: the workflow and the project modules it imports."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from godel.strict import closure, format_violations, scan_workflow


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def where(violations: list) -> list[tuple[str, int]]:
    return [
        (Path(v.file).name if Path(v.file).is_absolute() else v.file, v.line) for v in violations
    ]


def test_a_sibling_helper_is_scanned_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        {
            "wf.py": """\
            import helpers
            from godel import workflow

            @workflow
            async def wf():
                return helpers.stamp()
        """,
            "helpers.py": """\
            import time
            def stamp():
                return time.time()
        """,
        },
    )
    monkeypatch.chdir(tmp_path)
    violations = scan_workflow("wf.py")
    assert format_violations(violations) == (
        "helpers.py:1: import time (clock) — use godel.det.now() or godel.sleep() instead\n"
        "helpers.py:3: time.time() — use godel.det.now() instead"
    )
    # Given an absolute workflow path, files are named absolutely.
    assert [v.file for v in scan_workflow(tmp_path / "wf.py")] == [str(tmp_path / "helpers.py")] * 2


def test_packages_and_relative_imports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "wf.py": "from pkg import mod\n",
            "pkg/__init__.py": "import random\nSEED = random.random()\n",
            "pkg/mod.py": "from .sub import run_it\nfrom . import other\n",
            "pkg/sub.py": "import subprocess\ndef run_it():\n    subprocess.run(['ls'])\n",
            "pkg/other.py": "from .deep.leaf import x\n",
            "pkg/deep/__init__.py": "",
            "pkg/deep/leaf.py": "from ..sub import run_it\nimport os\nx = os.system('ls')\n",
            "pkg/unused.py": "import time\ntime.time()\n",  # never imported: not scanned
        },
    )
    violations = scan_workflow(tmp_path / "wf.py")
    assert [
        (Path(v.file).relative_to(tmp_path).as_posix(), v.line, v.message.split(" — ")[0])
        for v in violations
    ] == [
        ("pkg/__init__.py", 1, "import random (randomness)"),
        ("pkg/__init__.py", 2, "random.random()"),
        ("pkg/deep/leaf.py", 3, "os.system()"),
        ("pkg/sub.py", 1, "import subprocess (process)"),
        ("pkg/sub.py", 3, "subprocess.run()"),
    ]


def test_import_a_dotted_name_scans_every_package_on_the_way(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "wf.py": "import a.b.c\n",
            "a/__init__.py": "import threading\n",
            "a/b/__init__.py": "",
            "a/b/c.py": "import uuid\nuuid.uuid4()\n",
        },
    )
    assert where(scan_workflow(tmp_path / "wf.py")) == [("__init__.py", 1), ("c.py", 2)]
    assert [
        p.relative_to(tmp_path).as_posix() for p in closure.project_modules(tmp_path / "wf.py")
    ] == ["wf.py", "a/__init__.py", "a/b/__init__.py", "a/b/c.py"]


def test_modules_outside_the_project_are_not_scanned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    write(outside, {"extlib.py": "import time\ntime.time()\n"})
    write(
        project,
        {"wf.py": "import json, pydantic, extlib, not_installed_anywhere\nfrom os import path\n"},
    )
    monkeypatch.syspath_prepend(str(outside))  # importable, yet not part of the project
    assert scan_workflow(project / "wf.py") == []
    assert closure.project_modules(project / "wf.py") == [project / "wf.py"]


def test_project_root_is_searched_after_the_workflow_directory(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "flows/wf.py": "from lib.util import go\nimport helpers\n",
            "flows/helpers.py": "import time\ntime.sleep(1)\n",
            "helpers.py": "import os\nos.system('x')\n",  # shadowed by flows/helpers.py
            "lib/util.py": "import os\ndef go():\n    os.remove('x')\n",
        },
    )
    violations = scan_workflow(tmp_path / "flows" / "wf.py", project_root=tmp_path)
    assert [
        (Path(v.file).relative_to(tmp_path).as_posix(), v.message.split(" — ")[0])
        for v in violations
    ] == [
        ("flows/helpers.py", "import time (clock)"),
        ("flows/helpers.py", "time.sleep()"),
        ("lib/util.py", "os.remove()"),
    ]
    # Without project_root, only the workflow's directory counts.
    assert where(scan_workflow(tmp_path / "flows" / "wf.py")) == [
        ("helpers.py", 1),
        ("helpers.py", 2),
    ]


def test_import_cycles_terminate_and_each_file_is_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        {
            "wf.py": "import a, b\nfrom a import f\n",
            "a.py": "import b\nimport time\ndef f():\n    return time.time()\n",
            "b.py": "import a\nfrom a import f\nimport wf\n",
        },
    )
    parsed: list[str] = []
    real_parse = closure.parse

    def counting(source: str, filename: str):  # type: ignore[no-untyped-def]
        parsed.append(Path(filename).name)
        return real_parse(source, filename)

    monkeypatch.setattr(closure, "parse", counting)
    assert where(scan_workflow(tmp_path / "wf.py")) == [("a.py", 2), ("a.py", 4)]
    assert sorted(parsed) == ["a.py", "b.py", "wf.py"]


def test_violations_are_sorted_by_file_then_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        {
            "wf.py": "import zeta, alpha\nimport time\ntime.time()\nimport socket\n",
            "zeta.py": "import os\nos.fork()\nos.system('x')\n",
            "alpha.py": "import uuid\n\nuuid.uuid1()\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    assert [(v.file, v.line) for v in scan_workflow("wf.py")] == [
        ("alpha.py", 3),
        ("wf.py", 2),
        ("wf.py", 3),
        ("wf.py", 4),
        ("zeta.py", 2),
        ("zeta.py", 3),
    ]


def test_unparsable_and_unreadable_modules_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        {
            "wf.py": "import broken, garbled\nimport time\ntime.time()\n",
            "broken.py": "x = 1\n\ndef f(:\n",
        },
    )
    (tmp_path / "garbled.py").write_bytes(b"x = '\xff\xfe'\n")
    monkeypatch.chdir(tmp_path)
    violations = scan_workflow("wf.py")
    assert [(v.file, v.line) for v in violations] == [
        ("broken.py", 3),
        ("garbled.py", 0),
        ("wf.py", 2),
        ("wf.py", 3),
    ]
    assert violations[0].message.startswith("syntax error: ")
    assert violations[1].message.startswith("cannot read: ")


def test_syntax_error_in_the_workflow_is_a_violation(tmp_path: Path) -> None:
    write(tmp_path, {"wf.py": "async def wf(:\n    pass\n"})
    [v] = scan_workflow(tmp_path / "wf.py")
    assert (v.line, v.layer) == (1, "ast") and v.message.startswith("syntax error: ")


def test_noqa_works_in_helper_modules(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "wf.py": "import helpers\n",
            "helpers.py": (
                "import time  # godel: noqa: strict\n"
                "T0 = time.time()  # godel: noqa: strict\n"
                "T1 = time.time()\n"
            ),
        },
    )
    assert where(scan_workflow(tmp_path / "wf.py")) == [("helpers.py", 3)]


def test_a_missing_workflow_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        scan_workflow(tmp_path / "nope.py")


def test_a_sibling_named_like_a_standard_module_is_not_scanned(tmp_path: Path) -> None:
    # `godel run` puts the workflow's folder after the standard library: `import queue` is
    # Python's, so the queue.py beside it never runs and is not the workflow's code.
    write(
        tmp_path,
        {
            "wf.py": """\
            import queue
            from godel import workflow

            @workflow
            async def wf():
                return queue.Queue().qsize()
        """,
            "queue.py": """\
            import time
            NOW = time.time()
        """,
        },
    )
    assert scan_workflow(tmp_path / "wf.py") == []
