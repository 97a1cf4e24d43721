"""``realtime.batcher``: callers that arrive together share one call of the work."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from unkonf.realtime.batcher import Batcher

pytestmark = [pytest.mark.unit]


def test_callers_within_the_window_share_one_call_and_each_gets_its_own_result() -> None:
    calls: list[list[int]] = []

    def work(items: Sequence[int]) -> list[int]:
        calls.append(list(items))
        return [item * 10 for item in items]

    batcher: Batcher[int, int] = Batcher(work, window=0.01)

    async def scenario() -> list[int]:
        return await asyncio.gather(*(batcher(n) for n in range(5)))

    assert asyncio.run(scenario()) == [0, 10, 20, 30, 40]
    assert calls == [[0, 1, 2, 3, 4]]


def test_a_full_batch_goes_at_once_and_the_rest_waits_for_the_next() -> None:
    calls: list[list[int]] = []

    def work(items: Sequence[int]) -> list[int]:
        calls.append(list(items))
        return list(items)

    batcher: Batcher[int, int] = Batcher(work, window=0.01, limit=2)

    async def scenario() -> list[int]:
        return await asyncio.gather(*(batcher(n) for n in range(5)))

    assert asyncio.run(scenario()) == [0, 1, 2, 3, 4]
    assert calls == [[0, 1], [2, 3], [4]]


def test_callers_arriving_while_a_batch_runs_go_together_into_the_next() -> None:
    calls: list[list[int]] = []
    started, release = threading.Event(), threading.Event()

    def work(items: Sequence[int]) -> list[int]:
        calls.append(list(items))
        if len(calls) == 1:
            started.set()
            release.wait(5)
        return list(items)

    batcher: Batcher[int, int] = Batcher(work, window=0.001)

    async def scenario() -> list[int]:
        first = asyncio.ensure_future(batcher(0))
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 5)
        later = [asyncio.ensure_future(batcher(n)) for n in (1, 2, 3)]
        await asyncio.sleep(0.05)  # many windows pass while the first batch runs
        release.set()
        return [await first, *await asyncio.gather(*later)]

    assert asyncio.run(scenario()) == [0, 1, 2, 3]
    assert calls == [[0], [1, 2, 3]]


def test_an_error_reaches_every_caller_of_its_batch_and_the_next_batch_works() -> None:
    def work(items: Sequence[int]) -> list[int]:
        if 13 in items:
            raise LookupError("unlucky")
        return list(items)

    batcher: Batcher[int, int] = Batcher(work, window=0.01)

    async def scenario() -> tuple[list[object], int]:
        failed = await asyncio.gather(*(batcher(n) for n in (12, 13, 14)), return_exceptions=True)
        return failed, await batcher(15)

    failed, after = asyncio.run(scenario())
    assert [type(result) for result in failed] == [LookupError] * 3
    assert after == 15


def test_a_caller_that_gave_up_does_not_disturb_the_others() -> None:
    def work(items: Sequence[int]) -> list[int]:
        return list(items)

    batcher: Batcher[int, int] = Batcher(work, window=0.02)

    async def scenario() -> list[int]:
        gone = asyncio.ensure_future(batcher(1))
        staying = asyncio.ensure_future(batcher(2))
        await asyncio.sleep(0)
        gone.cancel()
        return [await staying]

    assert asyncio.run(scenario()) == [2]


def test_a_batch_work_that_returns_too_few_results_fails_its_callers() -> None:
    batcher: Batcher[int, int] = Batcher(lambda items: list(items)[:1], window=0.01)

    async def scenario() -> list[object]:
        return await asyncio.gather(batcher(1), batcher(2), return_exceptions=True)

    assert [type(result) for result in asyncio.run(scenario())] == [RuntimeError] * 2
