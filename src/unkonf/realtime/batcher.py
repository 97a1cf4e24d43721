"""Many callers on the event loop, one database call: the lookups of simultaneous connects.

A reconnect storm brings thousands of connects and subscribes within a second, and every one
of them needs a few rows (session, user, barcamp, roles, the stream's last seq). One call into
the consumers' database thread per connect and a query per row kept that thread busy for
seconds (docs/benchmarks.md, "Reconnect storm"). A ``Batcher`` collects the calls that arrive
within ``window`` seconds (or until ``limit`` are waiting), runs ``work`` once for all of them
in the database thread (``db_call``) and hands each caller its own result. While a batch of
this batcher is running, new callers wait for the next one, so a busy thread gets fewer,
larger batches by itself and a quiet one answers after ``window``.

``work`` gets the items in order and returns one result per item, in the same order. If it
raises, every caller of that batch gets the exception (as each would have alone).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from unkonf.realtime.dbthread import db_call

T = TypeVar("T")
R = TypeVar("R")

WINDOW = 0.005
LIMIT = 200


class Batcher(Generic[T, R]):
    def __init__(
        self,
        work: Callable[[Sequence[T]], Sequence[R]],
        *,
        window: float = WINDOW,
        limit: int = LIMIT,
    ) -> None:
        self._work = work
        self._call = db_call(self._checked)
        self.window = window
        self.limit = limit
        self._loop: asyncio.AbstractEventLoop | None = None
        self._items: list[T] = []
        self._futures: list[asyncio.Future[R]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._running = 0
        self._due = False
        self._tasks: set[asyncio.Task[None]] = set()  # the loop keeps only weak references

    async def __call__(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new loop (tests run one per test): nothing carries over
            self._loop = loop
            self._items, self._futures = [], []
            self._timer, self._running, self._due, self._tasks = None, 0, False, set()
        future: asyncio.Future[R] = loop.create_future()
        self._items.append(item)
        self._futures.append(future)
        if len(self._items) >= self.limit:
            self._flush()
        elif self._timer is None and not self._due:
            self._timer = loop.call_later(self.window, self._window_over)
        return await future

    def _window_over(self) -> None:
        self._timer = None
        if self._running:
            self._due = True  # flushed when the running batch is done
        else:
            self._flush()

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._due = False
        items, futures = self._items, self._futures
        self._items, self._futures = [], []
        if not items:
            return
        self._running += 1
        task = asyncio.get_running_loop().create_task(self._run(items, futures))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _checked(self, items: Sequence[T]) -> Sequence[R]:
        results = self._work(items)
        if len(results) != len(items):
            raise RuntimeError(f"batch work returned {len(results)} results for {len(items)}")
        return results

    async def _run(self, items: list[T], futures: list[asyncio.Future[R]]) -> None:
        try:
            results = await self._call(items)
        except asyncio.CancelledError:
            for future in futures:
                future.cancel()
            raise
        except Exception as error:
            for future in futures:
                if not future.done():
                    future.set_exception(error)
        else:
            for future, result in zip(futures, results, strict=True):
                if not future.done():  # the caller went away meanwhile
                    future.set_result(result)
        finally:
            self._running -= 1
            if self._due and not self._running:
                self._flush()
