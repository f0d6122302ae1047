"""Claude Code and the Copilot CLI review a patch in parallel, then a command checks it."""

from godel import parallel, run, step, workflow
from godel.agents import claude_code, copilot


@step
async def review(agent, who: str) -> str:
    return await agent(f"Review this patch as {who}: greet() now adds a comma.")


@step
async def check() -> str:
    result = await run(["sh", "-c", "echo tests: 3 passed"], idempotent=True)
    return result.stdout.strip()


@workflow
async def team() -> list[str]:
    reviews = await parallel(
        review(claude_code(model="sonnet"), "claude"),
        review(copilot(model="sonnet"), "copilot"),
    )
    return [*reviews, await check()]
