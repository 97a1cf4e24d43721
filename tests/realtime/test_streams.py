"""Stored streams: sequence numbers without gaps, replay of what was missed, amending."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from unkonf.realtime import streams
from unkonf.realtime.messages import AnnouncementSent, ChatMessageDeleted, ChatMessagePosted
from unkonf.realtime.models import Stream, StreamEvent

pytestmark = [pytest.mark.integration]

NOTICE = AnnouncementSent(id=1, html="<p>Hallo</p>", created="2026-05-04T09:00:00+00:00")


@pytest.mark.django_db
def test_append_numbers_each_stream_on_its_own_from_one() -> None:
    a1 = streams.append("event.1", NOTICE)
    b1 = streams.append("room.7.chat", ChatMessageDeleted(id=3))
    a2 = streams.append("event.1", NOTICE)

    assert [(e.stream, e.seq, e.kind) for e in (a1, b1, a2)] == [
        ("event.1", 1, "announcement.sent"),
        ("room.7.chat", 1, "chat.message_deleted"),
        ("event.1", 2, "announcement.sent"),
    ]
    assert a1.payload == {
        "id": 1,
        "html": "<p>Hallo</p>",
        "created": "2026-05-04T09:00:00+00:00",
    }
    assert (streams.last_seq("event.1"), streams.last_seq("room.7.chat")) == (2, 1)
    assert streams.last_seq("user.5") == 0


@pytest.mark.django_db
def test_append_in_a_rolled_back_transaction_leaves_no_trace_and_no_gap() -> None:
    streams.append("event.1", NOTICE)
    with transaction.atomic():
        streams.append("event.1", NOTICE)
        transaction.set_rollback(True)
    after = streams.append("event.1", NOTICE)

    assert after.seq == 2
    assert list(StreamEvent.objects.values_list("seq", flat=True)) == [1, 2]


@pytest.mark.django_db
def test_events_since_returns_what_came_after_in_order() -> None:
    for n in range(1, 6):
        streams.append("event.1", AnnouncementSent(id=n, html="", created=""))
    streams.append("event.2", NOTICE)

    missed = streams.events_since("event.1", 2)

    assert missed is not None
    assert [(e.seq, e.payload["id"]) for e in missed] == [(3, 3), (4, 4), (5, 5)]
    assert streams.events_since("event.1", 5) == []


@pytest.mark.django_db
def test_events_since_further_back_than_the_replay_limit_is_none() -> None:
    StreamEvent.objects.bulk_create(
        StreamEvent(stream="event.1", seq=seq, kind="announcement.sent", payload={})
        for seq in range(1, streams.REPLAY_LIMIT + 2)
    )

    exactly_the_limit = streams.events_since("event.1", 1)

    assert exactly_the_limit is not None
    assert len(exactly_the_limit) == streams.REPLAY_LIMIT
    assert streams.events_since("event.1", 0) is None


@pytest.mark.django_db
def test_amend_changes_only_the_matching_stored_messages() -> None:
    posted = [
        streams.append(
            stream,
            ChatMessagePosted(id=pk, author="Anna", author_id=1, html="<p>x</p>", created="t"),
        )
        for stream, pk in (("event.1.chat", 10), ("event.1.chat", 11), ("room.3.chat", 10))
    ]
    streams.append("event.1.chat", ChatMessageDeleted(id=10))

    changed = streams.amend("chat.message_posted", [10], stream="event.1.chat", html="")

    assert changed == 1
    payloads = {(e.stream, e.seq): e.payload for e in StreamEvent.objects.all()}
    assert payloads == {
        ("event.1.chat", 1): {
            "id": 10,
            "author": "Anna",
            "author_id": 1,
            "html": "",
            "created": "t",
        },
        ("event.1.chat", 2): {
            "id": 11,
            "author": "Anna",
            "author_id": 1,
            "html": "<p>x</p>",
            "created": "t",
        },
        ("room.3.chat", 1): {
            "id": 10,
            "author": "Anna",
            "author_id": 1,
            "html": "<p>x</p>",
            "created": "t",
        },
        ("event.1.chat", 3): {"id": 10},
    }
    assert [e.seq for e in posted] == [1, 2, 1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_get_consecutive_numbers_without_gaps() -> None:
    workers = 20
    barrier = threading.Barrier(workers)

    def append_one(n: int) -> int:
        try:
            barrier.wait(timeout=10)
            return streams.append("event.1", AnnouncementSent(id=n, html="", created="")).seq
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        seqs = list(pool.map(append_one, range(workers)))

    assert sorted(seqs) == list(range(1, workers + 1))
    stored = list(StreamEvent.objects.filter(stream="event.1").order_by("seq"))
    assert [e.seq for e in stored] == list(range(1, workers + 1))
    assert sorted(e.payload["id"] for e in stored) == list(range(workers))
    assert Stream.objects.get(key="event.1").last_seq == workers
