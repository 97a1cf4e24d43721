"""Who gets what, on every page of unkonf.

``EXPECTED`` holds one row per URL pattern of the project and one column per kind of visitor:
what a GET of that page gives them. ``POSTS`` says, for every page that takes a POST, who must
be refused and that a refused POST changes nothing. The walk over the URL resolver fails as soon
as a pattern exists without a row, so a page added later cannot be forgotten here.

Everything is requested under ``/en/`` so that the texts checked on error pages do not change
when the German catalogue arrives; ``test_every_pattern_is_served_in_both_languages`` checks
that the same patterns exist without the prefix.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import models
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import translation
from django.utils.html import escape

from tests.factories import (
    EventFactory,
    EventRoleFactory,
    ProposalFactory,
    RegistrationFactory,
    RoomFactory,
    TimeSlotFactory,
    UserFactory,
)
from tests.pages import check_page, en
from unkonf.accounts.models import User
from unkonf.chat.models import ChatMessage, ChatMute, ChatReport
from unkonf.core.models import AuditLogEntry
from unkonf.events.enums import Role
from unkonf.events.models import Announcement, Day, Event, EventRole, Invitation, Registration
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import (
    Comment,
    Interest,
    Material,
    Pitch,
    Proposal,
    ProposalHost,
    ProposalSettings,
    Topic,
)
from unkonf.scheduling.models import (
    CalendarFeed,
    GridChange,
    Schedule,
    ScheduleEntry,
    SlotTimer,
    Star,
    Suggestion,
    TimeSlot,
    Unavailability,
)
from unkonf.venues.models import Room

pytestmark = pytest.mark.integration


ROLES = ("anonymous", "participant", "moderator", "timekeeper", "organiser", "other_organiser")

# --- What the URL walk leaves out, and why ------------------------------------------------------

# Included URL confs that are not ours. Their pages follow their own access rules (the admin
# asks for staff status, allauth's login, e-mail and 2FA pages are meant for everybody or for the
# logged-in owner) and they hold no barcamp data. Skipped as whole includes, never by URL name,
# so a page of ours can never hide behind this list.
NOT_OURS = {
    "admin": "Django admin (namespace 'admin'): staff only, guarded by admin.site itself",
    "allauth.urls": "allauth: login by code, logout, e-mail addresses, two-factor setup",
}
# Included URL confs of ours that answer JSON, not pages, and have their own permission tests.
TESTED_ELSEWHERE = {
    "api": "JSON API under /api/v1/ (namespace 'api'): who gets what, CSRF and errors in "
    "tests/proposals/test_api.py, every operation fuzzed in tests/proposals/test_api_fuzz.py",
}
# Single patterns of ours that the matrix does not cover.
SKIPPED_PATTERNS = {
    "healthz": "liveness probe for the load balancer: no data, no session, same for everyone",
}


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name"
    route: str  # the full route, e.g. "<slug:slug>/manage/rooms/<int:pk>/"
    params: tuple[str, ...]


def _include_label(resolver: URLResolver) -> str | None:
    if resolver.namespace in ("admin", "api"):
        return resolver.namespace
    urlconf = resolver.urlconf_name
    if getattr(urlconf, "__name__", urlconf) == "allauth.urls":
        return "allauth.urls"
    return None


def _walk(
    patterns: list[Any], prefix: str, namespaces: tuple[str, ...], skipped: set[str]
) -> Iterator[Pattern]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            label = _include_label(entry)
            if label is not None:
                skipped.add(label)
                continue
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner, skipped)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = ":".join((*namespaces, entry.name or f"<unnamed {route}>"))
            params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
            yield Pattern(name=name, route=route, params=params)


def project_patterns() -> tuple[dict[str, Pattern], set[str]]:
    """Every URL pattern of ours (including those under i18n_patterns), and what was skipped."""
    skipped: set[str] = set()
    found: dict[str, Pattern] = {}
    for pattern in _walk(get_resolver().url_patterns, "", (), skipped):
        if pattern.name in SKIPPED_PATTERNS:
            skipped.add(pattern.name)
            continue
        assert pattern.name not in found, f"two URL patterns are called {pattern.name}"
        found[pattern.name] = pattern
    return found, skipped


# --- Expected outcomes ------------------------------------------------------------------------

OK = 200
BAD_REQUEST = 400
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405
LOGIN = "login"  # 302 to the login page, with ?next= pointing back
FRAGMENT = "fragment"  # 200 with a piece of HTML for a live update, not a whole page
DOWNLOAD = "download"  # 200 with a file to save, which the browser never shows as a page


@dataclass(frozen=True)
class Redirect:
    """302 to another page of the same barcamp (of one of its objects, to an anchor)."""

    name: str
    obj: str | None = None
    anchor: str = ""


Outcome = int | str | Redirect


def everyone(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome: Outcome) -> dict[str, Outcome]:
    """Anonymous visitors are sent to the login page; everybody logged in gets ``outcome``."""
    return {**everyone(outcome), "anonymous": LOGIN}


def organisers_only(outcome: Outcome) -> dict[str, Outcome]:
    """Only this barcamp's organisers; other logged-in people get the uniform 404."""
    return {**signed_in(NOT_FOUND), "organiser": outcome}


def moderators_only(outcome: Outcome) -> dict[str, Outcome]:
    """This barcamp's organisers and moderators; other logged-in people get the uniform 404."""
    return {**organisers_only(outcome), "moderator": outcome}


def its_people(outcome: Outcome) -> dict[str, Outcome]:
    """Everybody with a role or a confirmed place in this barcamp (chat shows names)."""
    return {**signed_in(outcome), "other_organiser": NOT_FOUND}


EXPECTED: dict[str, dict[str, Outcome]] = {
    # public pages of a published, public barcamp
    "events:home": everyone(OK),
    "events:event-detail": everyone(OK),
    "events:event-imprint": everyone(OK),
    "events:event-privacy": everyone(OK),
    "events:event-code-of-conduct": everyone(OK),
    "events:participant-list": everyone(OK),
    "events:register": {
        **everyone(OK),
        "participant": Redirect("events:registration-mine"),  # already registered
    },
    "events:register-done": everyone(OK),
    # the participant's own registration
    "events:registration-mine": {
        **signed_in(Redirect("events:register")),  # no registration yet: register first
        "participant": OK,
    },
    "events:registration-cancel": signed_in(NOT_ALLOWED),
    # creating a barcamp needs the events.add_event permission, which none of them has
    "events:event-create": signed_in(FORBIDDEN),
    # the invitation token is the credential; accepting needs an account
    "events:invitation-accept": signed_in(OK),
    # the organiser's pages
    "events:manage-overview": organisers_only(OK),
    "events:manage-settings": organisers_only(OK),
    "events:manage-publish": signed_in(NOT_ALLOWED),
    "events:manage-days": organisers_only(OK),
    "events:manage-day-edit": organisers_only(OK),
    "events:manage-roles": organisers_only(OK),
    "events:manage-role-revoke": signed_in(NOT_ALLOWED),
    "events:manage-invitation-revoke": signed_in(NOT_ALLOWED),
    "events:manage-registrations": organisers_only(OK),
    "events:manage-registrations-export": organisers_only(OK),
    "events:manage-registration-move": signed_in(NOT_ALLOWED),
    "events:manage-announcements": moderators_only(OK),
    # chat: the barcamp's people read and write; moderators handle reports and pauses
    "chat:lobby-chat": its_people(OK),
    "chat:room-chat": its_people(OK),
    "chat:message-delete": signed_in(NOT_ALLOWED),
    "chat:message-report": signed_in(NOT_ALLOWED),
    "chat:message-pause": signed_in(NOT_ALLOWED),
    "chat:moderation": moderators_only(OK),
    "chat:report-resolve": signed_in(NOT_ALLOWED),
    "chat:pause-lift": signed_in(NOT_ALLOWED),
    # proposals: public like the barcamp; drafts and editing for the hosts and the team
    "proposals:proposal-list": everyone(OK),
    "proposals:proposal-create": signed_in(OK),  # others are told how to take part
    "proposals:proposal-mine": signed_in(OK),
    "proposals:proposal-detail": everyone(OK),
    "proposals:proposal-edit": {**moderators_only(OK), "participant": OK},  # the host
    "proposals:proposal-submit": signed_in(NOT_ALLOWED),
    "proposals:proposal-withdraw": signed_in(NOT_ALLOWED),
    "proposals:proposal-interest": signed_in(NOT_ALLOWED),
    "proposals:comment-create": signed_in(NOT_ALLOWED),
    "proposals:comment-delete": signed_in(NOT_ALLOWED),
    "proposals:cohost-invite": signed_in(NOT_ALLOWED),
    "proposals:cohost-answer": signed_in(NOT_ALLOWED),
    "proposals:host-remove": signed_in(NOT_ALLOWED),
    "proposals:material-add": signed_in(NOT_ALLOWED),
    "proposals:material-download": everyone(DOWNLOAD),
    "proposals:material-delete": signed_in(NOT_ALLOWED),
    "proposals:pitch-live": everyone(OK),
    "proposals:pitch-screen": everyone(OK),
    "proposals:pitch-state": everyone(FRAGMENT),
    "proposals:manage-settings": organisers_only(OK),
    "proposals:manage-duplicates": moderators_only(OK),
    "proposals:manage-merge": signed_in(NOT_ALLOWED),
    "proposals:manage-pitch": moderators_only(OK),
    "proposals:pitch-control": signed_in(NOT_ALLOWED),
    "proposals:pitch-queue-move": signed_in(NOT_ALLOWED),
    "proposals:pitch-spontaneous": signed_in(NOT_ALLOWED),
    "venues:room-list": organisers_only(OK),
    "venues:room-edit": organisers_only(OK),
    "venues:room-delete": signed_in(NOT_ALLOWED),
    "venues:room-move": signed_in(NOT_ALLOWED),
    "scheduling:day-slots": organisers_only(OK),
    "scheduling:slot-edit": organisers_only(OK),
    "scheduling:slot-delete": signed_in(NOT_ALLOWED),
    "scheduling:event-duplicate": organisers_only(OK),
    # the grid editor and the planner's suggestions: organisers and moderators
    "scheduling:grid": moderators_only(Redirect("scheduling:grid-day", "day")),
    "scheduling:grid-day": moderators_only(OK),
    "scheduling:grid-state": moderators_only(FRAGMENT),
    "scheduling:grid-place": signed_in(NOT_ALLOWED),
    "scheduling:grid-unplace": signed_in(NOT_ALLOWED),
    "scheduling:grid-pin": signed_in(NOT_ALLOWED),
    "scheduling:grid-undo": signed_in(NOT_ALLOWED),
    "scheduling:grid-publish": signed_in(NOT_ALLOWED),
    "scheduling:grid-suggest": moderators_only(OK),
    "scheduling:grid-suggestion": moderators_only(OK),
    "scheduling:grid-suggestion-state": moderators_only(FRAGMENT),
    "scheduling:grid-suggestion-apply": signed_in(NOT_ALLOWED),
    "scheduling:grid-suggestion-discard": signed_in(NOT_ALLOWED),
    # exports of the plan: the world's plan is not published, so only the team gets them
    "scheduling:plan-export": {**everyone(NOT_FOUND), "moderator": OK, "organiser": OK},
    "scheduling:plan-ics": {**everyone(NOT_FOUND), "moderator": OK, "organiser": OK},
    "scheduling:plan-schedule-xml": {**everyone(NOT_FOUND), "moderator": OK, "organiser": OK},
    "scheduling:plan-schedule-json": {**everyone(NOT_FOUND), "moderator": OK, "organiser": OK},
    "scheduling:plan-print-day": {**everyone(NOT_FOUND), "moderator": OK, "organiser": OK},
    "scheduling:plan-print-room": {**everyone(NOT_FOUND), "moderator": OK, "organiser": OK},
    "scheduling:plan-feed": everyone(NOT_FOUND),  # the token is the credential; this one is wrong
    "scheduling:plan-feed-renew": signed_in(NOT_ALLOWED),
    "scheduling:door-signs": moderators_only(OK),
    # the timekeeper: organisers, moderators and timekeepers run the clocks
    "scheduling:timekeeper": {**moderators_only(OK), "timekeeper": OK},
    "scheduling:timer-control": signed_in(NOT_ALLOWED),
    # the plan: the world's plan is not published, so only the team sees it (with a note)
    "scheduling:plan": {**everyone(NOT_FOUND), "moderator": OK, "organiser": OK},
    "scheduling:plan-day": {**everyone(NOT_FOUND), "moderator": OK, "organiser": OK},
    "scheduling:plan-room": {**everyone(NOT_FOUND), "moderator": OK, "organiser": OK},
    "scheduling:plan-now": {**everyone(NOT_FOUND), "moderator": OK, "organiser": OK},
    "scheduling:plan-screen": {**everyone(NOT_FOUND), "moderator": OK, "organiser": OK},
    "scheduling:plan-mine": moderators_only(OK),
    "scheduling:plan-star": signed_in(NOT_ALLOWED),
    # hosts say when they cannot host (before the plan exists); others are told they host nothing
    "scheduling:plan-unavailable": signed_in(OK),
    # my account
    "accounts:profile": signed_in(OK),
    "accounts:data-export": signed_in(OK),
    "accounts:erase": signed_in(OK),
    # a one-time login link that is not valid (uid of nobody, wrong token)
    "accounts:login-link": everyone(BAD_REQUEST),
}

# Which object of the world a ``pk``/``day_pk`` in the URL stands for.
OBJECT_OF_URL = {
    "events:manage-day-edit": "day",
    "events:manage-role-revoke": "role",
    "events:manage-invitation-revoke": "invitation",
    "events:manage-registration-move": "waiting",
    "venues:room-edit": "room",
    "venues:room-delete": "room",
    "venues:room-move": "room",
    "scheduling:day-slots": "day",
    "scheduling:slot-edit": "slot",
    "scheduling:slot-delete": "slot",
    "scheduling:grid-day": "day",
    "scheduling:grid-state": "day",
    "scheduling:grid-place": "day",
    "scheduling:grid-unplace": "day",
    "scheduling:grid-pin": "day",
    "scheduling:grid-undo": "day",
    "scheduling:grid-publish": "day",
    "scheduling:grid-suggestion": "suggestion",
    "scheduling:grid-suggestion-state": "suggestion",
    "scheduling:grid-suggestion-apply": "suggestion",
    "scheduling:grid-suggestion-discard": "suggestion",
    "scheduling:plan-print-day": "day",
    "scheduling:plan-print-room": "room",
    "scheduling:door-signs": "day",
    "scheduling:timer-control": "slot",
    "scheduling:plan-day": "day",
    "scheduling:plan-room": "room",
    "scheduling:plan-star": "proposal",
    "chat:room-chat": "room",
    "chat:message-delete": "message",
    "chat:message-report": "message",
    "chat:message-pause": "message",
    "chat:report-resolve": "report",
    "chat:pause-lift": "mute",
    "proposals:proposal-detail": "proposal",
    "proposals:proposal-edit": "proposal",
    "proposals:proposal-submit": "draft",
    "proposals:proposal-withdraw": "proposal",
    "proposals:proposal-interest": "proposal",
    "proposals:comment-create": "proposal",
    "proposals:comment-delete": "proposal",
    "proposals:cohost-invite": "proposal",
    "proposals:cohost-answer": "proposal",
    "proposals:host-remove": "proposal",
    "proposals:material-add": "proposal",
    "proposals:material-download": "proposal",
    "proposals:material-delete": "proposal",
}
# Which object a second parameter of the URL stands for.
OBJECT_OF_PARAM = {"comment_pk": "comment", "host_pk": "pending_host", "material_pk": "material"}


# --- The world: one barcamp with everybody in it, and a second barcamp --------------------------


@dataclass
class World:
    event: Event
    day: Day
    slot: TimeSlot
    room: Room
    other_room: Room
    registration: Registration  # the participant's, confirmed
    waiting: Registration  # somebody else's, on the waiting list
    role: EventRole  # the moderator's
    invitation: Invitation
    message: ChatMessage  # the participant's, in the lobby
    report: ChatReport  # the timekeeper's, on that message
    mute: ChatMute  # of the person on the waiting list
    proposal: Proposal  # submitted, hosted by the participant
    other_proposal: Proposal  # submitted, hosted by somebody else
    draft: Proposal  # the participant's
    comment: Comment  # the participant's, on the proposal
    material: Material  # a file of the proposal
    pending_host: ProposalHost  # the timekeeper, asked to co-host the proposal
    other_event: Event
    suggestion: Suggestion  # the planner's, ready: the proposal into the room and slot
    users: dict[str, User | None] = field(default_factory=dict)


@pytest.fixture
def world(db: None) -> World:
    organiser = UserFactory(name="Olga Organisatorin")
    event = EventFactory(name="Barcamp Matrix", slug="barcamp-matrix", capacity=1)
    EventRoleFactory(event=event, user=organiser, role=Role.ORGANISER)
    moderator_role = EventRoleFactory(event=event, role=Role.MODERATOR)
    timekeeper_role = EventRoleFactory(event=event, role=Role.TIMEKEEPER)
    registration = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, waiting=True)
    day = event.days.get()
    room, other_room = RoomFactory(event=event, name="Ratssaal"), RoomFactory(event=event)
    slot = TimeSlotFactory(day=day)
    invitation = Invitation.objects.create(
        event=event,
        email="eingeladen@musterstadt.example",
        role=Role.MODERATOR,
        invited_by=organiser,
    )
    message = ChatMessage.objects.create(
        event=event, author=registration.user, text="Hallo zusammen", html="<p>Hallo zusammen</p>"
    )
    report = ChatReport.objects.create(message=message, reporter=timekeeper_role.user)
    mute = ChatMute.objects.create(event=event, user=waiting.user, created_by=organiser)
    proposal = ProposalFactory(event=event, host=registration.user, title="Offene Daten")
    other_proposal = ProposalFactory(event=event, host=moderator_role.user, title="Open Data")
    draft = ProposalFactory(event=event, host=registration.user, state=ProposalState.DRAFT)
    comment = Comment.objects.create(
        proposal=proposal, author=registration.user, text="Folien?", html="<p>Folien?</p>"
    )
    material = Material(proposal=proposal, kind="file", title="Folien", filename="folien.pdf")
    material.content_type = "application/pdf"
    material.file.save("folien.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    material.save()
    pending_host = ProposalHost.objects.create(proposal=proposal, user=timekeeper_role.user)
    other_organiser = UserFactory(name="Otto Fremd")
    other_event = EventFactory(name="Barcamp Nachbarstadt", slug="barcamp-nachbarstadt")
    EventRoleFactory(event=other_event, user=other_organiser, role=Role.ORGANISER)
    creator = UserFactory(name="Carla Creator")
    creator.user_permissions.add(Permission.objects.get(codename="add_event"))
    return World(
        event=event,
        day=day,
        slot=slot,
        room=room,
        other_room=other_room,
        registration=registration,
        waiting=waiting,
        role=moderator_role,
        invitation=invitation,
        message=message,
        report=report,
        mute=mute,
        proposal=proposal,
        other_proposal=other_proposal,
        draft=draft,
        comment=comment,
        material=material,
        pending_host=pending_host,
        other_event=other_event,
        suggestion=Suggestion.objects.create(
            event=event,
            scope="all",
            state="ready",
            assignment={str(proposal.pk): [room.pk, slot.pk]},
        ),
        users={
            "anonymous": None,
            "participant": registration.user,
            "moderator": moderator_role.user,
            "timekeeper": timekeeper_role.user,
            "organiser": organiser,
            "other_organiser": other_organiser,
            "creator": creator,  # may create barcamps; used only to prove a payload works
        },
    )


def kwargs_for(name: str, world: World, *, slug: str | None = None) -> dict[str, Any]:
    pattern = PATTERNS[name]
    values: dict[str, Any] = {}
    for param in pattern.params:
        if param == "slug":
            values[param] = slug or world.event.slug
        elif param in ("pk", "day_pk"):
            assert name in OBJECT_OF_URL, f"add {name} to OBJECT_OF_URL: which object is its pk?"
            values[param] = getattr(world, OBJECT_OF_URL[name]).pk
        elif param in OBJECT_OF_PARAM:
            values[param] = getattr(world, OBJECT_OF_PARAM[param]).pk
        elif param == "fmt":
            values[param] = "csv"
        elif name == "accounts:login-link":
            values.update(uidb64="MA", token="invalid-token")  # pk 0: nobody
        elif name == "scheduling:plan-feed" and param == "token":
            values[param] = "no-such-calendar-feed-token"
        elif name == "events:invitation-accept" and param == "token":
            values[param] = world.invitation.token
        else:
            raise AssertionError(f"teach kwargs_for the parameter {param!r} of {name}")
    return values


def client_for(role: str, world: World) -> Client:
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def assert_outcome(response: HttpResponse, expected: Outcome, path: str, world: World) -> None:
    status = response.status_code
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(errors="replace")
    name = escape(world.event.name)
    if expected == LOGIN:
        assert (status, response["Location"]) == (
            302,
            f"{en('account_login')}?next={quote(path)}",
        )
    elif isinstance(expected, Redirect):
        kwargs = {"pk": getattr(world, expected.obj).pk} if expected.obj else {}
        target = en(expected.name, slug=world.event.slug, **kwargs) + expected.anchor
        assert (status, response["Location"]) == (302, target)
    elif expected == OK:
        assert status == 200, body[:500]
        if response["Content-Type"].startswith("text/html"):
            assert '<html lang="en">' in body
            if world.event.slug in path:
                assert name in body
    elif expected == DOWNLOAD:
        assert status == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert response["X-Content-Type-Options"] == "nosniff"
    elif expected == FRAGMENT:
        assert status == 200, body[:500]
        assert response["Content-Type"].startswith("text/html")
        assert "<html" not in body
        assert re.search(r"data-[a-z]+(-[a-z]+)*-state[ >]", body)  # the live part
    elif expected == NOT_FOUND:
        assert status == 404
        assert "Page not found" in body
        assert name not in body, "the 404 must not tell that this barcamp exists"
    elif expected == FORBIDDEN:
        assert status == 403
        assert "Not allowed" in body
    elif expected == NOT_ALLOWED:
        assert status == 405
        assert response["Allow"] == "POST"
    elif expected == BAD_REQUEST:
        assert status == 400
        assert "Link no longer valid" in body
    else:
        raise AssertionError(f"unknown outcome {expected!r}")


PATTERNS, SKIPPED = project_patterns()


# --- Completeness -----------------------------------------------------------------------------


def test_permission_matrix_has_a_row_for_every_url_pattern() -> None:
    missing = sorted(set(PATTERNS) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(PATTERNS))

    assert missing == [], f"URL patterns without a row in EXPECTED: {missing}"
    assert stale == [], f"rows in EXPECTED without a URL pattern: {stale}"
    assert all(set(row) == set(ROLES) for row in EXPECTED.values())


def test_permission_matrix_skips_only_the_documented_includes_and_patterns() -> None:
    assert set(NOT_OURS) | set(TESTED_ELSEWHERE) | set(SKIPPED_PATTERNS) == SKIPPED


def test_permission_matrix_knows_whether_every_url_takes_posts() -> None:
    assert set(POSTS).isdisjoint(GET_ONLY)
    assert set(POSTS) | GET_ONLY == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_pattern_is_served_in_both_languages(name: str) -> None:
    kwargs = dict.fromkeys(PATTERNS[name].params, "x")
    kwargs.update({p: 1 for p in ("pk", "day_pk", *OBJECT_OF_PARAM) if p in kwargs})
    with translation.override("de"):
        german = reverse(name, kwargs=kwargs)
        german_view = resolve(german).func
    with translation.override("en"):
        english = reverse(name, kwargs=kwargs)
        english_view = resolve(english).func

    assert english == "/en" + german
    assert german_view is english_view


# --- GET: the matrix --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "role"), [(name, role) for name in sorted(EXPECTED) for role in ROLES]
)
def test_get_url_as_role_gives_expected_outcome(name: str, role: str, world: World) -> None:
    path = en(name, **kwargs_for(name, world))
    client = client_for(role, world)

    response = client.get(path)

    assert_outcome(response, EXPECTED[name][role], path, world)
    check_page(response)


# --- POST: refused POSTs change nothing --------------------------------------------------------

WATCHED_MODELS: tuple[type[models.Model], ...] = (
    Event,
    Day,
    EventRole,
    Invitation,
    Registration,
    Registration.days.through,
    Room,
    TimeSlot,
    User,
    AuditLogEntry,
    Announcement,
    ChatMessage,
    ChatMute,
    ChatReport,
    Proposal,
    ProposalHost,
    Proposal.topics.through,
    Topic,
    Interest,
    Comment,
    Material,
    ProposalSettings,
    Pitch,
    Schedule,
    ScheduleEntry,
    GridChange,
    Suggestion,
    Star,
    Unavailability,
    SlotTimer,
    CalendarFeed,
)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row that a barcamp action could touch."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values()) for model in WATCHED_MODELS
    }


def _event_form(w: World, **changes: Any) -> dict[str, Any]:
    e = w.event
    data = {
        "name": e.name, "slug": e.slug, "description": e.description, "mode": e.mode,
        "venue_address": e.venue_address, "online_note": e.online_note, "timezone": e.timezone,
        "visibility": e.visibility, "contact_name": e.contact_name,
        "contact_email": e.contact_email, "imprint": e.imprint,
        "privacy_notice": e.privacy_notice, "code_of_conduct": e.code_of_conduct,
        "capacity": e.capacity or "", "registration_open": "on",
    }  # fmt: skip
    return {**data, **changes}


def _registration_form(w: World, **changes: Any) -> dict[str, Any]:
    data = {
        "name": "Paula Neu",
        "email": "paula.neu@musterstadt.example",
        "organisation": "Landkreis Beispiel",
        "organisation_type": "municipal",
        "days": [w.day.pk],
        "privacy_consent": "on",
    }
    return {**data, **changes}


def _room_form(**changes: Any) -> dict[str, Any]:
    return {"name": "Neuer Raum", "kind": "workshop", "capacity": "20", **changes}


def _slot_form(prefix: str = "", **changes: Any) -> dict[str, Any]:
    data = {"start": "15:00", "end": "15:45", "kind": "session", "title": "Neu", **changes}
    return {f"{prefix}{key}": value for key, value in data.items()}


@dataclass(frozen=True)
class Post:
    data: Callable[[World], dict[str, Any]]
    refused: dict[str, Outcome]  # who must be turned away, and how
    control: str | None  # who may send the same POST (it must change something for them)


def without(outcomes: dict[str, Outcome], *roles: str) -> dict[str, Outcome]:
    return {role: outcome for role, outcome in outcomes.items() if role not in roles}


def manage_post(data: Callable[[World], dict[str, Any]]) -> Post:
    """An organiser's action: everybody else is turned away."""
    return Post(data=data, refused=without(signed_in(NOT_FOUND), "organiser"), control="organiser")


def no_data(w: World) -> dict[str, Any]:
    return {}


def moderator_post(data: Callable[[World], dict[str, Any]]) -> Post:
    """A moderator's action: everybody but moderators and organisers is turned away."""
    refused = without(signed_in(NOT_FOUND), "organiser", "moderator")
    return Post(data=data, refused=refused, control="moderator")


def chat_post(data: Callable[[World], dict[str, Any]], control: str = "participant") -> Post:
    """Something anybody of this barcamp may do in its chat; strangers are turned away."""
    return Post(
        data=data, refused={"anonymous": LOGIN, "other_organiser": NOT_FOUND}, control=control
    )


def not_the_host() -> dict[str, Outcome]:
    """What only the hosts (the participant) and the team may do: others get the 404."""
    return {"anonymous": LOGIN, "timekeeper": NOT_FOUND, "other_organiser": NOT_FOUND}


def _proposal_form(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "Neue Idee",
        "format": "discussion",
        "language": "de",
        "slots": "1",
        "mode": "on_site",
    }
    return {**data, **changes}


NEXT_YEAR = (datetime.date.today() + datetime.timedelta(days=365)).isoformat()

POSTS: dict[str, Post] = {
    "events:event-create": Post(
        data=lambda w: {
            "name": "Neues Barcamp",
            "slug": "neues-barcamp",
            "mode": "on_site",
            "timezone": "Europe/Berlin",
            "visibility": "public",
        },
        refused=signed_in(FORBIDDEN),
        control="creator",
    ),
    "events:invitation-accept": Post(no_data, refused={"anonymous": LOGIN}, control="moderator"),
    "events:register": Post(
        data=_registration_form,
        refused={"participant": Redirect("events:registration-mine")},
        control="moderator",
    ),
    "events:registration-mine": Post(
        data=lambda w: _registration_form(w, organisation="Geändert"),
        refused=without(signed_in(Redirect("events:register")), "participant"),
        control="participant",
    ),
    "events:registration-cancel": Post(
        no_data,
        refused=without(signed_in(NOT_FOUND), "participant"),  # nobody else has a registration
        control="participant",
    ),
    "events:manage-settings": manage_post(lambda w: _event_form(w, name="Gekapert")),
    "events:manage-publish": manage_post(lambda w: {"action": "unpublish"}),
    "events:manage-days": manage_post(lambda w: {"date": NEXT_YEAR}),
    "events:manage-day-edit": manage_post(lambda w: {"action": "delete"}),
    "events:manage-roles": manage_post(
        lambda w: {"email": "boss@evil.example", "role": "organiser"}
    ),
    "events:manage-role-revoke": manage_post(no_data),
    "events:manage-invitation-revoke": manage_post(no_data),
    "events:manage-registration-move": manage_post(lambda w: {"status": "confirmed"}),
    "venues:room-list": manage_post(lambda w: _room_form()),
    "venues:room-edit": manage_post(lambda w: _room_form(name="Umbenannt")),
    "venues:room-delete": manage_post(no_data),
    "venues:room-move": manage_post(lambda w: {"direction": "down"}),
    "scheduling:day-slots": manage_post(lambda w: {"action": "add", **_slot_form("slot-")}),
    "scheduling:slot-edit": manage_post(lambda w: _slot_form(title="Umbenannt")),
    "scheduling:slot-delete": manage_post(no_data),
    "scheduling:event-duplicate": manage_post(
        lambda w: {"name": "Kopie", "slug": "barcamp-kopie", "first_day": NEXT_YEAR}
    ),
    "events:manage-announcements": moderator_post(lambda w: {"text": "Gleich geht es los"}),
    "chat:lobby-chat": chat_post(lambda w: {"text": "Guten Morgen"}),
    "chat:room-chat": chat_post(lambda w: {"text": "Wer ist im Raum?"}),
    "chat:message-delete": Post(
        no_data,
        refused={
            "anonymous": LOGIN,
            "other_organiser": NOT_FOUND,
            "timekeeper": Redirect("chat:lobby-chat"),  # not theirs: refused with a message
        },
        control="participant",
    ),
    "chat:message-report": chat_post(lambda w: {"reason": "Werbung"}, control="moderator"),
    "chat:message-pause": moderator_post(lambda w: {"duration": "15"}),
    "chat:report-resolve": moderator_post(no_data),
    "chat:pause-lift": moderator_post(no_data),
    "proposals:proposal-create": Post(
        data=lambda w: _proposal_form(),
        refused={"anonymous": LOGIN, "other_organiser": OK},  # told how to take part
        control="participant",
    ),
    "proposals:proposal-edit": Post(
        data=lambda w: _proposal_form(title="Gekapert"),
        refused=not_the_host(),
        control="participant",
    ),
    "proposals:proposal-submit": Post(no_data, refused=not_the_host(), control="participant"),
    "proposals:proposal-withdraw": Post(no_data, refused=not_the_host(), control="participant"),
    "proposals:proposal-interest": Post(
        data=lambda w: {"want": "1"},
        refused={
            "anonymous": LOGIN,
            "other_organiser": Redirect("proposals:proposal-detail", "proposal"),  # refused
        },
        control="timekeeper",
    ),
    "proposals:comment-create": Post(
        data=lambda w: {"text": "Gibt es Folien?"},
        refused={
            "anonymous": LOGIN,
            "other_organiser": Redirect("proposals:proposal-detail", "proposal", "#comments"),
        },
        control="timekeeper",
    ),
    "proposals:comment-delete": Post(
        no_data,
        refused={
            "anonymous": LOGIN,
            "timekeeper": Redirect("proposals:proposal-detail", "proposal", "#comments"),
            "other_organiser": Redirect("proposals:proposal-detail", "proposal", "#comments"),
        },
        control="participant",
    ),
    "proposals:cohost-invite": Post(
        data=lambda w: {"email": w.users["moderator"].email},  # type: ignore[union-attr]
        refused=not_the_host(),
        control="participant",
    ),
    "proposals:cohost-answer": Post(
        data=lambda w: {"accept": "1"},
        refused={**without(signed_in(NOT_FOUND), "timekeeper")},  # nobody else was asked
        control="timekeeper",
    ),
    "proposals:host-remove": Post(
        no_data, refused={"anonymous": LOGIN, "other_organiser": NOT_FOUND}, control="participant"
    ),
    "proposals:material-add": Post(
        data=lambda w: {"kind": "link", "url": "https://example.org/folien"},
        refused=not_the_host(),
        control="participant",
    ),
    "proposals:material-delete": Post(no_data, refused=not_the_host(), control="participant"),
    "proposals:manage-settings": manage_post(
        lambda w: {"pitch_seconds": "90", "proposals_open": "on"}
    ),
    "proposals:manage-merge": moderator_post(
        lambda w: {"target": w.proposal.pk, "source": w.other_proposal.pk}
    ),
    "proposals:pitch-control": moderator_post(lambda w: {"action": "open", "order": "submission"}),
    "proposals:pitch-queue-move": moderator_post(
        lambda w: {"proposal": w.proposal.pk, "position": "1"}
    ),
    "scheduling:grid-place": moderator_post(
        lambda w: {
            "proposal": w.proposal.pk,
            "room": w.room.pk,
            "slot": w.slot.pk,
            "expected_version": "0",
        }
    ),
    # the world's grid is empty: nothing to take out, pin, undo or publish, so no control here;
    # tests/scheduling/test_grid_views.py has them working
    "scheduling:grid-unplace": Post(
        data=lambda w: {"proposal": w.proposal.pk, "expected_version": "1"},
        refused=without(signed_in(NOT_FOUND), "organiser", "moderator"),
        control=None,
    ),
    "scheduling:grid-pin": Post(
        data=lambda w: {"proposal": w.proposal.pk, "expected_version": "1", "pinned": "1"},
        refused=without(signed_in(NOT_FOUND), "organiser", "moderator"),
        control=None,
    ),
    "scheduling:grid-undo": Post(
        no_data, refused=without(signed_in(NOT_FOUND), "organiser", "moderator"), control=None
    ),
    "scheduling:grid-publish": Post(
        data=lambda w: {"action": "publish"},
        refused=without(signed_in(NOT_FOUND), "organiser", "moderator"),
        control=None,
    ),
    "scheduling:grid-suggest": moderator_post(
        lambda w: {"scope": "remaining", "day": w.day.pk, "time_budget": "1"}
    ),
    "scheduling:grid-suggestion-apply": moderator_post(no_data),
    "scheduling:grid-suggestion-discard": moderator_post(no_data),
    "scheduling:timer-control": Post(
        data=lambda w: {"action": "start"},
        refused=without(signed_in(NOT_FOUND), "organiser", "moderator", "timekeeper"),
        control="timekeeper",
    ),
    # the team may have a feed of the unpublished plan; others get the 404
    "scheduling:plan-feed-renew": moderator_post(no_data),
    "proposals:pitch-spontaneous": moderator_post(
        lambda w: {"title": "Spontan: Low-Code", "host_name": "Paula Pohl"}
    ),
    # only sessions in the grid can be starred, and the world's grid is empty: refused for the
    # team with a message, 404 for the others (the plan is not published); my own tests cover
    # a star that works (tests/scheduling/test_plan_views.py)
    "scheduling:plan-star": Post(
        data=lambda w: {"want": "1"},
        refused={
            **without(signed_in(NOT_FOUND), "moderator", "organiser"),
            "moderator": Redirect("proposals:proposal-detail", "proposal"),
            "organiser": Redirect("proposals:proposal-detail", "proposal"),
        },
        control=None,
    ),
    "scheduling:plan-unavailable": Post(
        data=lambda w: {"slots": [w.slot.pk]},
        refused={  # only hosts: the others are sent back with a message
            "anonymous": LOGIN,
            "timekeeper": Redirect("scheduling:plan-unavailable"),  # asked, not confirmed
            "organiser": Redirect("scheduling:plan-unavailable"),
            "other_organiser": Redirect("scheduling:plan-unavailable"),
        },
        control="participant",
    ),
    "accounts:profile": Post(
        data=lambda w: {"name": "Neuer Name", "language": "en"},
        refused={"anonymous": LOGIN},
        control="participant",
    ),
    "accounts:erase": Post(
        data=lambda w: {"confirm": "on"}, refused={"anonymous": LOGIN}, control="participant"
    ),
    "accounts:login-link": Post(no_data, refused=everyone(BAD_REQUEST), control=None),
}

# Pages that only show something: a POST is refused with 405 and changes nothing.
GET_ONLY = {
    "events:home",
    "events:event-detail",
    "events:event-imprint",
    "events:event-privacy",
    "events:event-code-of-conduct",
    "events:participant-list",
    "events:register-done",
    "events:manage-overview",
    "events:manage-registrations",
    "events:manage-registrations-export",
    "chat:moderation",
    "accounts:data-export",
    "proposals:proposal-list",
    "proposals:proposal-mine",
    "proposals:proposal-detail",
    "proposals:material-download",
    "proposals:pitch-live",
    "proposals:pitch-screen",
    "proposals:pitch-state",
    "proposals:manage-duplicates",
    "proposals:manage-pitch",
    "scheduling:grid",
    "scheduling:grid-day",
    "scheduling:grid-state",
    "scheduling:grid-suggestion",
    "scheduling:grid-suggestion-state",
    "scheduling:plan",
    "scheduling:plan-day",
    "scheduling:plan-room",
    "scheduling:plan-now",
    "scheduling:plan-mine",
    "scheduling:plan-screen",
    "scheduling:plan-export",
    "scheduling:plan-ics",
    "scheduling:plan-feed",
    "scheduling:plan-schedule-xml",
    "scheduling:plan-schedule-json",
    "scheduling:plan-print-day",
    "scheduling:plan-print-room",
    "scheduling:door-signs",
    "scheduling:timekeeper",
}


@pytest.mark.parametrize(
    ("name", "role"), [(name, role) for name in sorted(POSTS) for role in POSTS[name].refused]
)
def test_post_url_as_unauthorised_role_is_refused_and_changes_nothing(
    name: str, role: str, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    path = en(name, **kwargs_for(name, world))
    client = client_for(role, world)
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(path, POSTS[name].data(world))

    assert_outcome(response, POSTS[name].refused[role], path, world)
    assert snapshot() == before
    assert callbacks == []  # no mail, no broadcast


@pytest.mark.parametrize("name", sorted(n for n, post in POSTS.items() if post.control))
def test_post_url_as_authorised_role_changes_something(name: str, world: World) -> None:
    """The control for the test above: the same POST does act when the right person sends it."""
    post = POSTS[name]
    assert post.control is not None
    path = en(name, **kwargs_for(name, world))
    client = client_for(post.control, world)
    before = snapshot()

    response = client.post(path, post.data(world))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert snapshot() != before


@pytest.mark.parametrize("name", sorted(GET_ONLY))
def test_post_to_get_only_url_is_405_and_changes_nothing(name: str, world: World) -> None:
    path = en(name, **kwargs_for(name, world))
    client = client_for("organiser", world)
    before = snapshot()

    response = client.post(path, {"name": "x"})

    assert (response.status_code, response["Allow"]) == (405, "GET")
    assert snapshot() == before


# --- No cross-tenant access through another barcamp's address -----------------------------------


@pytest.mark.parametrize("name", sorted(OBJECT_OF_URL))
def test_object_of_this_barcamp_under_other_barcamps_slug_is_404_for_its_organiser(
    name: str, world: World
) -> None:
    """The other organiser manages *their* barcamp, but puts our object's pk into the URL."""
    path = en(name, **kwargs_for(name, world, slug=world.other_event.slug))
    client = client_for("other_organiser", world)
    post = POSTS.get(name)
    before = snapshot()

    get_response = client.get(path)

    if EXPECTED[name]["organiser"] != NOT_ALLOWED:
        assert get_response.status_code == 404
    if post is not None:
        post_response = client.post(path, post.data(world))
        assert post_response.status_code == 404
        assert "Page not found" in post_response.content.decode()
    assert snapshot() == before


def test_unpublished_barcamp_page_is_404_for_everybody_but_its_organisers(
    world: World,
) -> None:
    Event.objects.filter(pk=world.event.pk).update(published_at=None)
    outcomes = {}

    for role in ROLES:
        path = en("events:event-detail", slug=world.event.slug)
        outcomes[role] = client_for(role, world).get(path).status_code

    assert outcomes == {**everyone(NOT_FOUND), "organiser": OK}


PUBLIC_PAGES = (
    "events:event-detail",
    "events:event-imprint",
    "events:event-privacy",
    "events:event-code-of-conduct",
    "events:participant-list",
    "events:register",
    "events:register-done",
    "events:registration-mine",
)


@pytest.mark.parametrize("variant", ["invite_only", "unpublished"])
@pytest.mark.parametrize("role", ["anonymous", "other_organiser"])
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_hidden_barcamp_is_not_revealed_to_strangers(
    name: str, role: str, variant: str, world: World
) -> None:
    """Invite-only and unpublished barcamps: no page tells a stranger their name or contact."""
    if variant == "invite_only":
        Event.objects.filter(pk=world.event.pk).update(visibility="invite_only")
    else:
        Event.objects.filter(pk=world.event.pk).update(published_at=None)
    path = en(name, slug=world.event.slug)

    response = client_for(role, world).get(path)

    body = response.content.decode()
    assert escape(world.event.name) not in body
    assert world.event.contact_email not in body
    if name == "events:registration-mine" and role == "anonymous":
        assert_outcome(response, LOGIN, path, world)
    elif name == "events:register-done" and variant == "invite_only":
        # an invited guest who registered without logging in: "check your mail", nothing more
        assert response.status_code == 200
        assert "Please check your e-mail" in body
    else:
        assert_outcome(response, NOT_FOUND, path, world)
