"""Proposals through their services: states, hosts, interest, comments, materials, merging,
and the pitch. Concurrency on PostgreSQL is in ``test_concurrency.py``; what reaches whom over
the websocket in ``tests/realtime``."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.utils import translation
from PIL import Image

from tests.factories import (
    EventFactory,
    EventRoleFactory,
    ProposalFactory,
    RegistrationFactory,
    UserFactory,
)
from unkonf.accounts.models import User
from unkonf.accounts.services import erase_account, export_personal_data
from unkonf.core.models import AuditLogEntry
from unkonf.events.enums import Role
from unkonf.events.models import Event
from unkonf.proposals import selectors, services
from unkonf.proposals.enums import PitchState, ProposalState, QueueOrder
from unkonf.proposals.exceptions import InterestRefused, PitchError, ProposalError
from unkonf.proposals.models import Comment, Interest, Material, Proposal, ProposalHost
from unkonf.proposals.uploads import UploadRefused
from unkonf.realtime import groups
from unkonf.realtime.models import StreamEvent


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@dataclass
class Camp:
    event: Event
    organiser: User
    moderator: User
    anna: User
    ben: User
    carla: User


@pytest.fixture
def camp() -> Camp:
    organiser = UserFactory(name="Olga Orga")
    event = EventFactory(organiser=organiser)
    moderator = UserFactory(name="Moritz Moderation")
    EventRoleFactory(event=event, user=moderator, role=Role.MODERATOR)
    people = [UserFactory(name=n) for n in ("Anna Schmidt", "Ben Becker", "Carla Yilmaz")]
    for person in people:
        RegistrationFactory(event=event, user=person)
    return Camp(event, organiser, moderator, *people)


def pitch_frames(event: Event) -> list[dict[str, object]]:
    return [
        e.payload
        for e in StreamEvent.objects.filter(stream=groups.pitch_stream(event.pk)).order_by("seq")
    ]


def png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(data, "PNG")
    data.seek(0)
    return data


# --- Proposing ----------------------------------------------------------------------------------


def test_create_proposal_makes_the_author_a_confirmed_host_and_submits(camp: Camp) -> None:
    proposal = services.create_proposal(
        camp.event,
        actor=camp.anna,
        title="  KI in der   Verwaltung ",
        description="Was geht <script>alert(1)</script> schon **heute**?",
        topics=["KI", "ki", "Ethik"],
        needs=["whiteboard", "projector"],
        slots=2,
        mode="hybrid",
    )
    assert proposal.state == ProposalState.SUBMITTED
    assert proposal.title == "KI in der Verwaltung"
    assert "<script" not in proposal.description_html
    assert "<strong>heute</strong>" in proposal.description_html
    assert sorted(t.name for t in proposal.topics.all()) == ["Ethik", "KI"]
    assert proposal.needs == ["projector", "whiteboard"]
    assert list(proposal.hosts.values_list("user__name", flat=True)) == ["Anna Schmidt"]
    assert proposal.hosts.get().confirmed_at is not None
    actions = list(
        AuditLogEntry.objects.filter(event_id=camp.event.pk).values_list("action", flat=True)
    )
    assert set(actions) >= {"proposal.created", "proposal.submitted"}


def test_create_proposal_refuses_unregistered_people_and_closed_proposals(camp: Camp) -> None:
    stranger = UserFactory()
    with pytest.raises(ProposalError, match="registered participants"):
        services.create_proposal(camp.event, actor=stranger, title="Etwas")
    settings = selectors.get_settings(camp.event)
    settings.proposals_open = False
    settings.save()
    with pytest.raises(ProposalError, match="closed"):
        services.create_proposal(camp.event, actor=camp.anna, title="Etwas")
    # the team can always propose
    assert services.create_proposal(camp.event, actor=camp.moderator, title="Etwas").pk


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Gut", "description": "x" * 5001}, "description"),
        ({"title": "Gut", "format": "party"}, "format"),
        ({"title": "Gut", "slots": 3}, "slots"),
        ({"title": "Gut", "needs": ["beamer"]}, "needs"),
        ({"title": "Gut", "topics": ["a", "b", "c", "d", "e", "f"]}, "topics"),
    ],
)
def test_create_proposal_refuses_bad_input_and_saves_nothing(
    camp: Camp, fields: dict[str, object], field: str
) -> None:
    with pytest.raises(ProposalError) as refused:
        services.create_proposal(camp.event, actor=camp.anna, **fields)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert not Proposal.objects.exists()


def test_draft_is_seen_by_hosts_and_moderators_only(camp: Camp) -> None:
    draft = services.create_proposal(camp.event, actor=camp.anna, title="Entwurf", submit=False)
    assert draft.state == ProposalState.DRAFT
    from unkonf.proposals.permissions import can_view_proposal

    assert can_view_proposal(camp.anna, draft)
    assert can_view_proposal(camp.moderator, draft)
    assert not can_view_proposal(UserFactory(), draft)
    assert not can_view_proposal(camp.ben, draft)
    services.submit_proposal(draft, actor=camp.anna)
    draft.refresh_from_db()
    assert draft.state == ProposalState.SUBMITTED
    assert can_view_proposal(camp.ben, draft)


def test_hosts_edit_until_scheduled_and_changes_are_audited(camp: Camp) -> None:
    proposal = ProposalFactory(event=camp.event, host=camp.anna)
    services.update_proposal(proposal, actor=camp.anna, title="Neuer Titel", topics=["Daten"])
    entry = AuditLogEntry.objects.get(action="proposal.changed")
    assert entry.data == {"fields": ["title", "topics"]}
    with pytest.raises(ProposalError, match="no longer change"):
        services.update_proposal(proposal, actor=camp.ben, title="Übernommen")
    Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.SCHEDULED)
    with pytest.raises(ProposalError, match="no longer change"):
        services.update_proposal(proposal, actor=camp.anna, title="Zu spät")
    services.update_proposal(proposal, actor=camp.organiser, title="Orga darf")
    proposal.refresh_from_db()
    assert proposal.title == "Orga darf"


def test_update_refuses_fields_that_are_not_editable(camp: Camp) -> None:
    proposal = ProposalFactory(event=camp.event, host=camp.anna)
    with pytest.raises(ProposalError, match="interest_count"):
        services.update_proposal(proposal, actor=camp.anna, interest_count=99)


def test_withdraw_and_resubmit(camp: Camp) -> None:
    proposal = ProposalFactory(event=camp.event, host=camp.anna)
    services.withdraw_proposal(proposal, actor=camp.anna)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.WITHDRAWN
    with pytest.raises(InterestRefused, match="not open"):
        services.cast_interest(proposal, actor=camp.ben)
    services.submit_proposal(proposal, actor=camp.anna)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SUBMITTED


# --- Co-hosts -----------------------------------------------------------------------------------


def test_cohost_is_invited_by_mail_and_counts_after_confirming(
    camp: Camp, django_capture_on_commit_callbacks: Any
) -> None:
    proposal = ProposalFactory(event=camp.event, host=camp.anna)
    with django_capture_on_commit_callbacks(execute=True):
        host = services.invite_cohost(proposal, actor=camp.anna, email=camp.ben.email.upper())
    assert [m.to for m in mail.outbox] == [[camp.ben.email]]
    assert proposal.title in mail.outbox[0].body
    from unkonf.proposals.permissions import can_edit_proposal, forget_hosts

    assert not can_edit_proposal(camp.ben, proposal)
    services.answer_cohost_invitation(host, actor=camp.ben, accept=True)
    forget_hosts(camp.ben)
    assert can_edit_proposal(camp.ben, proposal)


def test_cohost_invitation_refuses_strangers_and_twice(camp: Camp) -> None:
    proposal = ProposalFactory(event=camp.event, host=camp.anna)
    with pytest.raises(ProposalError, match="Nobody with this e-mail"):
        services.invite_cohost(proposal, actor=camp.anna, email=UserFactory().email)
    services.invite_cohost(proposal, actor=camp.anna, email=camp.ben.email)
    with pytest.raises(ProposalError, match="already"):
        services.invite_cohost(proposal, actor=camp.anna, email=camp.ben.email)
    host = ProposalHost.objects.get(user=camp.ben)
    with pytest.raises(ProposalError, match="not open for you"):
        services.answer_cohost_invitation(host, actor=camp.carla, accept=True)
    services.answer_cohost_invitation(host, actor=camp.ben, accept=False)
    assert not ProposalHost.objects.filter(user=camp.ben).exists()


def test_last_host_cannot_be_removed(camp: Camp) -> None:
    proposal = ProposalFactory(event=camp.event, host=camp.anna)
    with pytest.raises(ProposalError, match="at least one host"):
        services.remove_host(proposal.hosts.get(), actor=camp.anna)


# --- Interest -----------------------------------------------------------------------------------


def test_interest_counts_once_per_person_and_can_be_taken_back(camp: Camp) -> None:
    proposal = ProposalFactory(event=camp.event, host=camp.anna)
    services.cast_interest(proposal, actor=camp.ben)
    services.cast_interest(proposal, actor=camp.ben)
    services.cast_interest(proposal, actor=camp.carla)
    proposal.refresh_from_db()
    assert proposal.interest_count == 2
    assert Interest.objects.filter(proposal=proposal).count() == 2
    services.withdraw_interest(proposal, actor=camp.ben)
    services.withdraw_interest(proposal, actor=camp.ben)
    proposal.refresh_from_db()
    assert proposal.interest_count == 1
    assert proposal.interest_version == 3


def test_interest_refused_for_people_not_registered(camp: Camp) -> None:
    proposal = ProposalFactory(event=camp.event, host=camp.anna)
    waiting = UserFactory()
    RegistrationFactory(event=camp.event, user=waiting, waiting=True)
    for person in (UserFactory(), waiting):
        with pytest.raises(InterestRefused, match="registered participants"):
            services.cast_interest(proposal, actor=person)
    proposal.refresh_from_db()
    assert proposal.interest_count == 0


def test_interest_cap_per_person(camp: Camp) -> None:
    settings = selectors.get_settings(camp.event)
    settings.max_interests = 2
    settings.save()
    first, second, third = (ProposalFactory(event=camp.event) for _ in range(3))
    services.cast_interest(first, actor=camp.ben)
    services.cast_interest(second, actor=camp.ben)
    with pytest.raises(InterestRefused, match="at most 2"):
        services.cast_interest(third, actor=camp.ben)
    services.withdraw_interest(first, actor=camp.ben)
    services.cast_interest(third, actor=camp.ben)
    assert selectors.interested_ids(camp.event, camp.ben) == {second.pk, third.pk}


def test_interest_on_merged_or_draft_refused(camp: Camp) -> None:
    draft = ProposalFactory(event=camp.event, state=ProposalState.DRAFT)
    with pytest.raises(InterestRefused, match="not open"):
        services.cast_interest(draft, actor=camp.ben)


# --- Comments -----------------------------------------------------------------------------------


def test_comment_notifies_hosts_but_not_the_author(
    camp: Camp, django_capture_on_commit_callbacks: Any
) -> None:
    proposal = ProposalFactory(event=camp.event, host=camp.anna)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(proposal, actor=camp.ben, text="Gibt es **Folien**?")
        services.add_comment(proposal, actor=camp.anna, text="Ja, kommen noch.")
    assert [m.to for m in mail.outbox] == [[camp.anna.email]]
    assert "Gibt es **Folien**?" in mail.outbox[0].body
    comment = Comment.objects.get(author=camp.ben)
    assert "<strong>Folien</strong>" in comment.html
    with pytest.raises(ProposalError, match="your own"):
        services.delete_comment(comment, actor=camp.carla)
    services.delete_comment(comment, actor=camp.moderator)
    assert list(selectors.list_comments(proposal)) == [Comment.objects.get(author=camp.anna)]


def test_comment_refuses_empty_and_strangers(camp: Camp) -> None:
    proposal = ProposalFactory(event=camp.event)
    with pytest.raises(ProposalError, match="write a comment"):
        services.add_comment(proposal, actor=camp.ben, text="   ")
    with pytest.raises(ProposalError, match="registered"):
        services.add_comment(proposal, actor=UserFactory(), text="Hallo")


# --- Materials ----------------------------------------------------------------------------------


def test_material_upload_is_checked_and_stored_under_a_random_name(camp: Camp) -> None:
    proposal = ProposalFactory(event=camp.event, host=camp.anna)
    material = services.add_material_file(
        proposal, actor=camp.anna, upload=png(), name="../../Übersicht.png", title=""
    )
    assert material.content_type == "image/png"
    assert material.filename == "Übersicht.png"
    assert material.title == "Übersicht.png"
    assert "Übersicht" not in material.file.name
    assert material.file.name.startswith(f"materials/{camp.event.pk}/")
    assert material.file.read()[:8] == b"\x89PNG\r\n\x1a\n"


def test_material_upload_refused_saves_nothing(camp: Camp) -> None:
    proposal = ProposalFactory(event=camp.event, host=camp.anna)
    svg = io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    with pytest.raises(UploadRefused):
        services.add_material_file(proposal, actor=camp.anna, upload=svg, name="bild.png")
    assert not Material.objects.exists()
    with pytest.raises(ProposalError, match="no longer change"):
        services.add_material_file(proposal, actor=camp.ben, upload=png(), name="x.png")


def test_material_link_needs_a_web_address(camp: Camp) -> None:
    proposal = ProposalFactory(event=camp.event, host=camp.anna)
    with pytest.raises(ProposalError):
        services.add_material_link(proposal, actor=camp.anna, url="javascript:alert(1)")
    link = services.add_material_link(proposal, actor=camp.anna, url="https://example.org/folien")
    assert link.title == "https://example.org/folien"


# --- Merging ------------------------------------------------------------------------------------


def test_merge_combines_hosts_interest_and_comments_without_double_counting(camp: Camp) -> None:
    target = ProposalFactory(event=camp.event, host=camp.anna, title="KI in der Verwaltung")
    source = ProposalFactory(event=camp.event, host=camp.ben, title="KI im Amt")
    for person in (camp.carla, camp.ben):
        services.cast_interest(target, actor=person)
    for person in (camp.carla, camp.anna):
        services.cast_interest(source, actor=person)
    services.add_comment(source, actor=camp.carla, text="Gern mit Beispielen")
    merged = services.merge_proposals(target, sources=[source], actor=camp.moderator)
    source.refresh_from_db()
    assert source.state == ProposalState.MERGED
    assert source.merged_into_id == target.pk
    assert source.interest_count == 0
    assert merged.interest_count == 3  # carla once, ben, anna
    assert set(Interest.objects.filter(proposal=target).values_list("user__name", flat=True)) == {
        "Anna Schmidt",
        "Ben Becker",
        "Carla Yilmaz",
    }
    assert set(target.hosts.values_list("user__name", flat=True)) == {"Anna Schmidt", "Ben Becker"}
    assert target.comments.count() == 1
    assert AuditLogEntry.objects.get(action="proposal.merged").data == {"merged": [source.pk]}


def test_merge_only_by_moderators_and_not_twice(camp: Camp) -> None:
    target, source = ProposalFactory(event=camp.event), ProposalFactory(event=camp.event)
    with pytest.raises(ProposalError, match="Only organisers"):
        services.merge_proposals(target, sources=[source], actor=camp.anna)
    services.merge_proposals(target, sources=[source], actor=camp.organiser)
    with pytest.raises(ProposalError, match="cannot be merged"):
        services.merge_proposals(target, sources=[source], actor=camp.organiser)
    other_event = ProposalFactory()
    with pytest.raises(ProposalError, match="do not belong"):
        services.merge_proposals(target, sources=[other_event], actor=camp.organiser)


# --- The pitch ----------------------------------------------------------------------------------


def test_pitch_runs_through_the_queue_into_the_backlog(camp: Camp) -> None:
    first, second, third = (ProposalFactory(event=camp.event) for _ in range(3))
    pitch = services.open_pitch(camp.event, actor=camp.moderator, order=QueueOrder.SUBMISSION)
    assert pitch.state == PitchState.OPEN
    assert list(selectors.pitch_queue(camp.event)) == [first, second, third]
    pitch = services.next_pitch(camp.event, actor=camp.moderator)
    assert pitch.current == first
    assert pitch.timer_running
    assert pitch.duration == 60
    assert 59 <= services.remaining_seconds(pitch) <= 60
    pitch = services.next_pitch(camp.event, actor=camp.moderator)
    first.refresh_from_db()
    assert first.state == ProposalState.PITCHED
    assert first.pitched_at is not None
    assert pitch.current == second
    assert list(selectors.pitch_queue(camp.event)) == [third]
    pitch = services.close_pitch(camp.event, actor=camp.moderator)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.state == ProposalState.PITCHED
    assert third.state == ProposalState.SUBMITTED
    assert third.queue_position is None
    assert list(selectors.list_pitched(camp.event)) == [first, second]
    frames = pitch_frames(camp.event)
    assert [f["state"] for f in frames] == ["open", "open", "open", "closed"]
    assert [f["current"] for f in frames] == [None, first.pk, second.pk, None]


def test_taps_after_the_pitch_closed_are_refused(camp: Camp) -> None:
    proposal = ProposalFactory(event=camp.event)
    services.open_pitch(camp.event, actor=camp.moderator)
    services.next_pitch(camp.event, actor=camp.moderator)
    services.cast_interest(proposal, actor=camp.ben)
    services.close_pitch(camp.event, actor=camp.moderator)
    with pytest.raises(InterestRefused, match="pitch is over"):
        services.cast_interest(proposal, actor=camp.carla)
    with pytest.raises(InterestRefused, match="pitch is over"):
        services.withdraw_interest(proposal, actor=camp.ben)
    proposal.refresh_from_db()
    assert proposal.interest_count == 1


def test_queue_reorder_by_position(camp: Camp) -> None:
    a, b, c = (ProposalFactory(event=camp.event) for _ in range(3))
    services.open_pitch(camp.event, actor=camp.moderator)
    services.move_in_queue(c, actor=camp.moderator, position=1)
    assert list(selectors.pitch_queue(camp.event)) == [c, a, b]
    services.move_in_queue(c, actor=camp.moderator, position=99)
    assert list(selectors.pitch_queue(camp.event)) == [a, b, c]
    pitch = services.move_in_queue(a, actor=camp.moderator, position=2)
    assert pitch.order == QueueOrder.MANUAL
    assert list(selectors.pitch_queue(camp.event)) == [b, a, c]


def test_spontaneous_proposal_needs_only_title_and_host_name(camp: Camp) -> None:
    waiting = ProposalFactory(event=camp.event)
    services.open_pitch(camp.event, actor=camp.moderator)
    spontaneous = services.add_spontaneous_proposal(
        camp.event,
        actor=camp.moderator,
        title="Spontan: Low-Code",
        host_name=" Paula  Pohl ",
        next_up=True,
    )
    assert spontaneous.host_name == "Paula Pohl"
    assert not spontaneous.hosts.exists()
    assert list(selectors.pitch_queue(camp.event)) == [spontaneous, waiting]
    with pytest.raises(ProposalError, match="host's name"):
        services.add_spontaneous_proposal(
            camp.event, actor=camp.moderator, title="X", host_name=" "
        )


def test_timer_pause_extend_and_resume(camp: Camp) -> None:
    ProposalFactory(event=camp.event)
    services.open_pitch(camp.event, actor=camp.moderator)
    services.next_pitch(camp.event, actor=camp.moderator)
    pitch = services.control_timer(camp.event, actor=camp.moderator, action="pause")
    assert not pitch.timer_running
    assert 59 <= pitch.timer_remaining <= 60
    pitch = services.control_timer(camp.event, actor=camp.moderator, action="extend", seconds=30)
    assert 89 <= pitch.timer_remaining <= 90
    pitch = services.control_timer(camp.event, actor=camp.moderator, action="start")
    assert pitch.timer_running
    assert 89 <= services.remaining_seconds(pitch) <= 90
    with pytest.raises(PitchError):
        services.control_timer(camp.event, actor=camp.moderator, action="extend", seconds=0)
    with pytest.raises(PitchError, match="Unknown"):
        services.control_timer(camp.event, actor=camp.moderator, action="explode")


def test_only_moderators_run_the_pitch(camp: Camp) -> None:
    for person in (camp.anna, UserFactory()):
        with pytest.raises(PitchError, match="Only organisers and moderators"):
            services.open_pitch(camp.event, actor=person)
    with pytest.raises(PitchError, match="not running"):
        services.next_pitch(camp.event, actor=camp.moderator)


def test_submitting_during_the_pitch_joins_the_queue(camp: Camp) -> None:
    services.open_pitch(camp.event, actor=camp.moderator)
    late = services.create_proposal(camp.event, actor=camp.anna, title="Nachzüglerin")
    assert list(selectors.pitch_queue(camp.event)) == [late]


def test_hidden_counts_are_visible_to_participants_once_the_pitch_opens(camp: Camp) -> None:
    from unkonf.proposals.permissions import counts_visible

    settings = selectors.get_settings(camp.event)
    settings.hide_counts_until_pitch = True
    settings.save()
    assert not counts_visible(camp.anna, camp.event, settings, selectors.find_pitch(camp.event))
    assert counts_visible(camp.moderator, camp.event, settings, None)
    pitch = services.open_pitch(camp.event, actor=camp.moderator)
    assert counts_visible(camp.anna, camp.event, settings, pitch)


# --- Personal data ------------------------------------------------------------------------------


def test_export_and_erase_personal_data(camp: Camp) -> None:
    proposal = ProposalFactory(event=camp.event, host=camp.anna, title="Meine Idee")
    services.cast_interest(proposal, actor=camp.ben)
    services.add_comment(proposal, actor=camp.ben, text="Bin dabei")
    exported = export_personal_data(camp.ben)["proposals"]
    assert exported["interests"][0]["title"] == "Meine Idee"
    assert exported["comments"][0]["text"] == "Bin dabei"
    assert export_personal_data(camp.anna)["proposals"]["hosted"][0]["title"] == "Meine Idee"
    erase_account(camp.ben, actor=camp.ben)
    proposal.refresh_from_db()
    assert proposal.interest_count == 0
    assert not Interest.objects.exists()


# --- Bursts of taps (the websocket path) -------------------------------------------------------


def test_a_burst_of_taps_is_applied_in_order_with_one_result_each(camp: Camp) -> None:
    first, second = ProposalFactory(event=camp.event), ProposalFactory(event=camp.event)
    stranger = UserFactory()
    taps = [
        services.Tap(camp.ben, first.pk, True),
        services.Tap(camp.ben, first.pk, True),  # double tap
        services.Tap(camp.carla, first.pk, True),
        services.Tap(camp.ben, first.pk, False),  # taken back in the same burst
        services.Tap(stranger, first.pk, True),
        services.Tap(camp.carla, second.pk, True),
        services.Tap(camp.carla, 10**9, True),  # no such proposal
        services.Tap(camp.ben, first.pk, True),  # and in again
    ]

    results = services.set_interests(camp.event, taps)

    shown = [
        str(r)
        if isinstance(r, InterestRefused)
        else (r.proposal_id, r.interested, r.count, r.version)
        for r in results
    ]
    assert shown == [
        (first.pk, True, 1, 1),
        (first.pk, True, 1, 1),
        (first.pk, True, 2, 2),
        (first.pk, False, 1, 3),
        "Only registered participants can show interest.",
        (second.pk, True, 1, 1),
        "Unknown proposal.",
        (first.pk, True, 2, 4),
    ]
    first.refresh_from_db()
    assert (first.interest_count, first.interest_version) == (2, 4)
    assert set(Interest.objects.filter(proposal=first).values_list("user__name", flat=True)) == {
        "Ben Becker",
        "Carla Yilmaz",
    }


def test_a_burst_keeps_the_per_person_cap(camp: Camp) -> None:
    settings = selectors.get_settings(camp.event)
    settings.max_interests = 2
    settings.save()
    proposals = [ProposalFactory(event=camp.event) for _ in range(4)]

    results = services.set_interests(
        camp.event, [services.Tap(camp.ben, p.pk, True) for p in proposals]
    )

    assert [isinstance(r, InterestRefused) for r in results] == [False, False, True, True]
    assert Interest.objects.filter(user=camp.ben).count() == 2
