"""The demo's published grid (``demo_grid``): pitched, planned, published through the services,
with both days filled, every hard rule kept, a few stars and one move on the second day."""

from __future__ import annotations

import io
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command

from tests.scheduling.test_exports import load_xsd
from unkonf.core.models import AuditLogEntry
from unkonf.events.models import Event
from unkonf.proposals.enums import PitchState, ProposalState
from unkonf.proposals.models import Pitch, Proposal
from unkonf.scheduling import exports
from unkonf.scheduling.demo import DEMO_SLUG, DemoInfo, seed_demo
from unkonf.scheduling.demo_grid import STARS
from unkonf.scheduling.models import Schedule, ScheduleEntry, Star, TimeSlot
from unkonf.scheduling.selectors.exports import get_plan_data
from unkonf.scheduling.selectors.grid import covered_slots, next_slots

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

SITE_URL = "http://demo.example.org"


@pytest.fixture
def demo() -> DemoInfo:
    return seed_demo(site_url=SITE_URL, grid=True)


def cells_of(event: Event) -> dict[int, list[int]]:
    """Per proposal the slots its entry covers."""
    following = next_slots(TimeSlot.objects.filter(event=event))
    return {
        entry.proposal_id: covered_slots(entry, following)
        for entry in ScheduleEntry.objects.filter(event=event)
    }


def layout(event: Event) -> set[tuple[str, str, str]]:
    """The grid by title, room and local start (ids differ between runs)."""
    return {
        (e.proposal.title, e.room.name, f"{e.slot.local_start():%a %H:%M}")
        for e in ScheduleEntry.objects.filter(event=event).select_related(
            "proposal", "room", "slot", "slot__event"
        )
    }


def test_demo_grid_fills_both_days_keeps_every_hard_rule_and_is_published(demo):
    event = demo.event
    schedule = Schedule.objects.get(event=event)
    days = Counter(
        ScheduleEntry.objects.filter(event=event).values_list("slot__day__label", flat=True)
    )
    cells = cells_of(event)
    entries = {e.proposal_id: e for e in ScheduleEntry.objects.filter(event=event)}
    taken = Counter((entries[pid].room_id, slot) for pid, slots in cells.items() for slot in slots)
    kinds = dict(TimeSlot.objects.filter(event=event).values_list("pk", "kind"))
    busy: dict[tuple[int, int], list[int]] = defaultdict(list)
    for proposal in Proposal.objects.filter(pk__in=cells).prefetch_related("hosts"):
        for host in proposal.hosts.filter(confirmed_at__isnull=False):
            for slot in cells[proposal.pk]:
                busy[(host.user_id, slot)].append(proposal.pk)

    assert schedule.is_published
    assert set(days) == {"Tag 1", "Tag 2"}
    assert min(days.values()) >= 5
    assert len(entries) == 18
    assert max(taken.values()) == 1  # one session per room and slot
    assert {kinds[slot] for slots in cells.values() for slot in slots} == {"session"}
    assert sorted(len(slots) for slots in cells.values()) == [1] * 17 + [2]  # the 2-slot one
    assert busy
    assert all(len(proposals) == 1 for proposals in busy.values())  # no host twice at a time
    plan = get_plan_data(event, schedule, show_hosts=True)
    raw = exports.build_schedule_xml(
        plan, links=exports.Links(site_url=SITE_URL), url=f"{SITE_URL}/schedule.xml"
    )
    load_xsd().validate(raw.decode())
    assert raw.count(b"<event ") == 18


def test_demo_grid_is_pitched_starred_moved_once_and_made_by_the_services(demo):
    event = demo.event
    pitch = Pitch.objects.get(event=event)
    states = Counter(Proposal.objects.filter(event=event).values_list("state", flat=True))
    left = Proposal.objects.filter(event=event, state=ProposalState.PITCHED)
    stars = Counter(Star.objects.filter(event=event).values_list("user__email", flat=True))
    moved = list(ScheduleEntry.objects.filter(event=event, moved_at__isnull=False))
    actions = Counter(
        AuditLogEntry.objects.filter(
            event_id=event.pk, action__regex=r"^(grid|pitch)\."
        ).values_list("action", flat=True)
    )

    assert (pitch.state, pitch.current) == (PitchState.CLOSED, None)
    assert states == {ProposalState.SCHEDULED: 18, ProposalState.PITCHED: 2, ProposalState.DRAFT: 1}
    # no room has what these two need: they wait in the grid editor's backlog
    assert {p.title for p in left} == {
        "Scrum im Bürgerbüro – geht das?",
        "Mit-Mach-Stadt: Bürgerbeteiligung digital neu denken",
    }
    assert not Proposal.objects.filter(event=event, queue_position__isnull=False).exists()
    assert stars == {email: len(positions) for email, positions in STARS.items()}
    assert len(moved) == 1
    assert moved[0].slot.day.label == "Tag 2"
    assert moved[0].previous_room not in ("", moved[0].room.name)
    assert moved[0].previous_start == moved[0].slot.start  # the same time, a bigger room
    assert moved[0].version == 2
    assert actions == {
        "pitch.opened": 1,
        "pitch.closed": 1,
        "grid.suggestion": 1,
        "grid.published": 1,
        "grid.move": 1,
    }
    assert AuditLogEntry.objects.filter(event_id=event.pk, action="proposal.pitched").count() == 20


def test_demo_grid_is_the_same_on_every_run_and_the_command_seeds_it():
    call_command("seed_demo", site_url=SITE_URL, stdout=io.StringIO())
    first = layout(Event.objects.get(slug=DEMO_SLUG))
    Event.objects.filter(slug=DEMO_SLUG).delete()

    again = seed_demo(site_url=SITE_URL, grid=True)

    assert len(first) == 18
    assert layout(again.event) == first


def test_seed_demo_command_without_grid_stops_after_the_proposals():
    call_command("seed_demo", "--without-grid", site_url=SITE_URL, stdout=io.StringIO())

    event = Event.objects.get(slug=DEMO_SLUG)
    assert not ScheduleEntry.objects.filter(event=event).exists()
    assert not Schedule.objects.filter(event=event, published_at__isnull=False).exists()
    assert Proposal.objects.filter(event=event, state=ProposalState.SUBMITTED).count() == 20


def test_seed_demo_command_without_proposals_has_no_grid():
    call_command("seed_demo", "--without-proposals", site_url=SITE_URL, stdout=io.StringIO())

    event = Event.objects.get(slug=DEMO_SLUG)
    assert not Proposal.objects.filter(event=event).exists()
    assert not ScheduleEntry.objects.filter(event=event).exists()
