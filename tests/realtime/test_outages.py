"""Outages of the services unkonf depends on, and the recovery without restarting unkonf.

- The database goes away: pages and ``/healthz`` answer 503 with the bilingual "temporarily
  unavailable" page and ``Retry-After``; once it is back, the same pages answer 200.
- Redis goes away and comes back: nothing stored is lost; the hub tells its clients to
  ``resync`` and they receive what they missed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test import override_settings

from tests.pages import CheckedClient, Page
from tests.realtime.support import Camp, RedisServer, Socket, announcement_frame, db, run
from unkonf.chat.models import ChatMessage
from unkonf.events.models import Announcement
from unkonf.events.services import send_announcement
from unkonf.realtime import hub

pytestmark = [pytest.mark.integration]


@contextmanager
def database_unreachable(*, close: bool = True) -> Iterator[None]:
    """Point the database settings at a database that cannot be reached; restore them after.

    Every thread's connection shares these settings and reconnects for each request or
    database call (``CONN_MAX_AGE`` 0), so each finds the database away, then back. ``close``
    closes this thread's connection at once (not allowed inside the event loop).
    """
    saved = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-unkonf-dir/db.sqlite3"
    else:
        connection.settings_dict["HOST"] = "127.0.0.1"
        connection.settings_dict["PORT"] = "1"  # nothing listens there
    if close:
        connection.close()
    try:
        yield
    finally:
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        if close:
            connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/healthz", "/en/", "/"])
def test_pages_answer_503_while_the_database_is_away_and_200_when_it_is_back(
    client: CheckedClient, camp: Camp, path: str
) -> None:
    with database_unreachable():
        during = client.get(path)

    after = client.get(path)

    assert during.status_code == 503
    assert during["Retry-After"] == "10"
    text = Page(during.content.decode()).text
    assert "Vorübergehend nicht verfügbar" in text
    assert "Temporarily unavailable" in text
    assert "The database cannot be reached right now." in text
    assert after.status_code == 200
    if path == "/healthz":
        assert after.json() == {"status": "ok"}
    else:
        assert camp.event.name in Page(after.content.decode()).text


@pytest.mark.django_db(transaction=True)
def test_logged_in_page_answers_503_when_the_session_cannot_be_read(
    client: CheckedClient, camp: Camp
) -> None:
    client.force_login(camp.anna)

    with database_unreachable():
        during = client.get(f"/en/{camp.event.slug}/")
    after = client.get(f"/en/{camp.event.slug}/")

    assert during.status_code == 503
    assert "Temporarily unavailable" in Page(during.content.decode()).text
    assert after.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_chat_post_while_the_database_is_away_is_refused_and_the_socket_stays_open(
    camp: Camp,
) -> None:
    anna_cookie = camp.cookie(camp.anna)
    answers: dict[str, Any] = {}

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=anna_cookie)
        await anna.subscribe(camp.lobby)
        with database_unreachable(close=False):
            # The consumer's database thread drops its connection, as after a restart.
            # (channels.testing keeps connections open while it waits; a server does not.)
            await sync_to_async(connections.close_all)()
            await anna.send({"type": "chat.post", "stream": camp.lobby, "text": "Eins", "ref": 1})
            answers["during"] = await anna.recv()
            answers["still open"] = await anna.roundtrip()
        await anna.send({"type": "chat.post", "stream": camp.lobby, "text": "Zwei", "ref": 2})
        answers["after"] = sorted([f["type"] for f in await anna.recv_many(2)])
        await anna.close()

    run(scenario)

    assert answers == {
        "during": {
            "type": "error",
            "code": "unavailable",
            "message": "Briefly unavailable. Please try again in a moment.",
            "ref": 1,
        },
        "still open": [],
        "after": ["ack", "chat.message_posted"],
    }
    assert list(ChatMessage.objects.values_list("text", flat=True)) == ["Zwei"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_redis_restart_tells_clients_to_resync_and_they_receive_what_they_missed(
    camp: Camp,
) -> None:
    bus = RedisServer()
    bus.start()
    frames: dict[str, Any] = {}
    try:
        with override_settings(REDIS_URL=bus.url):
            hub.reset_hub()

            async def scenario() -> None:
                visitor = await Socket.open(camp.event)
                assert bus.subscribers(hub.bus_channel(bus.url)) == 1
                await db(send_announcement)(camp.event, actor=camp.organiser, text="Vorher")
                frames["before"] = await visitor.recv()
                bus.kill()
                # Stored although the bus is down; nobody hears of it yet.
                await db(send_announcement)(camp.event, actor=camp.organiser, text="Währenddessen")
                frames["during"] = await visitor.nothing(0.2)
                bus.start()
                frames["resync"] = await visitor.recv(timeout=10)
                frames["replay"] = await visitor.subscribe(f"event.{camp.event.pk}", since=1)
                await visitor.close()

            run(scenario)
            hub.reset_hub()
    finally:
        bus.kill()

    first, second = Announcement.objects.order_by("id")
    assert frames == {
        "before": announcement_frame(first, 1),
        "during": True,
        "resync": {"type": "resync"},
        "replay": [
            announcement_frame(second, 2),
            {"type": "subscribed", "stream": f"event.{camp.event.pk}", "seq": 2},
        ],
    }
