"""Announcements: sent only through ``send_announcement``, stored, audited, broadcast.

Who receives them over the websocket (everyone at the barcamp, nobody elsewhere, after commit)
is shown in ``tests/realtime/test_consumers.py``; here the service, and one round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.utils import translation

from tests.factories import EventFactory, UserFactory
from tests.realtime.support import Socket, announcement_frame, db, realtime, run
from unkonf.core.models import AuditLogEntry
from unkonf.events.exceptions import EventError
from unkonf.events.models import Announcement
from unkonf.events.services import send_announcement
from unkonf.realtime import groups
from unkonf.realtime.models import StreamEvent

__all__ = ["realtime"]

pytestmark = [pytest.mark.integration]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.django_db
def test_announcement_is_stored_sanitised_audited_and_appended_to_the_barcamp_stream() -> None:
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)

    announcement = send_announcement(
        event,
        actor=organiser,
        text="  Eröffnung in **5 Minuten** im Ratssaal <script>alert(1)</script>\n",
    )

    assert announcement.text == "Eröffnung in **5 Minuten** im Ratssaal <script>alert(1)</script>"
    assert announcement.html == (
        "<p>Eröffnung in <strong>5 Minuten</strong> im Ratssaal "
        "&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )
    assert (announcement.event, announcement.created_by) == (event, organiser)
    entry = AuditLogEntry.objects.get()
    assert (entry.action, entry.actor, entry.event_id, entry.object_id) == (
        "event.announced",
        organiser,
        event.pk,
        str(announcement.pk),
    )
    stored = StreamEvent.objects.get()
    assert (stored.stream, stored.seq, stored.kind, stored.payload) == (
        groups.event_stream(event.pk),
        1,
        "announcement.sent",
        {
            "id": announcement.pk,
            "html": announcement.html,
            "created": announcement.created_at.isoformat(),
        },
    )


@pytest.mark.django_db
def test_each_barcamp_numbers_its_announcements_on_its_own() -> None:
    organiser = UserFactory()
    event, other = EventFactory(organiser=organiser), EventFactory(organiser=organiser)

    for text in ("Eins", "Zwei"):
        send_announcement(event, actor=organiser, text=text)
    send_announcement(other, actor=organiser, text="Drüben")

    assert list(StreamEvent.objects.order_by("id").values_list("stream", "seq")) == [
        (groups.event_stream(event.pk), 1),
        (groups.event_stream(event.pk), 2),
        (groups.event_stream(other.pk), 1),
    ]


@pytest.mark.django_db
def test_announcement_of_exactly_1000_characters_is_sent() -> None:
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)

    announcement = send_announcement(event, actor=organiser, text="x" * 1000)

    assert len(announcement.text) == 1000


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Please write the announcement."),
        (" \n ", "Please write the announcement."),
        ("x" * 1001, "An announcement can have at most 1000 characters."),
    ],
    ids=["empty", "blank", "too long"],
)
def test_announcement_with_bad_text_is_refused_and_nothing_is_stored(
    text: str, message: str
) -> None:
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)

    with pytest.raises(EventError) as refused:
        send_announcement(event, actor=organiser, text=text)

    assert (str(refused.value), refused.value.field) == (message, "text")
    assert Announcement.objects.count() == StreamEvent.objects.count() == 0
    assert AuditLogEntry.objects.count() == 0


def test_the_admin_offers_no_other_way_to_write_announcements() -> None:
    assert Announcement not in admin.site._registry


@pytest.mark.django_db(transaction=True)
def test_sent_announcement_reaches_a_connected_visitor(
    realtime: Callable[[float], None],
) -> None:
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)
    frames: list[dict[str, Any]] = []

    async def scenario() -> None:
        visitor = await Socket.open(event)
        await db(send_announcement)(event, actor=organiser, text="Mittagspause bis 13 Uhr")
        frames.append(await visitor.recv())
        assert await visitor.nothing()
        await visitor.close()

    run(scenario)

    assert frames == [announcement_frame(Announcement.objects.get(), 1)]
