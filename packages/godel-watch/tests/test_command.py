"""``godel watch``'s command line: finding the run, its errors, plain mode's triggers."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

STEPS = "01M8TH8TZVARYSWWAT4K4HPHY5"
GODEL = Path(sys.executable).parent / "godel"


def test_no_runs_directory(godel, tmp_path) -> None:
    result = godel("watch", "01ABCD", "--runs-dir", str(tmp_path / "nope"))
    assert result.returncode == 1
    assert result.stderr == (
        f"[godel] No runs/ directory found at {tmp_path / 'nope'} (use --runs-dir or GODEL_RUNS_DIR)\n"
    )


def test_no_matching_run(godel, runs) -> None:
    result = godel("watch", "ZZZZZZ", "--runs-dir", str(runs))
    assert (result.returncode, result.stderr) == (
        1,
        f'[godel] No run matching "ZZZZZZ" in {runs}\n',
    )


def test_ambiguous_prefix(godel, runs) -> None:
    result = godel("watch", "01M8TH", "--runs-dir", str(runs))
    assert result.returncode == 1
    assert result.stderr.startswith('[godel] Ambiguous prefix "01M8TH" — matches: [')
    assert result.stderr.count("\n") == 1


def test_the_runs_dir_comes_from_the_environment_and_suffixes_work(godel, runs) -> None:
    result = godel("watch", STEPS[-8:], env={"GODEL_RUNS_DIR": str(runs)})
    assert result.returncode == 0
    assert result.stdout.startswith(f"── run {STEPS} · demo() ──\n")


def test_a_poll_that_is_not_a_number_of_seconds_is_a_usage_error(godel, runs) -> None:
    for poll in ("nan", "inf"):
        result = godel("watch", STEPS, "-p", "--runs-dir", str(runs), "--poll", poll)
        assert result.returncode == 2 and "Invalid value for '--poll'" in result.stderr


def test_help_lists_the_options(godel) -> None:
    out = godel("watch", "--help").stdout
    for flag in ("--runs-dir", "-p, --plain", "--show-tools", "--max-agent-lines", "-v, --verbose"):
        assert flag in out
    assert "q or Ctrl+C" in out


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run ``godel`` with a pseudo-terminal as stdout; what it wrote."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [str(GODEL), *args], stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    out = b""
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    proc.wait(timeout=30)
    os.close(leader)
    return out.decode(errors="replace")


def test_plain_on_a_terminal_when_asked_and_coloured(runs) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    base.pop("NO_COLOR", None)
    for extra, args in (
        ({"GODEL_WATCH_PLAIN": "1"}, []),
        ({"TERM": "dumb"}, []),
        ({}, ["-p"]),
    ):
        out = _on_a_terminal(["watch", STEPS, "--runs-dir", str(runs), *args], {**base, **extra})
        assert "── run 01M8TH8TZVARYSWWAT4K4HPHY5" in out, (extra, args, out)
        coloured = "\x1b[36m▸ flaky" in out
        assert coloured == (extra.get("TERM") != "dumb"), out  # a terminal that takes colour
        assert "▸ flaky" in out
        assert "finished in 0.276s" in out


def test_the_c_locale_is_not_utf8_though_python_says_so() -> None:
    # Under LC_ALL=C Python turns on its UTF-8 mode, so its preferred encoding is UTF-8: the
    # view opened on a terminal whose locale promises ASCII only.
    code = (
        "import sys; from godel_watch.command import plain_terminal\n"
        "class Tty:\n    def isatty(self): return True\n"
        "print(plain_terminal(Tty()))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env["TERM"] = "xterm-256color"
    for locale_env, plain in (({"LC_ALL": "C"}, "True"), ({"LC_ALL": "C.UTF-8"}, "False")):
        out = subprocess.run(
            [sys.executable, "-c", code], env={**env, **locale_env}, capture_output=True, text=True
        )
        assert out.stdout.strip() == plain, (locale_env, out.stderr)


def _newer_format(runs: Path) -> str:
    """A copy of the steps run whose log says it is in a format newer than godel reads."""
    log = runs / f"{STEPS}.jsonl"
    (runs / "NEWER.jsonl").write_text(log.read_text().replace('"format":1', '"format":2', 1))
    return "NEWER"


def test_a_log_in_a_newer_format_is_one_error_line_as_for_show_and_tail(godel, runs) -> None:
    run_id = _newer_format(runs)
    shown = godel("show", run_id, "--runs-dir", str(runs))
    tailed = godel("tail", run_id, "--runs-dir", str(runs))
    assert shown.returncode == tailed.returncode == 1
    assert shown.stderr.startswith(f"[godel] cannot read run {run_id}: ")
    assert "format 2 is newer than this godel reads" in shown.stderr
    watched = godel("watch", run_id, "-p", "--runs-dir", str(runs))
    assert (watched.returncode, watched.stdout, watched.stderr) == (1, "", shown.stderr)
    assert tailed.stderr == shown.stderr


def test_a_log_in_a_newer_format_closes_the_view_with_the_same_line(godel, runs) -> None:
    run_id = _newer_format(runs)
    expected = godel("show", run_id, "--runs-dir", str(runs)).stderr.strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8", COLUMNS="400")
    env.pop("NO_COLOR", None)
    out = _on_a_terminal(["watch", run_id, "--runs-dir", str(runs)], env)
    assert "\x1b[?1049h" in out  # the view opened (the terminal's alternate screen)
    assert "Traceback" not in out
    # The line is after the view closed (the terminal may wrap it at its width).
    assert expected in out.replace("\r\n", "\n"), out


def test_a_view_that_crashed_does_not_exit_0(runs, monkeypatch) -> None:
    # Textual prints the traceback of an error inside the view and returns from run() with
    # return_code 1; `godel watch` exited 0 after it, as if the run had been watched.
    from click.testing import CliRunner

    import godel_watch.app
    import godel_watch.command

    class Crashed:
        error = None
        return_code = 1

        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def run(self) -> None:
            pass

    monkeypatch.setattr(godel_watch.command, "use_plain", lambda plain: False)
    monkeypatch.setattr(godel_watch.app, "WatchApp", Crashed)
    result = CliRunner().invoke(godel_watch.command.watch, [STEPS, "--runs-dir", str(runs)])
    assert result.exit_code == 1
