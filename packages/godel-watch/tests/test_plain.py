"""Plain mode, line by line, on recorded runs: ``godel watch RUN -p`` as a user runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

EXPECTED = Path(__file__).parent / "data" / "plain"
PAIR, REVIEW = "01M8TGNZAWGE41H4K7YST6CF5A", "01M8TH8KEZ1A2FY9GN22VZ5Y97"
STEPS, RESUMED = "01M8TH8TZVARYSWWAT4K4HPHY5", "01M8TH92CPNBTGQE72JAMNXD6F"


@pytest.mark.parametrize(
    ("run_id", "flags", "expected"),
    [
        (PAIR, [], "pair.txt"),
        (PAIR, ["-v"], "pair-verbose.txt"),
        (REVIEW, ["--max-agent-lines", "2", "--show-tools"], "parallel_review-2-lines.txt"),
        (STEPS, [], "steps.txt"),
        (RESUMED, [], "resumed.txt"),
    ],
)
def test_plain_output_line_by_line(godel, runs, run_id, flags, expected) -> None:
    result = godel("watch", run_id[:10], "--runs-dir", str(runs), "-p", *flags)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == (EXPECTED / expected).read_text().splitlines()


def test_plain_is_automatic_when_stdout_is_not_a_terminal(godel, runs) -> None:
    result = godel("watch", STEPS, "--runs-dir", str(runs))
    assert result.stdout.splitlines() == (EXPECTED / "steps.txt").read_text().splitlines()


def test_the_pair_run_shows_steps_commands_agents_prints_and_the_end(godel, runs) -> None:
    lines = godel("watch", PAIR, "--runs-dir", str(runs), "-p").stdout.splitlines()
    assert lines[0] == f"── run {PAIR} · pair() ──"
    assert "▸ implement" in lines
    assert "  $ python3 pair-work/program.py" in lines
    assert "  › claude/sonnet" in lines
    assert "    Created program.py: it prints hello, world." in lines
    assert "  ✓ claude/sonnet · 200→35 tok · $0.0011 · 1.115s" in lines
    assert "» program output: hello, world" in lines
    assert lines[-1] == "── finished in 3.669s · 357 tok · $0.0011 ──"
    assert not any("⚒" in line for line in lines)  # tools only with --show-tools


def test_the_answer_cap_counts_what_it_hides(godel, runs) -> None:
    lines = godel("watch", REVIEW, "--runs-dir", str(runs), "--max-agent-lines", "1").stdout
    assert "[b1]     Looks good to me.\n[b1]     … +2 lines\n" in lines
    assert "[b2]     Approve.\n[b2]     … +1 lines\n" in lines


def test_branch_badges_mark_parallel_lines_only(godel, runs) -> None:
    lines = godel("watch", STEPS, "--runs-dir", str(runs)).stdout.splitlines()
    badged = [line for line in lines if line.startswith("[b")]
    assert {line[:4] for line in badged} == {"[b1]", "[b2]"}
    assert all("branch" in line or "$ sh" in line or "│" in line for line in badged)
    assert "» hello" in lines and "» hi bob" in lines


def test_colour_only_on_a_terminal(godel, runs) -> None:
    assert "\x1b[" not in godel("watch", PAIR, "--runs-dir", str(runs)).stdout


def test_a_step_written_as_one_line_is_shown_starting(godel, tmp_path) -> None:
    # A step that neither records anything nor waits is one FINISHED line in the log.
    (tmp_path / "quick.py").write_text(
        "from godel import step, workflow\n\n\n@step\nasync def quick():\n    return 1\n\n\n"
        "@workflow\nasync def main():\n    return await quick()\n"
    )
    assert godel("run", "quick.py", "--no-lint").returncode == 0
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    lines = godel("watch", log.name[:10], "-p").stdout.splitlines()
    assert "▸ quick" in lines


def test_a_crashed_run_with_a_torn_last_line_ends(godel, writer) -> None:
    # The writer died mid-line: the last line has no newline, and no process holds the run.
    # It ends as a crashed run without a torn line does (godel tail judges it the same way).
    run_id = writer.agent_run(estimated=False)
    log = writer.runs / f"{run_id}.jsonl"
    log.write_bytes(log.read_bytes()[:-40])
    result = godel("watch", run_id, "-p", "--runs-dir", str(writer.runs), timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "── interrupted: no process holds the run and it recorded no end "
        f"(resume with: godel resume {run_id} --runs-dir {writer.runs}) ──"  # works as printed
    )
    assert "ignored a torn last line" in result.stderr  # as godel show says it


def test_a_crashed_run_of_a_store_names_the_store_in_its_resume_hint(godel, writer) -> None:
    run_id = writer.agent_run(estimated=False)
    log = writer.runs / f"{run_id}.jsonl"
    log.write_bytes(log.read_bytes()[:-40])
    url = f"file://{writer.runs}"
    result = godel("watch", run_id, "-p", "--store", url, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].endswith(
        f"(resume with: godel resume {run_id} --store {url}) ──"
    )


def test_estimated_costs_are_marked_as_godel_show_marks_them(godel, writer) -> None:
    run_id = writer.agent_run()
    lines = godel("watch", run_id, "-p", "--runs-dir", str(writer.runs)).stdout.splitlines()
    assert any(line.startswith("  ✓ copilot/gpt-5 · 1000→100 tok · ~$0.0200 · ") for line in lines)
    assert lines[-1].endswith(" · 1100 tok · ~$0.0200 ──")
    shown = godel("show", run_id, "--runs-dir", str(writer.runs)).stdout
    assert "~$0.0200 spent" in shown
    # A cost the agent reported is no estimate.
    run_id = writer.agent_run(estimated=False)
    lines = godel("watch", run_id, "-p", "--runs-dir", str(writer.runs)).stdout.splitlines()
    assert any(line.startswith("  ✓ copilot/gpt-5 · 1000→100 tok · $0.0200 · ") for line in lines)
    assert lines[-1].endswith(" · 1100 tok · $0.0200 ──")


def test_verbose_shows_a_large_prompt_whole(godel, writer) -> None:
    # Over 4 KiB, the log keeps a preview of the prompt and the text in its blob sidecar.
    prompt = "\n".join(f"prompt line {i}" for i in range(300))
    run_id = writer.agent_run(prompt)
    assert "[godel: " in (writer.runs / f"{run_id}.jsonl").read_text()
    out = godel("watch", run_id, "-p", "-v", "--runs-dir", str(writer.runs)).stdout
    assert "[godel: " not in out
    lines = out.splitlines()
    start = lines.index("  › copilot/gpt-5")
    assert lines[start + 1 : start + 301] == [f"    prompt line {i}" for i in range(300)]
    # Capped, the count of what is left out is the prompt's, not the preview's.
    lines = godel("watch", run_id, "-p", "--runs-dir", str(writer.runs)).stdout.splitlines()
    start = lines.index("  › copilot/gpt-5")
    assert lines[start + 20 : start + 22] == ["    prompt line 19", "    … +280 lines"]


def test_a_step_run_again_after_a_crash_is_its_next_attempt(godel, writer) -> None:
    run_id = writer.crashed_then_resumed()
    lines = godel("watch", run_id, "-p", "--runs-dir", str(writer.runs)).stdout.splitlines()
    assert lines[1:6] == [
        "▸ fast",
        "▸ slow",
        "── resume: attempt 2 ──",
        "▸ slow (attempt 2)",
        lines[5],
    ]
    assert lines[5].startswith("── finished in ")
