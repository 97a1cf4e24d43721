"""The chat pages and the announcements page through Django's test client.

Who may see them, posting without JavaScript, errors, paging, the message actions (with and
without the page's script), moderation, and announcements. Under ``/en/`` so the texts checked
stay the same when the German catalogue changes.
"""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    EventFactory,
    EventRoleFactory,
    RegistrationFactory,
    RoomFactory,
    UserFactory,
)
from tests.pages import CheckedClient, Page, en, field_errors, form_errors, messages_of, text
from unkonf.accounts.models import User
from unkonf.chat import services as chat_services
from unkonf.chat.models import ChatMessage, ChatMute, ChatReport
from unkonf.events.enums import Role
from unkonf.events.models import Announcement, Event, Invitation
from unkonf.events.services import send_announcement
from unkonf.realtime.models import StreamEvent
from unkonf.venues.models import Room

pytestmark = pytest.mark.integration


# --- The barcamp and its people ------------------------------------------------------------------


@pytest.fixture
def event(db: None) -> Event:
    return EventFactory(name="Barcamp Verwaltung digital", slug="verwaltung-digital")


@pytest.fixture
def room(event: Event) -> Room:
    return RoomFactory(event=event, name="Ratssaal")


@pytest.fixture
def organiser(event: Event) -> User:
    return EventRoleFactory(
        event=event, role=Role.ORGANISER, user=UserFactory(name="Olga Organisatorin")
    ).user


@pytest.fixture
def moderator(event: Event) -> User:
    return EventRoleFactory(
        event=event, role=Role.MODERATOR, user=UserFactory(name="Mia Moderatorin")
    ).user


@pytest.fixture
def anna(event: Event) -> User:
    return RegistrationFactory(event=event, user=UserFactory(name="Anna Schmidt")).user


@pytest.fixture
def ben(event: Event) -> User:
    return RegistrationFactory(event=event, user=UserFactory(name="Ben Okafor")).user


def client_of(user: User | None) -> CheckedClient:
    client = CheckedClient()
    if user is not None:
        client.force_login(user)
    return client


def post(event: Event, author: User, text: str, room: Room | None = None) -> ChatMessage:
    return chat_services.post_message(event, room=room, actor=author, text=text)


def lobby(event: Event) -> str:
    return en("chat:lobby-chat", slug=event.slug)


def shown_texts(response: Any) -> list[str]:
    """The texts of the messages in the log, in order."""
    log = re.search(
        r'<div class="chat-log".*?</div>\s*<p class="chat-feedback"', _body(response), re.S
    )
    assert log, "no chat log on the page"
    return [Page(m).text for m in re.findall(r'<div class="chat-text">(.*?)</div>', log[0], re.S)]


def _body(response: Any) -> str:
    return str(response.content.decode())


# --- Who may read --------------------------------------------------------------------------------


def test_chat_for_anonymous_visitor_redirects_to_login(event: Event) -> None:
    path = lobby(event)

    response = client_of(None).get(path)

    assert (response.status_code, response["Location"]) == (
        302,
        f"{en('account_login')}?next={quote(path)}",
    )


@pytest.mark.parametrize("who", ["stranger", "waiting", "cancelled"])
def test_chat_for_people_outside_the_barcamp_is_404(event: Event, room: Room, who: str) -> None:
    if who == "stranger":
        user = UserFactory()
    else:
        user = RegistrationFactory(event=event, **{who: True}).user
    client = client_of(user)

    responses = [
        client.get(lobby(event)),
        client.get(en("chat:room-chat", slug=event.slug, pk=room.pk)),
    ]

    assert [r.status_code for r in responses] == [404, 404]
    assert all(event.name not in _body(r) for r in responses)


def test_chat_for_participant_shows_messages_form_rooms_and_live_hooks(
    event: Event, room: Room, anna: User, ben: User
) -> None:
    post(event, ben, "Guten Morgen, **alle** zusammen!")
    post(event, anna, "Hallo Ben")
    post(event, ben, "Nur im Ratssaal", room=room)

    response = client_of(anna).get(lobby(event))

    body = _body(response)
    page = Page(body)
    assert response.status_code == 200
    assert shown_texts(response) == ["Guten Morgen, alle zusammen!", "Hallo Ben"]
    assert "<strong>alle</strong>" in body
    assert 'role="log" aria-live="polite"' in body
    assert f'data-stream="event.{event.pk}.chat" data-since="2"' in body
    assert "Your message" in text(response)
    links = [(a.get("href"), a.get("aria-current")) for tag, a in page.tags if tag == "a"]
    assert (lobby(event), "page") in links
    assert (en("chat:room-chat", slug=event.slug, pk=room.pk), None) in links
    assert '<script type="module" src="/static/unkonf/js/chat.js"></script>' in body


def test_room_chat_shows_only_the_rooms_messages_and_says_which_room(
    event: Event, room: Room, anna: User, ben: User
) -> None:
    post(event, ben, "In der Lobby")
    post(event, ben, "Im Ratssaal", room=room)

    response = client_of(anna).get(en("chat:room-chat", slug=event.slug, pk=room.pk))

    assert shown_texts(response) == ["Im Ratssaal"]
    assert "Chat: Ratssaal" in text(response)
    assert f'data-room="{room.pk}"' in _body(response)
    assert f'data-presence-count="event.{event.pk}.room.{room.pk}"' in _body(response)


def test_room_of_another_barcamp_is_404(event: Event, anna: User) -> None:
    other_room = RoomFactory(event=EventFactory())

    response = client_of(anna).get(en("chat:room-chat", slug=event.slug, pk=other_room.pk))

    assert response.status_code == 404


def test_event_page_links_to_the_chat_only_for_its_people(event: Event, anna: User) -> None:
    path = en("events:event-detail", slug=event.slug)
    chat_link = f'href="{lobby(event)}"'

    bodies = {who: _body(client_of(user).get(path)) for who, user in {
        "anonymous": None, "stranger": UserFactory(), "anna": anna
    }.items()}  # fmt: skip

    assert {who: chat_link in body for who, body in bodies.items()} == {
        "anonymous": False,
        "stranger": False,
        "anna": True,
    }
    assert "Chat with everyone at the barcamp" in bodies["anna"]


# --- Posting without JavaScript ------------------------------------------------------------------


def test_post_without_javascript_stores_broadcasts_and_redirects_back(
    event: Event, anna: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_of(anna).post(lobby(event), {"text": "Wo ist der Ratssaal?"})

    assert (response.status_code, response["Location"]) == (302, f"{lobby(event)}#message-form")
    message = ChatMessage.objects.get()
    assert (message.author, message.room, message.text) == (anna, None, "Wo ist der Ratssaal?")
    stored = StreamEvent.objects.get(stream=f"event.{event.pk}.chat")
    assert (stored.seq, stored.kind, stored.payload["id"]) == (1, "chat.message_posted", message.pk)
    assert len(callbacks) == 1  # the broadcast, after commit
    assert shown_texts(client_of(anna).get(lobby(event))) == ["Wo ist der Ratssaal?"]


def test_post_in_a_room_goes_to_that_room(event: Event, room: Room, anna: User) -> None:
    path = en("chat:room-chat", slug=event.slug, pk=room.pk)

    response = client_of(anna).post(path, {"text": "Beamer geht nicht"})

    assert response["Location"] == f"{path}#message-form"
    assert ChatMessage.objects.get().room == room


def test_post_empty_message_shows_the_error_on_the_field(event: Event, anna: User) -> None:
    response = client_of(anna).post(lobby(event), {"text": "   "})

    assert response.status_code == 400
    assert field_errors(response) == {"text": ["This field is required."]}
    assert form_errors(response) == ["Your message: This field is required."]
    assert ChatMessage.objects.count() == 0


def test_post_too_long_message_is_refused(event: Event, anna: User) -> None:
    response = client_of(anna).post(lobby(event), {"text": "x" * 2001})

    assert response.status_code == 400
    assert field_errors(response) == {
        "text": ["Ensure this value has at most 2000 characters (it has 2001)."]
    }
    assert ChatMessage.objects.count() == 0


def test_post_while_paused_is_refused_and_the_page_says_so(
    event: Event, anna: User, moderator: User
) -> None:
    chat_services.mute_user(event, actor=moderator, user=anna, minutes=None)
    client = client_of(anna)

    page = client.get(lobby(event))
    response = client.post(lobby(event), {"text": "Hallo?"})

    assert "A moderator has paused your messages. You can still read along." in text(page)
    assert response.status_code == 400
    assert form_errors(response) == ["A moderator has paused your messages in this barcamp."]
    assert ChatMessage.objects.count() == 0


def test_post_too_fast_is_refused_with_a_clear_message(event: Event, anna: User) -> None:
    client = client_of(anna)
    for n in range(chat_services.RATE_LIMIT):
        assert client.post(lobby(event), {"text": f"Nachricht {n}"}).status_code == 302

    response = client.post(lobby(event), {"text": "Eine zu viel"})

    assert response.status_code == 400
    assert form_errors(response) == ["You are writing very fast. Please wait a few seconds."]
    assert ChatMessage.objects.count() == chat_services.RATE_LIMIT


# --- Paging --------------------------------------------------------------------------------------


def test_older_messages_are_paged_fifty_at_a_time(event: Event, anna: User) -> None:
    messages = [
        ChatMessage.objects.create(event=event, author=anna, text=f"n{n}", html=f"<p>n{n}</p>")
        for n in range(60)
    ]
    client = client_of(anna)

    newest = client.get(lobby(event))
    older_link = f"{lobby(event)}?before={messages[10].pk}"
    older = client.get(older_link)

    assert shown_texts(newest) == [f"n{n}" for n in range(10, 60)]
    assert f'href="{older_link}"' in _body(newest)
    assert "Show older messages" in text(newest)
    assert shown_texts(older) == [f"n{n}" for n in range(10)]
    assert "Show older messages" not in text(older)
    assert "Back to the newest messages" in text(older)
    chat_section = re.search(r"<section[^>]*data-chat[^>]*>", _body(older))
    assert chat_section
    assert "data-stream" not in chat_section[0]  # an older page does not follow live messages
    assert 'name="text"' not in _body(older)  # and has no form: one writes on the newest page


def test_deleted_messages_are_not_shown(event: Event, anna: User, ben: User) -> None:
    gone = post(event, ben, "Ups, falscher Chat")
    post(event, ben, "Bleibt")
    chat_services.delete_message(gone, actor=ben)

    response = client_of(anna).get(lobby(event))

    assert shown_texts(response) == ["Bleibt"]


def test_invalid_before_shows_the_newest_messages(event: Event, anna: User) -> None:
    post(event, anna, "Neueste")

    response = client_of(anna).get(f"{lobby(event)}?before=abc")

    assert (response.status_code, shown_texts(response)) == (200, ["Neueste"])


def queries_for(client: CheckedClient, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_chat_page_query_count_does_not_grow_with_messages(
    event: Event, anna: User, ben: User
) -> None:
    client = client_of(anna)
    post(event, ben, "Eins")
    queries_for(client, lobby(event))  # warm the session and the content-type cache
    with_1 = queries_for(client, lobby(event))
    post(event, anna, "Zwei")
    post(event, ben, "Drei")

    with_3 = queries_for(client, lobby(event))

    assert with_3 == with_1


# --- Message actions -----------------------------------------------------------------------------


def test_author_deletes_own_message(event: Event, anna: User) -> None:
    message = post(event, anna, "Vertippt")

    response = client_of(anna).post(
        en("chat:message-delete", slug=event.slug, pk=message.pk), follow=True
    )

    message.refresh_from_db()
    assert response.redirect_chain == [(lobby(event), 302)]
    assert messages_of(response) == ["The message has been deleted."]
    assert (message.deleted_at is not None, message.deleted_by) == (True, anna)
    assert shown_texts(response) == []


def test_participant_cannot_delete_someone_elses_message(
    event: Event, anna: User, ben: User
) -> None:
    message = post(event, ben, "Meins")

    response = client_of(anna).post(
        en("chat:message-delete", slug=event.slug, pk=message.pk), follow=True
    )

    message.refresh_from_db()
    assert messages_of(response) == ["You may only delete your own messages."]
    assert message.deleted_at is None


def test_delete_buttons_are_offered_to_the_author_and_to_moderators_only(
    event: Event, anna: User, ben: User, moderator: User
) -> None:
    message = post(event, ben, "Hallo")
    delete_url = en("chat:message-delete", slug=event.slug, pk=message.pk)
    pause_url = en("chat:message-pause", slug=event.slug, pk=message.pk)
    report_url = en("chat:message-report", slug=event.slug, pk=message.pk)

    def actions(user: User) -> set[str]:
        body = _body(client_of(user).get(lobby(event)))
        article = re.search(rf'<article[^>]*id="message-{message.pk}".*?</article>', body, re.S)
        assert article
        urls = {"delete": delete_url, "pause": pause_url, "report": report_url}
        return {name for name, url in urls.items() if f'action="{url}"' in article[0]}

    assert actions(ben) == {"delete"}
    assert actions(anna) == {"report"}
    assert actions(moderator) == {"delete", "report", "pause"}


def test_moderator_deletes_any_message_with_an_audit_entry(
    event: Event, ben: User, moderator: User
) -> None:
    message = post(event, ben, "Spam")

    client_of(moderator).post(en("chat:message-delete", slug=event.slug, pk=message.pk))

    message.refresh_from_db()
    assert message.deleted_by == moderator
    assert StreamEvent.objects.filter(kind="chat.message_deleted").count() == 1


def test_action_from_the_page_script_gets_a_short_text_and_no_redirect(
    event: Event, anna: User
) -> None:
    message = post(event, anna, "Weg damit")

    response = client_of(anna).post(
        en("chat:message-delete", slug=event.slug, pk=message.pk), HTTP_HX_REQUEST="true"
    )

    assert (response.status_code, response["Content-Type"]) == (200, "text/plain; charset=utf-8")
    assert response.content.decode() == "The message has been deleted."
    assert messages_of(client_of(anna).get(lobby(event))) == []  # nothing left for later


def test_refused_action_from_the_page_script_is_400_with_the_reason(
    event: Event, anna: User, ben: User
) -> None:
    message = post(event, ben, "Nicht deins")

    response = client_of(anna).post(
        en("chat:message-delete", slug=event.slug, pk=message.pk), HTTP_HX_REQUEST="true"
    )

    assert (response.status_code, response.content.decode()) == (
        400,
        "You may only delete your own messages.",
    )


def test_report_stores_the_reason_once(event: Event, anna: User, ben: User) -> None:
    message = post(event, ben, "Kauft meine Software!")
    path = en("chat:message-report", slug=event.slug, pk=message.pk)
    client = client_of(anna)

    first = client.post(path, {"reason": "Werbung"}, follow=True)
    client.post(path, {"reason": "Nochmal"})

    assert messages_of(first) == ["Thank you. The moderators will look at the message."]
    assert list(ChatReport.objects.values_list("message", "reporter", "reason")) == [
        (message.pk, anna.pk, "Werbung")
    ]


def test_report_without_reason_is_fine(event: Event, anna: User, ben: User) -> None:
    message = post(event, ben, "Hmm")

    client_of(anna).post(en("chat:message-report", slug=event.slug, pk=message.pk), {})

    assert ChatReport.objects.get().reason == ""


@pytest.mark.parametrize(("duration", "minutes"), [("15", 15), ("60", 60), ("0", None)])
def test_moderator_pauses_the_author(
    event: Event, ben: User, moderator: User, duration: str, minutes: int | None
) -> None:
    message = post(event, ben, "Laut")
    before = timezone.now()

    response = client_of(moderator).post(
        en("chat:message-pause", slug=event.slug, pk=message.pk),
        {"duration": duration},
        follow=True,
    )

    mute = ChatMute.objects.get()
    assert (mute.user, mute.created_by) == (ben, moderator)
    if minutes is None:
        assert mute.until is None
        assert messages_of(response) == [
            "Ben Okafor's messages are paused until you lift the pause."
        ]
    else:
        assert mute.until is not None
        expected = before + datetime.timedelta(minutes=minutes)
        assert abs((mute.until - expected).total_seconds()) < 5
        assert messages_of(response)[0].startswith("Ben Okafor's messages are paused until ")


def test_pause_without_a_duration_is_refused(event: Event, ben: User, moderator: User) -> None:
    message = post(event, ben, "Laut")

    response = client_of(moderator).post(
        en("chat:message-pause", slug=event.slug, pk=message.pk), {}, follow=True
    )

    assert messages_of(response) == ["Please choose how long to pause."]
    assert ChatMute.objects.count() == 0


def test_participant_cannot_pause_anyone(event: Event, anna: User, ben: User) -> None:
    message = post(event, ben, "Laut")

    response = client_of(anna).post(
        en("chat:message-pause", slug=event.slug, pk=message.pk), {"duration": "60"}
    )

    assert response.status_code == 404
    assert ChatMute.objects.count() == 0


# --- Moderation page -----------------------------------------------------------------------------


def test_moderation_page_lists_open_reports_and_active_pauses(
    event: Event, anna: User, ben: User, moderator: User
) -> None:
    message = post(event, ben, "Kauft meine Software!")
    chat_services.report_message(message, actor=anna, reason="Werbung")
    handled = chat_services.report_message(post(event, ben, "Alter Hinweis"), actor=anna)
    chat_services.resolve_report(handled, actor=moderator)
    chat_services.mute_user(event, actor=moderator, user=ben, minutes=None, reason="Spam")
    expired = RegistrationFactory(event=event, user=UserFactory(name="Eva Abgelaufen")).user
    ChatMute.objects.create(
        event=event, user=expired, until=timezone.now() - datetime.timedelta(minutes=1)
    )

    response = client_of(moderator).get(en("chat:moderation", slug=event.slug))

    page = text(response)
    assert response.status_code == 200
    assert "Message from Ben Okafor, reported by Anna Schmidt" in page
    assert "Kauft meine Software!" in page
    assert "Reason: Werbung" in page
    assert "Alter Hinweis" not in page  # handled already
    assert "Lift the pause of Ben Okafor" in page
    assert "Eva Abgelaufen" not in page


def test_moderation_page_is_only_for_moderators_and_organisers(
    event: Event, anna: User, moderator: User, organiser: User
) -> None:
    path = en("chat:moderation", slug=event.slug)

    statuses = {
        name: client_of(user).get(path).status_code
        for name, user in {"anna": anna, "moderator": moderator, "organiser": organiser}.items()
    }

    assert statuses == {"anna": 404, "moderator": 200, "organiser": 200}


def test_resolve_report_marks_it_handled(
    event: Event, anna: User, ben: User, moderator: User
) -> None:
    report = chat_services.report_message(post(event, ben, "Hm"), actor=anna)

    response = client_of(moderator).post(
        en("chat:report-resolve", slug=event.slug, pk=report.pk), follow=True
    )

    report.refresh_from_db()
    assert response.redirect_chain == [(en("chat:moderation", slug=event.slug), 302)]
    assert messages_of(response) == ["The report has been marked as handled."]
    assert (report.resolved_at is not None, report.resolved_by) == (True, moderator)
    assert "No open reports." in text(response)


def test_delete_from_the_moderation_page_returns_there(
    event: Event, anna: User, ben: User, moderator: User
) -> None:
    message = post(event, ben, "Beleidigung")
    chat_services.report_message(message, actor=anna)

    response = client_of(moderator).post(
        en("chat:message-delete", slug=event.slug, pk=message.pk),
        {"back": "moderation"},
        follow=True,
    )

    assert response.redirect_chain == [(en("chat:moderation", slug=event.slug), 302)]
    assert "Message deleted" in text(response)


def test_lift_pause_lets_the_person_write_again(event: Event, ben: User, moderator: User) -> None:
    mute = chat_services.mute_user(event, actor=moderator, user=ben, minutes=60)

    response = client_of(moderator).post(
        en("chat:pause-lift", slug=event.slug, pk=mute.pk), follow=True
    )
    posted = client_of(ben).post(lobby(event), {"text": "Wieder da"})

    assert messages_of(response) == ["Ben Okafor can write again."]
    assert ChatMute.objects.count() == 0
    assert posted.status_code == 302


def test_moderator_sees_only_the_moderation_links_in_the_manage_nav(
    event: Event, moderator: User
) -> None:
    response = client_of(moderator).get(en("chat:moderation", slug=event.slug))

    nav = re.search(r'<nav class="manage-nav".*?</nav>', _body(response), re.S)
    assert nav
    assert Page(nav[0]).text == (
        "Announcements Likely duplicates Run the pitch Session grid Chat moderation Timekeeper"
    )


# --- Announcements -------------------------------------------------------------------------------


def announcements(event: Event) -> str:
    return en("events:manage-announcements", slug=event.slug)


@pytest.mark.parametrize("who", ["organiser", "moderator"])
def test_announcement_is_sent_stored_and_broadcast(
    event: Event,
    organiser: User,
    moderator: User,
    who: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    sender = {"organiser": organiser, "moderator": moderator}[who]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_of(sender).post(
            announcements(event),
            {"text": "Die Eröffnung beginnt in 5 Minuten im Ratssaal."},
            follow=True,
        )

    announcement = Announcement.objects.get()
    assert response.redirect_chain == [(announcements(event), 302)]
    assert messages_of(response) == [
        "The announcement has been sent. Everyone at the barcamp sees it now."
    ]
    assert (announcement.created_by, announcement.text) == (
        sender,
        "Die Eröffnung beginnt in 5 Minuten im Ratssaal.",
    )
    stored = StreamEvent.objects.get(stream=f"event.{event.pk}")
    assert (stored.kind, stored.payload["id"]) == ("announcement.sent", announcement.pk)
    assert len(callbacks) == 1  # the broadcast, after commit
    assert "Sent announcements" in text(response)


def test_announcement_page_is_404_for_participants(event: Event, anna: User) -> None:
    client = client_of(anna)

    responses = [client.get(announcements(event)), client.post(announcements(event), {"text": "x"})]

    assert [r.status_code for r in responses] == [404, 404]
    assert Announcement.objects.count() == 0


def test_empty_announcement_shows_the_error_on_the_field(event: Event, organiser: User) -> None:
    response = client_of(organiser).post(announcements(event), {"text": ""})

    assert response.status_code == 400
    assert field_errors(response) == {"text": ["This field is required."]}
    assert Announcement.objects.count() == 0


def test_latest_announcement_of_the_last_12_hours_is_on_every_barcamp_page(
    event: Event, organiser: User, anna: User
) -> None:
    old = send_announcement(event, actor=organiser, text="Gestern: Anmeldung offen")
    Announcement.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=13)
    )
    pages = [en("events:event-detail", slug=event.slug), lobby(event)]

    before = [text(client_of(anna).get(path)) for path in pages]
    send_announcement(event, actor=organiser, text="Heute: Eröffnung um **9 Uhr**")
    after = [client_of(anna).get(path) for path in pages]

    assert all("Gestern" not in page for page in before)
    assert all("Announcement from the organisers" not in page for page in before)
    for response in after:
        body = _body(response)
        region = re.search(
            r'<div class="announcements" role="status".*?</div>\s*<button', body, re.S
        )
        assert region
        assert "Heute: Eröffnung um 9 Uhr" in Page(region[0]).text
        assert "<strong>9 Uhr</strong>" in region[0]
        assert 'data-since="2"' in region[0]
        assert "Gestern" not in body


def test_invited_guest_of_an_invite_only_barcamp_sees_no_announcement(
    organiser: User,
) -> None:
    event = EventFactory(invite_only=True, slug="nur-mit-einladung", organiser=organiser)
    send_announcement(event, actor=organiser, text="Interner Hinweis für Angemeldete")
    invitation = Invitation.objects.create(
        event=event, email="gast@musterstadt.example", role=Role.PARTICIPANT, invited_by=organiser
    )

    response = client_of(None).get(
        f"{en('events:register', slug=event.slug)}?invitation={invitation.token}"
    )

    assert response.status_code == 200
    assert "Interner Hinweis" not in _body(response)
    assert "data-announcements" not in _body(response)
