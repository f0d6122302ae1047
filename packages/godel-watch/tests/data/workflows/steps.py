"""Recorded in data/runs: parallel commands, a step retried three times, nested steps, an input."""

from godel import WorkflowFail, det, input, parallel, print, retry, run, step, workflow


@step
async def branch(name: str) -> str:
    await run(["sh", "-c", f"echo start {name}; sleep 0.2; echo end {name}"])
    return name


@retry(3)
@step
async def flaky() -> int:
    v = det.randint(1, 3)
    await print(f"try {v}")
    if True:
        raise WorkflowFail("nope")
    return v


@step
async def outer():
    await inner()


@step
async def inner():
    await print("deep")


@workflow
async def demo() -> None:
    await print("hello")
    await parallel(branch("a"), branch("b"))
    try:
        await flaky()
    except Exception:
        pass
    await outer()
    name = await input("name? ")
    await print(f"hi {name}")
