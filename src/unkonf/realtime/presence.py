"""Who is where: counts per place (the barcamp, a room), names of those who chose to be seen.

With Redis every connection is an entry with an expiry time in a sorted set per place; each
process refreshes its own entries, so the entries of a process that died run out within
``TTL`` seconds. Every ``HEARTBEAT`` seconds each process also sweeps the places in use
(``presence:places``): a place that lost entries by expiry gets its new count announced, so
the count is right again without waiting for someone to join or leave there. Without Redis
the one process counts itself. Changes are announced at most once per ``COALESCE`` seconds
and place.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import redis
import redis.asyncio as aioredis
from django.conf import settings

logger = logging.getLogger(__name__)

TTL = 60.0
HEARTBEAT = 20.0
COALESCE = 1.0
PLACES = "presence:places"  # every place that had an entry: what the sweep looks at


class Presence:
    def __init__(self, redis_url: str = "") -> None:
        self.redis_url = redis_url
        # place -> connection id -> shown name ("" for someone who is not shown)
        self._local: dict[str, dict[str, str]] = defaultdict(dict)
        self._redis: aioredis.Redis | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._pending: dict[str, asyncio.TimerHandle] = {}
        self._announcing: set[asyncio.Task[None]] = set()  # the loop keeps only weak references
        self.on_change: Callable[[str, int, list[str]], Awaitable[None]] | None = None

    def _client(self) -> aioredis.Redis:
        if self._redis is None:
            self._redis = aioredis.Redis.from_url(self.redis_url, socket_timeout=2)
        return self._redis

    async def join(self, place: str, conn: str, name: str) -> None:
        self._local[place][conn] = name
        if self.redis_url:
            self._ensure_heartbeat()
            try:
                pipe = self._client().pipeline()
                pipe.zadd(f"presence:{place}", {conn: time.time() + TTL})
                pipe.hset(f"presence:{place}:names", conn, name)
                pipe.sadd(PLACES, place)
                await pipe.execute()
            except (redis.RedisError, OSError):
                logger.warning("presence: Redis unavailable, %s counted locally only", place)
        self._schedule(place)

    async def leave(self, place: str, conn: str) -> None:
        entries = self._local.get(place)
        if entries is not None:
            entries.pop(conn, None)
            if not entries:
                del self._local[place]
        if self.redis_url:
            try:
                pipe = self._client().pipeline()
                pipe.zrem(f"presence:{place}", conn)
                pipe.hdel(f"presence:{place}:names", conn)
                await pipe.execute()
            except (redis.RedisError, OSError):
                pass  # the entry expires by itself
        self._schedule(place)

    async def snapshot(self, place: str) -> tuple[int, list[str]]:
        if not self.redis_url:
            entries = self._local.get(place, {})
            return len(entries), sorted(name for name in entries.values() if name)
        try:
            client = self._client()
            now = time.time()
            await client.zremrangebyscore(f"presence:{place}", "-inf", now)
            alive: list[Any] = list(await client.zrangebyscore(f"presence:{place}", now, "+inf"))
            if not alive:
                return 0, []
            names = await client.hmget(f"presence:{place}:names", alive)
            shown = sorted(n.decode() if isinstance(n, bytes) else str(n) for n in names if n)
            return len(alive), shown
        except (redis.RedisError, OSError):
            entries = self._local.get(place, {})
            return len(entries), sorted(name for name in entries.values() if name)

    def _schedule(self, place: str) -> None:
        if place in self._pending or self.on_change is None:
            return
        loop = asyncio.get_running_loop()

        def announce() -> None:
            task = loop.create_task(self._announce(place))
            self._announcing.add(task)
            task.add_done_callback(self._announcing.discard)

        self._pending[place] = loop.call_later(COALESCE, announce)

    async def _announce(self, place: str) -> None:
        self._pending.pop(place, None)
        count, names = await self.snapshot(place)
        if self.on_change is not None:
            await self.on_change(place, count, names)

    def _ensure_heartbeat(self) -> None:
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.get_running_loop().create_task(self._beat())

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            try:
                pipe = self._client().pipeline()
                expires = time.time() + TTL
                for place, entries in list(self._local.items()):
                    if entries:
                        pipe.zadd(f"presence:{place}", dict.fromkeys(entries, expires))
                        pipe.hset(f"presence:{place}:names", mapping=dict(entries))  # type: ignore[arg-type]
                        pipe.expire(f"presence:{place}:names", int(TTL * 10))
                await pipe.execute()
                await self.sweep()
            except (redis.RedisError, OSError):
                logger.warning("presence heartbeat: Redis unavailable")

    async def sweep(self) -> list[str]:
        """Remove expired entries (of processes that died) in every place; announce the places
        whose count changed. Cheap: one round trip for all places. Whichever process removes
        an entry announces its place, so each change is announced once. Returns those places.
        """
        client = self._client()
        places = sorted(
            p.decode() if isinstance(p, bytes) else str(p) for p in await client.smembers(PLACES)
        )
        if not places:
            return []
        pipe = client.pipeline()
        now = time.time()
        for place in places:
            pipe.zrangebyscore(f"presence:{place}", "-inf", now)
            pipe.zremrangebyscore(f"presence:{place}", "-inf", now)
        results = await pipe.execute()
        changed = []
        cleanup = client.pipeline()
        for index, place in enumerate(places):
            expired, removed = results[2 * index], results[2 * index + 1]
            if removed:
                changed.append(place)
                cleanup.hdel(f"presence:{place}:names", *expired)
                self._schedule(place)
        if changed:
            await cleanup.execute()
        return changed


_presence: Presence | None = None


def get_presence() -> Presence:
    global _presence
    if _presence is None:
        _presence = Presence(redis_url=settings.REDIS_URL)
    return _presence


def reset_presence() -> None:
    global _presence
    _presence = None
