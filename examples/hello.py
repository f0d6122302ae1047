"""A first godel workflow: steps, a subprocess, parallel branches and recorded randomness.

    godel run examples/hello.py -- world

Every effect lands in runs/<run_id>.jsonl; look at it with `jq . runs/*.jsonl` or `godel show`.
"""

from godel import det, parallel, print, run, step, workflow


@step
async def count_files(directory: str) -> int:
    result = await run(["ls", "-1", directory])
    return len(result.stdout.splitlines())


@step
async def roll(name: str) -> str:
    return f"{name} rolled {det.randint(1, 6)}"


@workflow
async def hello(name: str = "world") -> list[str]:
    await print(f"hello, {name}")
    files = await count_files(".")
    await print(f"{files} entries in the current directory")
    rolls = await parallel(roll("alice"), roll("bob"), roll(name))
    for line in rolls:
        await print(line)
    return list(rolls)
