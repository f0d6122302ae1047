"""Pair programming with three agents: Claude Code writes a program, the Codex CLI runs it
and reports, the Copilot CLI reviews it.

Offline, against godel's fake model server and the real CLIs (the README's main job):

    make demo

For real (your own claude, codex and copilot logins):

    godel run examples/pair.py -- "a script that prints the first ten primes"

Every agent call lands in runs/<run_id>.jsonl with its full prompt, answer, session and usage;
kill the run mid-way and `godel resume` continues without paying for the calls already made.
"""

from pydantic import BaseModel

from godel import print, read_text, run, step, workflow
from godel.agents import claude_code, codex, copilot


class Review(BaseModel):
    approved: bool
    summary: str
    issues: list[str]


@step
async def implement(coder, task: str, path: str) -> str:
    await run(
        ["rm", "-f", path]
    )  # a fresh file each run: Claude's Write tool won't blindly overwrite
    return await coder(
        f"Create the file {path.rsplit('/', 1)[-1]} in the current directory: {task}. "
        "Keep it short, standard library only."
    )


@step
async def try_it(path: str) -> str:
    result = await run(["python3", path], timeout=60)
    return result.stdout


@step
async def check(tester, path: str) -> str:
    # Codex runs the program itself (its shell tool), in a sandbox that may write only there.
    name = path.rsplit("/", 1)[-1]
    return await tester(f"Run {name} with python3 and tell me in one line what it printed.")


@step
async def review(reviewer, task: str, path: str, output: str) -> Review:
    source = await read_text(path)
    return await reviewer(
        f"Review this program against its task.\nTask: {task}\n\n{path}:\n{source}\nIts output:\n{output}",
        schema=Review,
    )


@workflow
async def pair(
    task: str = "a program that prints hello, world", workdir: str = "pair-work"
) -> bool:
    await run(["mkdir", "-p", workdir])
    coder = claude_code(
        model="sonnet",
        cwd=workdir,
        tools=["Write", "Read"],
        system_prompt="You write small, correct Python programs.",
    )
    tester = codex(model="gpt-5.5", cwd=workdir, sandbox="workspace-write")
    reviewer = copilot(model="sonnet", cwd=workdir)
    path = f"{workdir}/program.py"
    await print("claude:", await implement(coder, task, path))
    await print("codex:", await check(tester, path))
    output = await try_it(path)
    await print("program output:", output.strip())
    verdict = await review(reviewer, task, path, output)
    await print(
        f"copilot: {'approved' if verdict.approved else 'changes requested'}: {verdict.summary}"
    )
    for issue in verdict.issues:
        await print(" -", issue)
    return verdict.approved
