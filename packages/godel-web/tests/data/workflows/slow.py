"""Many short steps, one after the other: a run to watch live, and to pause."""

from godel import run, step, workflow


@step
async def tick(i: int) -> int:
    await run(["sleep", "0.15"], idempotent=True)
    return i


@workflow
async def slow(n: str = "40") -> int:
    total = 0
    for i in range(int(n)):
        total += await tick(i)
    return total
