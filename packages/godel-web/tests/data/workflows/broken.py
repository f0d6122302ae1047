"""A step runs a command that fails: the run fails with the command's error."""

from godel import print, run, step, workflow


@step
async def build(target: str) -> str:
    await print(f"building {target}")
    result = await run(["sh", "-c", "echo compiling; echo 'error: missing semicolon' >&2; exit 2"])
    return result.stdout


@workflow
async def broken(target: str = "app") -> str:
    return await build(target)
