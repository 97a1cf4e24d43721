"""Taps from the websocket, in bursts: one database call and one commit for many taps.

When a hall taps "I'm in" within the same few seconds, each tap on its own would be a
transaction of its own in the consumers' one database thread (``realtime.dbthread``): a
commit each, one after the other. Here the taps that arrive while the database thread is
busy (or within ``WINDOW`` seconds of a quiet moment) wait together and go to
``services.set_interests`` as one burst; every tap still gets its own answer, in order.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from unkonf.events.models import Event
from unkonf.proposals.exceptions import InterestRefused
from unkonf.proposals.services import Tap, TapResult, set_interests
from unkonf.realtime.dbthread import db_call

WINDOW = 0.005  # seconds a first tap waits for company
MAX_BURST = 250


@dataclass
class _Waiting:
    event: Event
    taps: list[Tap] = field(default_factory=list)
    answers: list[asyncio.Future[TapResult | InterestRefused]] = field(default_factory=list)


class TapQueue:
    """Per event loop (one per server process)."""

    def __init__(self) -> None:
        self._waiting: dict[int, _Waiting] = {}
        self._worker: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def tap(self, event: Event, tap: Tap) -> TapResult | InterestRefused:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop (tests run one per scenario)
            self._loop, self._waiting, self._worker = loop, {}, None
        waiting = self._waiting.setdefault(event.pk, _Waiting(event))
        answer: asyncio.Future[TapResult | InterestRefused] = loop.create_future()
        waiting.taps.append(tap)
        waiting.answers.append(answer)
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._work(), name="unkonf-taps")
        return await answer

    async def _work(self) -> None:
        await asyncio.sleep(WINDOW)
        while self._waiting:
            bursts, self._waiting = self._waiting, {}
            for waiting in bursts.values():
                for start in range(0, len(waiting.taps), MAX_BURST):
                    taps = waiting.taps[start : start + MAX_BURST]
                    answers = waiting.answers[start : start + MAX_BURST]
                    try:
                        results = await db_call(set_interests)(waiting.event, taps)
                    except Exception as error:  # the database is away: every tap hears it
                        for answer in answers:
                            if not answer.done():
                                answer.set_exception(error)
                        continue
                    for answer, result in zip(answers, results, strict=True):
                        if not answer.done():
                            answer.set_result(result)


_queue = TapQueue()


async def tap(event: Event, tap: Tap) -> TapResult | InterestRefused:
    """Apply one tap together with the others of the moment; its own result."""
    return await _queue.tap(event, tap)
