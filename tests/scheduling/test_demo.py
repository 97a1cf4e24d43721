from __future__ import annotations

import datetime
import io
from collections import Counter

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from unkonf.accounts.models import User
from unkonf.core.models import AuditLogEntry
from unkonf.events.enums import EventMode, OrganisationType, RegistrationStatus, Role, Visibility
from unkonf.events.models import Day, Event, EventRole, Invitation, Registration
from unkonf.events.permissions import can_create_events
from unkonf.proposals.enums import ProposalFormat, ProposalState
from unkonf.proposals.models import Comment, Interest, Proposal, ProposalHost
from unkonf.proposals.selectors import list_duplicate_candidates
from unkonf.scheduling.demo import DEMO_NAME, DEMO_SLUG, DemoInfo, demo_days, seed_demo
from unkonf.scheduling.enums import SlotKind
from unkonf.scheduling.models import TimeSlot
from unkonf.venues.enums import RoomKind
from unkonf.venues.models import Room

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

SITE_URL = "http://demo.example.org"


@pytest.fixture
def info() -> DemoInfo:
    """The demo without its session proposals: enough for the barcamp's frame, and fast."""
    return seed_demo(site_url=SITE_URL, proposals=False)


@pytest.fixture
def full() -> DemoInfo:
    return seed_demo(site_url=SITE_URL)


def test_seed_demo_creates_one_published_hybrid_barcamp(info: DemoInfo) -> None:
    event = Event.objects.get()

    assert info.created is True
    assert info.event == event
    assert event.slug == DEMO_SLUG == "verwaltung-digital"
    assert event.name == DEMO_NAME.format(year=event.days.first().date.year)
    assert event.name.startswith("Verwaltung digital gestalten")
    assert event.is_published
    assert event.mode == EventMode.HYBRID
    assert event.visibility == Visibility.PUBLIC
    assert event.capacity == 60
    assert event.timezone == "Europe/Berlin"
    assert event.missing_legal_texts() == []
    assert "Datenschutz" in event.privacy_notice
    assert "Verhaltenskodex" in event.code_of_conduct
    assert "Was ist ein Barcamp?" in event.description
    assert "Berlin" in event.venue_address
    assert event.online_note


def test_seed_demo_reports_urls_and_accounts(info: DemoInfo) -> None:
    assert info.event_url == "http://demo.example.org/verwaltung-digital/"
    assert info.login_url == "http://demo.example.org/accounts/login/"
    assert info.organiser_email == "orga@example.org"
    assert info.participant_email == "teilnehmerin@example.org"


def test_seed_demo_adds_thursday_and_friday_three_weeks_ahead(info: DemoInfo) -> None:
    days = list(info.event.days.order_by("date"))
    today = timezone.localdate()

    assert [day.label for day in days] == ["Tag 1", "Tag 2"]
    assert [day.date for day in days] == list(demo_days(today))
    assert [day.date.weekday() for day in days] == [3, 4]
    assert 21 <= (days[0].date - today).days < 28


def test_demo_days_keeps_a_thursday_exactly_three_weeks_ahead() -> None:
    assert demo_days(datetime.date(2027, 3, 4)) == (
        datetime.date(2027, 3, 25),
        datetime.date(2027, 3, 26),
    )


def test_seed_demo_generates_slots_on_both_days(info: DemoInfo) -> None:
    day1, day2 = info.event.days.order_by("date")

    def layout(day: Day) -> list[tuple[str, str, str]]:
        return [
            (f"{s.local_start():%H:%M}", f"{s.local_end():%H:%M}", s.kind)
            for s in TimeSlot.objects.filter(day=day).select_related("event").order_by("start")
        ]

    session, plenary, lunch = SlotKind.SESSION, SlotKind.PLENARY, SlotKind.BREAK
    assert layout(day1) == [
        ("09:30", "10:00", plenary),
        ("10:15", "11:00", session),
        ("11:15", "12:00", session),
        ("12:30", "13:30", lunch),
        ("13:30", "14:15", session),
        ("14:30", "15:15", session),
        ("15:30", "16:15", session),
    ]
    assert layout(day2) == [
        ("09:30", "09:45", plenary),
        ("10:00", "10:45", session),
        ("11:00", "11:45", session),
        ("12:30", "13:30", lunch),
        ("13:30", "14:15", session),
        ("14:30", "15:15", session),
        ("15:30", "16:15", session),
        ("16:30", "17:00", plenary),
    ]


def test_seed_demo_creates_stage_cafe_exhibition_and_six_workshop_rooms(info: DemoInfo) -> None:
    rooms = list(Room.objects.filter(event=info.event))
    kinds = Counter(room.kind for room in rooms)
    workshops = [room for room in rooms if room.kind == RoomKind.WORKSHOP]
    stage = next(room for room in rooms if room.kind == RoomKind.STAGE)

    assert kinds == {
        RoomKind.STAGE: 1,
        RoomKind.CAFE: 1,
        RoomKind.EXHIBITION: 1,
        RoomKind.WORKSHOP: 6,
    }
    assert stage.name == "Hauptbühne"
    assert stage.capacity == 120
    assert {r.name for r in rooms} >= {
        "Hauptbühne",
        "Café",
        "Ausstellung",
        "Raum Spree",
        "Raum Havel",
    }
    assert all(12 <= room.capacity <= 40 for room in workshops)
    assert all(room.location and room.equipment for room in rooms)
    assert [room.position for room in rooms] == list(range(1, 10))


def test_seed_demo_makes_stage_and_two_workshop_rooms_hybrid_on_the_demo_host(
    info: DemoInfo,
) -> None:
    rooms = Room.objects.filter(event=info.event)
    hybrid = [room for room in rooms if room.is_online]
    hybrid_workshops = [room for room in hybrid if room.kind == RoomKind.WORKSHOP]

    assert {room.name for room in hybrid} == {"Hauptbühne", "Café", "Raum Spree", "Raum Havel"}
    assert len(hybrid_workshops) == 2
    assert all(room.video_url.startswith("https://meet.example.org/") for room in hybrid)
    assert all("hybrid_ready" in room.equipment for room in hybrid_workshops)


def test_seed_demo_registers_forty_confirmed_from_every_organisation_type(info: DemoInfo) -> None:
    registrations = list(Registration.objects.filter(event=info.event).prefetch_related("days"))

    assert len(registrations) == 40
    assert {r.status for r in registrations} == {RegistrationStatus.CONFIRMED}
    assert {r.organisation_type for r in registrations} == set(OrganisationType.values)
    assert all(r.days.count() >= 1 for r in registrations)
    assert 2 <= sum(bool(r.accessibility_needs) for r in registrations) < 10
    assert 5 <= sum(r.public_listing for r in registrations) < 40
    assert len({r.email for r in registrations}) == 40
    assert all(
        r.email.rsplit("@", 1)[1] in {"example.org", "example.com", "example.net"}
        for r in registrations
    )
    assert Registration.objects.filter(event=info.event, email="teilnehmerin@example.org").exists()


def test_seed_demo_gives_the_staff_their_roles(info: DemoInfo) -> None:
    roles = {
        (role.user.email, role.role)
        for role in EventRole.objects.filter(event=info.event).select_related("user")
    }
    invitation = Invitation.objects.get(event=info.event)

    assert roles == {
        ("orga@example.org", Role.ORGANISER),
        ("moderation@example.org", Role.MODERATOR),
        ("zeitwaechter@example.org", Role.TIMEKEEPER),
        ("aussteller@example.org", Role.EXHIBITOR),
    }
    assert (invitation.role, invitation.accepted_at) == (Role.MODERATOR, None)


def test_seed_demo_lets_the_organiser_create_barcamps(info: DemoInfo) -> None:
    organiser = User.objects.get(email="orga@example.org")

    assert can_create_events(organiser)
    assert not can_create_events(User.objects.get(email="teilnehmerin@example.org"))


def test_seed_demo_verifies_the_demo_accounts(info: DemoInfo) -> None:
    demo_accounts = {
        info.organiser_email,
        info.moderator_email,
        info.timekeeper_email,
        info.exhibitor_email,
        info.participant_email,
    }

    verified = set(
        EmailAddress.objects.filter(verified=True, primary=True).values_list("email", flat=True)
    )

    assert verified == demo_accounts


FRAME_ACTIONS = {
    "event.created": 1,
    "day.added": 2,
    "slots.generated": 2,
    "room.created": 9,
    "role.granted": 3,
    "role.invited": 1,
    "event.published": 1,
    "registration.created": 40,
}


def test_seed_demo_goes_through_the_services(full: DemoInfo) -> None:
    actions = Counter(
        AuditLogEntry.objects.filter(event_id=full.event.pk).values_list("action", flat=True)
    )

    assert actions == {
        **FRAME_ACTIONS,
        "proposal.created": 21,  # 20 by participants, 1 spontaneous by the moderator
        "proposal.submitted": 19,
        "proposal.cohost_invited": 6,
        "proposal.cohost_confirmed": 5,
    }


def test_seed_demo_without_proposals_leaves_the_programme_empty(info: DemoInfo) -> None:
    actions = Counter(
        AuditLogEntry.objects.filter(event_id=info.event.pk).values_list("action", flat=True)
    )

    assert actions == FRAME_ACTIONS
    assert Proposal.objects.count() == 0


def test_seed_demo_twice_creates_nothing_twice(full: DemoInfo) -> None:
    models = (
        Event,
        Room,
        TimeSlot,
        Registration,
        EventRole,
        Invitation,
        User,
        AuditLogEntry,
        Proposal,
        Interest,
        Comment,
        ProposalHost,
    )
    before = {model: model.objects.count() for model in models}

    again = seed_demo(site_url=SITE_URL)

    assert again.created is False
    assert again.event.pk == full.event.pk
    assert {model: model.objects.count() for model in models} == before


@pytest.mark.django_db(transaction=True)
def test_seed_demo_sends_no_mail_to_the_made_up_people() -> None:
    seed_demo(site_url=SITE_URL)

    assert Registration.objects.count() == 40
    assert Comment.objects.count() == 4
    assert ProposalHost.objects.filter(invited_by__isnull=False).count() == 6
    assert mail.outbox == []


# --- Session proposals -----------------------------------------------------------------------


def test_seed_demo_proposes_twenty_sessions_and_a_draft(full: DemoInfo) -> None:
    proposals = list(Proposal.objects.filter(event=full.event).prefetch_related("topics"))
    states = Counter(p.state for p in proposals)
    spontaneous = [p for p in proposals if p.host_name]

    assert len(proposals) == 21
    assert states == {ProposalState.SUBMITTED: 20, ProposalState.DRAFT: 1}
    assert [(p.title, p.host_name) for p in spontaneous] == [
        ("Kassenautomat im Bürgerbüro – wer hat Erfahrungen?", "Nils Petersen")
    ]
    assert not spontaneous[0].hosts.exists()
    assert Proposal.objects.get(state=ProposalState.DRAFT).hosts.get().user.email == (
        "teilnehmerin@example.org"
    )
    assert {p.format for p in proposals} == set(ProposalFormat.values) - {ProposalFormat.OTHER}
    assert {p.mode for p in proposals} == set(EventMode.values)
    assert Counter(p.slots for p in proposals) == {1: 19, 2: 2}
    assert sum(bool(p.needs) for p in proposals) == 11
    assert all(1 <= p.topics.count() <= 5 for p in proposals if not p.host_name)
    assert all(p.description_html.startswith("<p>") for p in proposals if not p.host_name)


def test_seed_demo_hosts_are_registered_people_some_with_cohosts(full: DemoInfo) -> None:
    hosts = list(ProposalHost.objects.filter(proposal__event=full.event).select_related("user"))
    registered = set(
        Registration.objects.filter(event=full.event).values_list("user_id", flat=True)
    )
    per_proposal = Counter(h.proposal_id for h in hosts if h.confirmed_at is not None)
    asked = [h for h in hosts if h.confirmed_at is None]

    assert {h.user_id for h in hosts} <= registered
    assert sorted(per_proposal.values()) == [1] * 15 + [2] * 5
    assert [(h.user.email, h.proposal.title) for h in asked] == [
        (
            "teilnehmerin@example.org",
            "Mit-Mach-Stadt: Bürgerbeteiligung digital neu denken",
        )
    ]


def test_seed_demo_interest_counts_equal_their_rows(full: DemoInfo) -> None:
    proposals = list(Proposal.objects.filter(event=full.event).order_by("-interest_count", "pk"))
    rows = Counter(Interest.objects.filter(event=full.event).values_list("proposal_id", flat=True))
    hosts_interested = Interest.objects.filter(
        event=full.event,
        proposal__hosts__user=F("user"),
    )

    assert {p.pk: p.interest_count for p in proposals} == {p.pk: rows[p.pk] for p in proposals}
    assert [p.interest_count for p in proposals] == [
        25, 23, 21, 19, 17, 16, 14, 13, 12, 11, 10, 9, 8, 7, 6, 6, 5, 4, 3, 2, 0,
    ]  # fmt: skip
    assert sum(rows.values()) == 231
    assert not hosts_interested.exists()
    assert all(p.interest_version == p.interest_count for p in proposals)


def test_seed_demo_comments_and_a_pair_of_duplicates(full: DemoInfo) -> None:
    comments = list(Comment.objects.filter(proposal__event=full.event).select_related("proposal"))
    pairs = list_duplicate_candidates(full.event)

    assert Counter(c.proposal.title for c in comments) == {
        "KI-Assistenten in der Sachbearbeitung: Was geht schon, was darf man?": 2,
        "Verfestigt die E-Akte das Silodenken?": 1,
        "Barrierefreie Formulare: Praxis-Check mit dem Screenreader": 1,
    }
    assert all(c.html.startswith("<p>") for c in comments)
    assert [{p.title for p in pair.both} for pair in pairs] == [
        {
            "Open Data in der Kommune: Wo fangen wir an?",
            "Offene Daten für Kommunen – die ersten Schritte",
        }
    ]


def test_seed_demo_command_prints_the_address_and_how_to_log_in() -> None:
    out = io.StringIO()

    call_command("seed_demo", site_url="http://localhost:8000", stdout=out)
    first = out.getvalue()
    call_command("seed_demo", site_url="http://localhost:8000", stdout=out)
    second = out.getvalue()[len(first) :]

    assert "Demo-Barcamp angelegt" in first
    assert "Demo barcamp created" in first
    assert "http://localhost:8000/verwaltung-digital/" in first
    assert "http://localhost:8000/accounts/login/" in first
    assert "E-Mail-Adresse eingeben und „Anmelden“ wählen" in first
    assert "orga@example.org" in first
    assert "teilnehmerin@example.org" in first
    assert "Demo-Barcamp ist schon vorhanden" in second
    assert Event.objects.count() == 1
