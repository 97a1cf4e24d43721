"""The batched database work of connects and subscribes gives every connection exactly what
the lookups one at a time give it (ADR 0012).

``roles_of_many`` lives in ``events.permissions``; it is tested here because the realtime
batches are what it exists for.
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import EventFactory, EventRoleFactory, RegistrationFactory, UserFactory
from tests.realtime.support import Camp, Socket, frame_of, run, subscribed
from unkonf.accounts.models import User
from unkonf.events.enums import Role
from unkonf.events.models import Event
from unkonf.events.permissions import roles_of, roles_of_many
from unkonf.realtime import consumers, groups, streams
from unkonf.realtime.consumers import EventConsumer, open_many, subscribe_many
from unkonf.realtime.messages import AnnouncementSent
from unkonf.realtime.models import StreamEvent

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def everyone(event: Event) -> dict[str, Any]:
    """One person of every kind, as seen from ``event``."""
    elsewhere = EventFactory()
    people: dict[str, Any] = {
        "anonymous": AnonymousUser(),
        "stranger": UserFactory(),
        "superuser": UserFactory(superuser=True),
        "participant": UserFactory(),
        "waiting": UserFactory(),
        "cancelled": UserFactory(),
        "organiser": UserFactory(),
        "moderator and participant": UserFactory(),
        "timekeeper, waiting": UserFactory(),
        "exhibitor": UserFactory(),
        "organiser elsewhere": UserFactory(),
    }
    RegistrationFactory(event=event, user=people["participant"])
    RegistrationFactory(event=event, user=people["waiting"], waiting=True)
    RegistrationFactory(event=event, user=people["cancelled"], cancelled=True)
    EventRoleFactory(event=event, user=people["organiser"], role=Role.ORGANISER)
    EventRoleFactory(event=event, user=people["moderator and participant"], role=Role.MODERATOR)
    RegistrationFactory(event=event, user=people["moderator and participant"])
    EventRoleFactory(event=event, user=people["timekeeper, waiting"], role=Role.TIMEKEEPER)
    RegistrationFactory(event=event, user=people["timekeeper, waiting"], waiting=True)
    EventRoleFactory(event=event, user=people["exhibitor"], role=Role.EXHIBITOR)
    EventRoleFactory(event=elsewhere, user=people["organiser elsewhere"], role=Role.ORGANISER)
    RegistrationFactory(event=elsewhere, user=people["participant"])
    return people


def fresh(user: Any) -> Any:
    return AnonymousUser() if not user.is_authenticated else User.objects.get(pk=user.pk)


def test_roles_of_many_equals_roles_of_for_every_kind_of_person_in_two_queries() -> None:
    event = EventFactory()
    people = everyone(event)
    one_by_one = {name: roles_of(fresh(user), event) for name, user in people.items()}
    batch = {name: fresh(user) for name, user in people.items()}

    with CaptureQueriesContext(connection) as queries:
        found = roles_of_many(batch.values(), event)
    with CaptureQueriesContext(connection) as afterwards:
        cached = {name: roles_of(user, event) for name, user in batch.items()}

    assert cached == one_by_one
    assert found == {user.pk: one_by_one[name] for name, user in batch.items() if user.pk}
    assert one_by_one["moderator and participant"] == {Role.MODERATOR, Role.PARTICIPANT}
    assert len(queries) == 2
    assert len(afterwards) == 0  # the cache is filled


def test_open_many_gives_each_what_a_connect_alone_found() -> None:
    public, secret, draft = (
        EventFactory(),
        EventFactory(invite_only=True),
        EventFactory(unpublished=True),
    )
    people = everyone(secret)
    RegistrationFactory(event=public, user=people["participant"], name="P.", public_listing=True)
    EventRoleFactory(event=draft, user=people["organiser"], role=Role.ORGANISER)
    slugs = [public.slug, secret.slug, draft.slug, "gibt-es-nicht"]
    items = [(fresh(user), slug) for user in people.values() for slug in slugs]

    with CaptureQueriesContext(connection) as queries:
        found = open_many(items)

    def alone(user: Any, slug: str) -> tuple[int, str, bool] | None:
        result = open_many([(fresh(user), slug)])
        return None if result[0] is None else (result[0][0].pk, result[0][1], result[0][2])

    assert [None if f is None else (f[0].pk, f[1], f[2]) for f in found] == [
        alone(user, slug) for user, slug in items
    ]
    by_name = dict(zip(((n, s) for n in people for s in slugs), found, strict=True))
    assert by_name["participant", public.slug] is not None
    assert by_name["participant", public.slug][1:] == ("P.", True)
    assert by_name["stranger", secret.slug] is not None
    assert by_name["stranger", secret.slug][2] is False
    assert by_name["organiser", draft.slug] is not None
    assert by_name["organiser", draft.slug][2] is True
    assert by_name["participant", "gibt-es-nicht"] is None
    # each connection its own barcamp object
    assert by_name["participant", public.slug][0] is not by_name["organiser", public.slug][0]
    # barcamps, roles (2 per barcamp), names (1 per barcamp), and has_any_link of people
    # without a role in the invite-only one
    assert len(queries) <= 1 + 2 * 3 + 3 + len(people)


def consumer_for(user: Any, event: Event) -> EventConsumer:
    consumer = EventConsumer()
    consumer.user = user
    consumer.event = event
    return consumer


def test_subscribe_many_allows_exactly_what_may_read_allows(camp: Camp) -> None:
    people = everyone(camp.event)
    streams_ = [
        camp.event_stream,
        camp.lobby,
        camp.room_chat,
        groups.room_chat_stream(camp.other_room.pk),
        groups.room_chat_stream(999_999),
        groups.lobby_chat_stream(camp.other_event.pk),
        groups.pitch_stream(camp.event.pk),
        groups.user_stream(people["participant"].pk),
    ]
    items = [
        (consumer_for(fresh(user), camp.event), stream, None)
        for user in people.values()
        for stream in streams_
    ]

    found = subscribe_many(items)

    expected = [
        consumer_for(fresh(consumer.user), camp.event)._may_read(stream)
        for consumer, stream, _since in items
    ]
    assert [f is not None for f in found] == expected
    assert any(expected)
    assert not all(expected)


def test_subscribe_many_replays_for_every_since_what_events_since_gives(camp: Camp) -> None:
    notice = AnnouncementSent(id=1, html="<p>x</p>", created="now")
    for _ in range(streams.REPLAY_LIMIT + 120):
        streams.append(camp.event_stream, notice)
    # Gaps (as if stored messages had been removed) must not change what anyone gets.
    StreamEvent.objects.filter(stream=camp.event_stream, seq__in=[3, 4, 150, 300]).delete()
    last = streams.last_seq(camp.event_stream)
    sinces: list[int | None] = [None, 0, 1, 2, 5, 60, 100, 118, 119, 120, 200, 300, last - 1]
    sinces += [last, last + 5, *random.Random(7).sample(range(last), 20)]
    visitor = AnonymousUser()
    items = [(consumer_for(visitor, camp.event), camp.event_stream, s) for s in sinces]

    with CaptureQueriesContext(connection) as queries:
        found = subscribe_many(items)

    def alone(since: int | None) -> tuple[int, list[int] | None]:
        if since is None or since >= last:
            return last, []
        missed = streams.events_since(camp.event_stream, since)
        return last, None if missed is None else [e.seq for e in missed]

    assert [
        (f[0], None if f[1] is None else [seq for seq, _text in f[1]]) if f else None for f in found
    ] == [alone(s) for s in sinces]
    assert found[1] == (last, None)  # since 0: more than the replay limit behind
    # the stream's last seq, then one read per range of nearby since values
    assert len(queries) <= 2 + len(sinces)


def test_subscribe_many_of_a_storm_on_one_stream_costs_three_queries(camp: Camp) -> None:
    notice = AnnouncementSent(id=1, html="<p>x</p>", created="now")
    for _ in range(30):
        streams.append(camp.room_chat, notice)
    people = [camp.anna, camp.ben, camp.organiser, camp.stranger] * 25
    users = [fresh(user) for user in people]
    roles_of_many(users, camp.event)  # as the connect's batch left them
    items = [
        (consumer_for(user, camp.event), camp.room_chat, since) for since, user in enumerate(users)
    ]

    with CaptureQueriesContext(connection) as queries:
        found = subscribe_many(items)

    assert len(queries) == 3  # the rooms, the stream's last seq, the missed messages
    for (consumer, _stream, since), result in zip(items, found, strict=True):
        if consumer.user.pk == camp.stranger.pk:
            assert result is None
        else:
            assert result is not None
            assert [json.loads(text) for _seq, text in result[1] or []] == [
                frame_of("announcement.sent", camp.room_chat, seq, notice.to_payload())
                for seq in range(since + 1, 31)
            ]


def test_tabs_subscribing_at_once_each_get_exactly_what_they_missed(
    camp: Camp, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice = AnnouncementSent(id=1, html="<p>x</p>", created="now")
    for _ in range(12):
        streams.append(camp.lobby, notice)
    cookies = [camp.cookie(user) for user in (camp.anna, camp.ben, camp.organiser, camp.stranger)]
    sizes: list[int] = []
    work = consumers._subscribing._work

    def counted(items: Any) -> Any:
        sizes.append(len(items))
        return work(items)

    monkeypatch.setattr(consumers._subscribing, "_work", counted)
    answers: dict[tuple[int, int], list[dict[str, Any]]] = {}

    async def scenario() -> None:
        tabs = [
            await Socket.open(camp.event, cookie=cookie) for cookie in cookies for _ in range(3)
        ]

        async def one(index: int, tab: Socket) -> None:
            since = index % 14
            answers[index // 3, since] = await tab.subscribe(camp.lobby, since=since)

        await asyncio.gather(*(one(index, tab) for index, tab in enumerate(tabs)))
        for tab in tabs:
            await tab.close()

    run(scenario)

    payload = notice.to_payload()
    for (person, since), frames in answers.items():
        if person == 3:  # the stranger
            assert [f["type"] for f in frames] == ["error"]
            assert frames[0]["code"] == "forbidden"
        else:
            assert frames == [
                frame_of("announcement.sent", camp.lobby, seq, payload)
                for seq in range(since + 1, 13)
            ] + [subscribed(camp.lobby, 12)]
    assert sum(sizes) == 12
    assert len(sizes) < 12
