"""Chat through its services: post, delete, pause, report; and the person's data in it.

What reaches whom over the websocket is tested in ``tests/realtime/test_consumers.py``; here
the rules, the stored rows, the stream entries and the audit log.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.utils import timezone, translation

from tests.factories import (
    EventFactory,
    EventRoleFactory,
    RegistrationFactory,
    RoomFactory,
    UserFactory,
)
from tests.realtime.support import fresh_rate_window
from unkonf.accounts.models import User
from unkonf.accounts.services import erase_account, export_personal_data
from unkonf.chat import services
from unkonf.chat.exceptions import ChatError, Muted, TooFast
from unkonf.chat.models import MAX_LENGTH, ChatMessage, ChatMute, ChatReport
from unkonf.chat.selectors import list_messages, list_open_reports
from unkonf.core.models import AuditLogEntry
from unkonf.events.enums import Role
from unkonf.events.models import Event
from unkonf.realtime import groups, streams
from unkonf.realtime.models import StreamEvent
from unkonf.venues.models import Room

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@dataclass
class Chat:
    event: Event
    room: Room
    organiser: User
    moderator: User
    anna: User
    ben: User


@pytest.fixture
def chat() -> Chat:
    organiser = UserFactory(name="Olga Orga")
    event = EventFactory(organiser=organiser)
    moderator = UserFactory(name="Moritz Moderation")
    EventRoleFactory(event=event, user=moderator, role=Role.MODERATOR)
    anna, ben = UserFactory(name="Anna Schmidt"), UserFactory(name="Ben Becker")
    RegistrationFactory(event=event, user=anna)
    RegistrationFactory(event=event, user=ben)
    return Chat(
        event=event,
        room=RoomFactory(event=event),
        organiser=organiser,
        moderator=moderator,
        anna=anna,
        ben=ben,
    )


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@contextmanager
def refused(error: type[Exception], message: str) -> Iterator[None]:
    """The block raises ``error`` with exactly this message."""
    with pytest.raises(error) as caught:
        yield
    assert str(caught.value) == message


def stream_entries(stream: str) -> list[tuple[int, str, dict[str, object]]]:
    return [
        (e.seq, e.kind, e.payload)
        for e in StreamEvent.objects.filter(stream=stream).order_by("seq")
    ]


def actions() -> list[str]:
    return list(AuditLogEntry.objects.order_by("id").values_list("action", flat=True))


# --- posting -----------------------------------------------------------------------------------


def test_post_stores_the_message_and_appends_it_to_the_lobby_stream(chat: Chat) -> None:
    message = services.post_message(
        chat.event, room=None, actor=chat.anna, text="  Hallo **alle** \n"
    )

    assert (message.text, message.html) == ("Hallo **alle**", "<p>Hallo <strong>alle</strong></p>")
    assert (message.event, message.room, message.author) == (chat.event, None, chat.anna)
    assert message.stream == groups.lobby_chat_stream(chat.event.pk)
    assert stream_entries(message.stream) == [
        (
            1,
            "chat.message_posted",
            {
                "id": message.pk,
                "author": "Anna Schmidt",
                "author_id": message.author_id,
                "html": "<p>Hallo <strong>alle</strong></p>",
                "created": message.created_at.isoformat(),
            },
        )
    ]


def test_post_in_a_room_goes_to_the_room_s_stream(chat: Chat) -> None:
    first = services.post_message(chat.event, room=chat.room, actor=chat.anna, text="Eins")
    second = services.post_message(chat.event, room=chat.room, actor=chat.ben, text="Zwei")

    assert first.stream == second.stream == groups.room_chat_stream(chat.room.pk)
    assert [seq for seq, _kind, _data in stream_entries(first.stream)] == [1, 2]
    assert stream_entries(groups.lobby_chat_stream(chat.event.pk)) == []


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<script>alert(1)</script> Hallo", "<p>&lt;script&gt;alert(1)&lt;/script&gt; Hallo</p>"),
        ("[klick](javascript:alert(1))", '<p><a rel="noopener noreferrer nofollow">klick</a></p>'),
        ("[x](JaVaScRiPt:alert(1))", '<p><a rel="noopener noreferrer nofollow">x</a></p>'),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
        (
            "[Plan](https://example.org/plan)",
            '<p><a href="https://example.org/plan" rel="noopener noreferrer nofollow">Plan</a></p>',
        ),
        ("**fett** und _kursiv_", "<p><strong>fett</strong> und <em>kursiv</em></p>"),
    ],
    ids=["script tag", "javascript link", "mixed-case scheme", "event handler", "link", "emphasis"],
)
def test_post_keeps_links_and_formatting_and_makes_script_harmless(
    chat: Chat, text: str, html: str
) -> None:
    message = services.post_message(chat.event, room=None, actor=chat.anna, text=text)

    assert message.html == html
    assert stream_entries(message.stream)[0][2]["html"] == html


def test_post_of_exactly_the_maximum_length_is_kept(chat: Chat) -> None:
    message = services.post_message(chat.event, room=None, actor=chat.anna, text="x" * MAX_LENGTH)

    assert len(message.text) == MAX_LENGTH


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("x" * (MAX_LENGTH + 1), f"A message can have at most {MAX_LENGTH} characters."),
        (" \n\t ", "Please write a message."),
    ],
    ids=["too long", "empty"],
)
def test_post_with_bad_text_is_refused_and_stores_nothing(
    chat: Chat, text: str, error: str
) -> None:
    with pytest.raises(ChatError) as caught:
        services.post_message(chat.event, room=None, actor=chat.anna, text=text)

    assert (str(caught.value), caught.value.field) == (error, "text")
    assert ChatMessage.objects.count() == StreamEvent.objects.count() == 0


def _stranger(chat: Chat) -> User:
    return UserFactory()


def _waiting(chat: Chat) -> User:
    return RegistrationFactory(event=chat.event, waiting=True).user


def _cancelled(chat: Chat) -> User:
    return RegistrationFactory(event=chat.event, cancelled=True).user


def _other_barcamp(chat: Chat) -> User:
    return RegistrationFactory(event=EventFactory()).user


@pytest.mark.parametrize("who", [_stranger, _waiting, _cancelled, _other_barcamp])
def test_post_by_someone_not_taking_part_is_refused(chat: Chat, who: object) -> None:
    actor = who(chat)  # type: ignore[operator]

    with refused(ChatError, "Only registered participants can write in the chat."):
        services.post_message(chat.event, room=None, actor=actor, text="Hallo")

    assert ChatMessage.objects.count() == StreamEvent.objects.count() == 0


def test_team_members_may_post(chat: Chat) -> None:
    for actor in (chat.organiser, chat.moderator):
        services.post_message(chat.event, room=None, actor=actor, text="Willkommen")

    assert ChatMessage.objects.count() == 2


def test_post_into_a_room_of_another_barcamp_is_refused(chat: Chat) -> None:
    foreign_room = RoomFactory(event=EventFactory())

    with refused(ChatError, "This room belongs to another barcamp."):
        services.post_message(chat.event, room=foreign_room, actor=chat.anna, text="Hallo")

    assert ChatMessage.objects.count() == StreamEvent.objects.count() == 0


def test_posting_faster_than_the_rate_limit_is_refused_for_that_person_only(chat: Chat) -> None:
    fresh_rate_window(services.RATE_WINDOW)
    for n in range(services.RATE_LIMIT):
        services.post_message(chat.event, room=None, actor=chat.anna, text=f"#{n}")

    with refused(TooFast, "You are writing very fast. Please wait a few seconds."):
        services.post_message(chat.event, room=None, actor=chat.anna, text="eine zu viel")
    services.post_message(chat.event, room=None, actor=chat.ben, text="Ben darf")

    assert ChatMessage.objects.filter(author=chat.anna).count() == services.RATE_LIMIT
    assert streams.last_seq(groups.lobby_chat_stream(chat.event.pk)) == services.RATE_LIMIT + 1


# --- pausing (mute) -----------------------------------------------------------------------------


def test_pause_for_some_minutes_refuses_posts_until_it_runs_out(chat: Chat) -> None:
    before = timezone.now()
    mute = services.mute_user(
        chat.event, actor=chat.moderator, user=chat.anna, minutes=15, reason="Spam"
    )

    assert before + datetime.timedelta(minutes=15) <= mute.until  # type: ignore[operator]
    assert mute.until <= timezone.now() + datetime.timedelta(minutes=15)  # type: ignore[operator]
    with refused(Muted, "A moderator has paused your messages in this barcamp."):
        services.post_message(chat.event, room=chat.room, actor=chat.anna, text="Hallo")
    services.post_message(chat.event, room=None, actor=chat.ben, text="Ben nicht")
    # Fifteen minutes later:
    ChatMute.objects.filter(pk=mute.pk).update(until=timezone.now() - datetime.timedelta(seconds=1))
    services.post_message(chat.event, room=None, actor=chat.anna, text="Wieder da")

    assert list(ChatMessage.objects.order_by("id").values_list("text", flat=True)) == [
        "Ben nicht",
        "Wieder da",
    ]
    entry = AuditLogEntry.objects.get(action="chat.user_muted")
    assert (entry.actor, entry.event_id, entry.object_id, entry.data) == (
        chat.moderator,
        chat.event.pk,
        str(mute.pk),
        {"minutes": 15},
    )


def test_pause_until_lifted_holds_until_a_moderator_lifts_it(chat: Chat) -> None:
    mute = services.mute_user(chat.event, actor=chat.organiser, user=chat.anna, minutes=None)
    ChatMute.objects.filter(pk=mute.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30)
    )

    with pytest.raises(Muted):
        services.post_message(chat.event, room=None, actor=chat.anna, text="Hallo")
    services.unmute_user(mute, actor=chat.moderator)
    services.post_message(chat.event, room=None, actor=chat.anna, text="Hallo")

    assert mute.until is None
    assert ChatMute.objects.count() == 0
    assert actions() == ["chat.user_muted", "chat.user_unmuted"]
    assert AuditLogEntry.objects.get(action="chat.user_unmuted").actor == chat.moderator


def test_pausing_again_changes_the_one_pause(chat: Chat) -> None:
    services.mute_user(chat.event, actor=chat.moderator, user=chat.anna, minutes=15)
    again = services.mute_user(chat.event, actor=chat.organiser, user=chat.anna, minutes=None)

    assert list(ChatMute.objects.all()) == [again]
    assert (again.until, again.created_by) == (None, chat.organiser)


def test_pause_holds_in_its_barcamp_only(chat: Chat) -> None:
    other = EventFactory()
    RegistrationFactory(event=other, user=chat.anna)
    services.mute_user(chat.event, actor=chat.moderator, user=chat.anna, minutes=60)

    services.post_message(other, room=None, actor=chat.anna, text="Drüben darf ich")

    assert ChatMessage.objects.get().event == other


@pytest.mark.parametrize(
    ("actor", "user", "minutes", "error"),
    [
        ("ben", "anna", 15, "Only moderators can pause messages."),
        ("moderator", "moderator", 15, "You cannot pause your own messages."),
        ("moderator", "anna", 0, "A pause lasts at least one minute."),
        ("moderator", "anna", -5, "A pause lasts at least one minute."),
    ],
    ids=["participant", "oneself", "zero minutes", "negative minutes"],
)
def test_pause_is_refused(chat: Chat, actor: str, user: str, minutes: int, error: str) -> None:
    with refused(ChatError, error):
        services.mute_user(
            chat.event, actor=getattr(chat, actor), user=getattr(chat, user), minutes=minutes
        )

    assert ChatMute.objects.count() == AuditLogEntry.objects.count() == 0


def test_organiser_of_another_barcamp_cannot_pause_or_lift(chat: Chat) -> None:
    outsider = UserFactory()
    EventFactory(organiser=outsider)
    mute = services.mute_user(chat.event, actor=chat.moderator, user=chat.anna, minutes=15)

    with refused(ChatError, "Only moderators can pause messages."):
        services.mute_user(chat.event, actor=outsider, user=chat.ben, minutes=15)
    with refused(ChatError, "Only moderators can lift a pause."):
        services.unmute_user(mute, actor=outsider)

    assert list(ChatMute.objects.all()) == [mute]


# --- deleting ------------------------------------------------------------------------------------


def test_author_deletes_her_own_message(chat: Chat) -> None:
    message = services.post_message(chat.event, room=None, actor=chat.anna, text="Ups, falsch")

    deleted = services.delete_message(message, actor=chat.anna)

    assert deleted.deleted_by == chat.anna
    assert deleted.deleted_at is not None
    assert list_messages(chat.event, room=None) == []
    assert stream_entries(message.stream) == [
        (
            1,
            "chat.message_posted",
            {
                "id": message.pk,
                "author": "Anna Schmidt",
                "author_id": message.author_id,
                "html": "",  # not replayed to anyone any more
                "created": message.created_at.isoformat(),
            },
        ),
        (2, "chat.message_deleted", {"id": message.pk}),
    ]
    assert actions() == []  # her own business


@pytest.mark.parametrize("moderator", ["moderator", "organiser"])
def test_moderator_deletes_anyone_s_message_and_it_is_audited(chat: Chat, moderator: str) -> None:
    message = services.post_message(chat.event, room=chat.room, actor=chat.anna, text="Werbung")
    actor = getattr(chat, moderator)

    services.delete_message(message, actor=actor)

    message.refresh_from_db()
    assert message.deleted_by == actor
    assert [kind for _seq, kind, _data in stream_entries(message.stream)] == [
        "chat.message_posted",
        "chat.message_deleted",
    ]
    entry = AuditLogEntry.objects.get()
    assert (entry.action, entry.actor, entry.event_id, entry.object_id) == (
        "chat.message_deleted",
        actor,
        chat.event.pk,
        str(message.pk),
    )


def test_author_cannot_delete_someone_else_s_message(chat: Chat) -> None:
    message = services.post_message(chat.event, room=None, actor=chat.anna, text="Meins")
    outsider = UserFactory()
    EventFactory(organiser=outsider)

    for actor in (chat.ben, outsider):
        with refused(ChatError, "You may only delete your own messages."):
            services.delete_message(message, actor=actor)

    message.refresh_from_db()
    assert message.deleted_at is None
    assert len(stream_entries(message.stream)) == 1
    assert stream_entries(message.stream)[0][2]["html"] == "<p>Meins</p>"
    assert actions() == []


def test_deleting_twice_changes_nothing_the_second_time(chat: Chat) -> None:
    message = services.post_message(chat.event, room=None, actor=chat.anna, text="Weg damit")
    services.delete_message(message, actor=chat.moderator)

    services.delete_message(message, actor=chat.organiser)

    message.refresh_from_db()
    assert message.deleted_by == chat.moderator
    assert len(stream_entries(message.stream)) == 2
    assert actions() == ["chat.message_deleted"]


# --- reports -------------------------------------------------------------------------------------


def test_report_is_made_once_per_person_and_message(chat: Chat) -> None:
    message = services.post_message(chat.event, room=None, actor=chat.anna, text="Hm")

    first = services.report_message(message, actor=chat.ben, reason="  Beleidigend " + "x" * 600)
    again = services.report_message(message, actor=chat.ben, reason="noch mal")

    assert first == again
    assert first.reason == ("Beleidigend " + "x" * 600)[:500]
    assert ChatReport.objects.count() == 1
    assert list(list_open_reports(chat.moderator, chat.event)) == [first]


def test_someone_not_taking_part_cannot_report(chat: Chat) -> None:
    message = services.post_message(chat.event, room=None, actor=chat.anna, text="Hm")

    with refused(ChatError, "Only participants of this barcamp can report messages."):
        services.report_message(message, actor=UserFactory(), reason="")

    assert ChatReport.objects.count() == 0


def test_moderator_resolves_a_report_once_and_it_is_audited(chat: Chat) -> None:
    message = services.post_message(chat.event, room=None, actor=chat.anna, text="Hm")
    report = services.report_message(message, actor=chat.ben)

    services.resolve_report(report, actor=chat.moderator)
    services.resolve_report(report, actor=chat.organiser)

    report.refresh_from_db()
    assert report.resolved_by == chat.moderator
    assert report.resolved_at is not None
    assert list(list_open_reports(chat.moderator, chat.event)) == []
    entry = AuditLogEntry.objects.get()
    assert (entry.action, entry.actor, entry.event_id, entry.object_id) == (
        "chat.report_resolved",
        chat.moderator,
        chat.event.pk,
        str(report.pk),
    )


def test_participant_cannot_resolve_a_report(chat: Chat) -> None:
    message = services.post_message(chat.event, room=None, actor=chat.anna, text="Hm")
    report = services.report_message(message, actor=chat.ben)

    with refused(ChatError, "Only moderators can handle reports."):
        services.resolve_report(report, actor=chat.ben)

    report.refresh_from_db()
    assert report.resolved_at is None
    assert actions() == []


# --- personal data -------------------------------------------------------------------------------


def test_export_lists_the_person_s_chat_messages(chat: Chat) -> None:
    kept = services.post_message(chat.event, room=None, actor=chat.anna, text="Hallo Lobby")
    gone = services.post_message(chat.event, room=chat.room, actor=chat.anna, text="Hallo Raum")
    services.delete_message(gone, actor=chat.anna)
    services.post_message(chat.event, room=None, actor=chat.ben, text="Nicht von Anna")
    services.report_message(kept, actor=chat.ben)
    services.report_message(
        services.post_message(chat.event, room=None, actor=chat.ben, text="Hm"), actor=chat.anna
    )

    exported = export_personal_data(chat.anna)["chat"]

    assert sorted(exported["messages"], key=lambda m: m["text"]) == [
        {
            "barcamp": chat.event.name,
            "room": None,
            "text": "Hallo Lobby",
            "time": kept.created_at.isoformat(),
            "deleted": False,
        },
        {
            "barcamp": chat.event.name,
            "room": chat.room.name,
            "text": "Hallo Raum",
            "time": gone.created_at.isoformat(),
            "deleted": True,
        },
    ]
    assert exported["reports_made"] == 1


def test_erasure_keeps_the_messages_without_the_name_and_removes_reports_and_pauses(
    chat: Chat,
) -> None:
    hers = services.post_message(chat.event, room=None, actor=chat.anna, text="Bis später")
    bens = services.post_message(chat.event, room=None, actor=chat.ben, text="Tschüss")
    services.report_message(bens, actor=chat.anna, reason="von Anna")
    on_hers = services.report_message(hers, actor=chat.ben, reason="über Annas Nachricht")
    services.mute_user(chat.event, actor=chat.moderator, user=chat.anna, minutes=None)

    erase_account(chat.anna, actor=chat.anna)

    hers.refresh_from_db()
    assert (hers.text, hers.author_id) == ("Bis später", chat.anna.pk)
    assert hers.author.display_name == "Deleted account"
    authors = [data["author"] for _seq, kind, data in stream_entries(hers.stream)]
    assert authors == ["Deleted account", "Ben Becker"]
    assert list(ChatReport.objects.all()) == [on_hers]  # the report Ben made stays
    assert ChatMute.objects.count() == 0
