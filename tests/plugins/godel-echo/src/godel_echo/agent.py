"""The echo agent: answers every prompt with the prompt itself."""


class Echo:
    async def __call__(self, prompt: str) -> str:
        return prompt


def echo(**_options):
    return Echo()
