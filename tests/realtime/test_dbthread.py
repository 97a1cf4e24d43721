"""The consumers' database thread keeps one connection instead of opening one per call.

Counted with Django's ``connection_created`` signal while real websockets connect, subscribe
and post; on PostgreSQL the kept connection is also killed under the consumer, as a database
restart would, and the next connect still works.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from django.db import connection
from django.db.backends.signals import connection_created

from tests.realtime.support import Camp, Socket, run, subscribed
from unkonf.realtime import dbthread

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_connects_subscribes_and_posts_share_one_database_connection(camp: Camp) -> None:
    cookies = [camp.cookie(user) for user in (camp.anna, camp.ben, camp.organiser)]
    opened: list[str] = []

    def count(sender: Any, connection: Any, **kwargs: Any) -> None:
        opened.append(connection.alias)

    async def scenario() -> None:
        # The first connect opens the thread's connection (the session lookup's batch), which
        # is kept from then on.
        first = await Socket.open(camp.event, cookie=cookies[0])
        await first.close()
        connection_created.connect(count)
        try:
            for cookie in cookies:
                tab = await Socket.open(camp.event, cookie=cookie)
                await tab.subscribe(camp.lobby)
                await tab.send({"type": "chat.post", "stream": camp.lobby, "text": "Hi", "ref": 1})
                await tab.recv_many(2)  # the message and the ack
                await tab.close()
        finally:
            connection_created.disconnect(count)

    run(scenario)

    assert opened == []


@pytest.mark.postgres
def test_a_connect_after_the_database_dropped_the_kept_connection_succeeds(camp: Camp) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set UNKONF_TEST_DATABASE_URL")
    cookie = camp.cookie(camp.anna)
    frames: list[Any] = []

    def kept_backend() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            row = cursor.fetchone()
        assert row is not None
        return int(row[0])

    def terminate(pid: int) -> None:
        """From a connection of another thread, as a restart of the database would."""
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                for _ in range(500):  # it ends a moment later
                    cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                    if cursor.fetchone() is None:
                        break
                    time.sleep(0.01)
        finally:
            connection.close()

    async def scenario() -> None:
        first = await Socket.open(camp.event, cookie=cookie)
        await first.close()
        pid = await dbthread.db_call(kept_backend)()
        await asyncio.to_thread(terminate, pid)
        second = await Socket.open(camp.event, cookie=cookie)
        frames.append(await second.subscribe(camp.lobby))
        frames.append(await dbthread.db_call(kept_backend)() != pid)
        await second.close()

    run(scenario)

    assert frames == [[subscribed(camp.lobby, 0)], True]
