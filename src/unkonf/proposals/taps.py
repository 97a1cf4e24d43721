"""Taps from the websocket, in bursts: one database call and one commit for many taps.

When a hall taps "I'm in" within the same few seconds, each tap on its own would be a
transaction of its own in the consumers' one database thread (``realtime.dbthread``): a
commit each, one after the other. Here the taps that arrive together (``realtime.batcher``:
within a few milliseconds, or while the previous burst is being written) go to
``services.set_interests`` as one burst per barcamp; every tap still gets its own answer, in
the order the taps came.
"""

from __future__ import annotations

from collections.abc import Sequence

from unkonf.events.models import Event
from unkonf.proposals.exceptions import InterestRefused
from unkonf.proposals.services import Tap, TapResult, set_interests
from unkonf.realtime.batcher import Batcher

Answer = TapResult | InterestRefused


def _apply(items: Sequence[tuple[Event, Tap]]) -> list[Answer]:
    """Each barcamp's taps as one burst; the answers back in the order of ``items``."""
    by_event: dict[int, tuple[Event, list[int]]] = {}
    for index, (event, _tap) in enumerate(items):
        by_event.setdefault(event.pk, (event, []))[1].append(index)
    answers: list[Answer | None] = [None] * len(items)
    for event, indexes in by_event.values():
        results = set_interests(event, [items[i][1] for i in indexes])
        for index, result in zip(indexes, results, strict=True):
            answers[index] = result
    return [answer for answer in answers if answer is not None]


_taps: Batcher[tuple[Event, Tap], Answer] = Batcher(_apply, limit=250)


async def tap(event: Event, tap: Tap) -> Answer:
    """Apply one tap together with the others of the moment; its own result."""
    return await _taps((event, tap))
