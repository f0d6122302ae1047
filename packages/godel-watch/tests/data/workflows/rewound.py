"""Recorded in data/runs: two steps, then `godel rewind` to the second one (it is invalidated)."""

from godel import det, print, step, workflow


@step
async def first() -> float:
    return det.random()


@step
async def second() -> float:
    value = det.random()
    await print(f"second drew {value:.3f}")
    return value


@workflow
async def rewound() -> None:
    await first()
    await second()
