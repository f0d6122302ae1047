"""Two agents review the same change side by side, then a person decides (for `godel watch`).

Claude Code and the Copilot CLI each review a small patch in a `parallel` branch; their
answers stream into the watch view as they arrive, then `godel.input` asks you whether to
merge. Offline, against godel's fake model server and the real CLIs:

    make watch-demo

For real (your own claude and copilot logins):

    godel run examples/parallel_review.py --watch
"""

from godel import input, parallel, print, step, workflow
from godel.agents import claude_code, copilot

PATCH = """\
--- a/greet.py
+++ b/greet.py
@@ -1,2 +1,2 @@
 def greet(name):
-    return "Hello " + name
+    return f"Hello, {name}!"
"""


@step
async def review(agent, who: str) -> str:
    return await agent(f"Review this patch as {who}. Answer in a few short lines.\n\n{PATCH}")


@workflow
async def parallel_review() -> str:
    reviews = await parallel(
        review(claude_code(model="sonnet"), "claude"),
        review(copilot(model="sonnet"), "copilot"),
    )
    for who, text in zip(("claude", "copilot"), reviews, strict=True):
        await print(f"{who}: {text.splitlines()[0] if text else '(no answer)'}")
    decision = await input("merge the patch? [y/n] ")
    verdict = "merged" if decision.strip().lower().startswith("y") else "left open"
    await print(f"patch {verdict}")
    return verdict
