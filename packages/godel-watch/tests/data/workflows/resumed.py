"""Recorded in data/runs: fails in step two, then `FLAG=ok godel resume` runs it to the end."""

import os

from godel import WorkflowFail, print, run, step, workflow


@step
async def one() -> str:
    r = await run(["echo", "one"])
    return r.stdout


@step
async def two() -> str:
    if os.environ.get("FLAG") != "ok":  # outside the log: a resume with FLAG=ok gets past it
        raise WorkflowFail(
            "flag not ok",
        )
    await print("two ok")
    return "ok"


@workflow
async def resumed() -> None:
    await one()
    await two()
    await print("done")
