"""Interest is scarce in its own way: every tap counts exactly once, even when a whole hall
taps at the same moment, and none after the pitch closed. Real threads on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from tests.events.test_concurrency import run_together
from tests.factories import EventFactory, EventRoleFactory, ProposalFactory, UserFactory
from unkonf.accounts.models import User
from unkonf.events.enums import RegistrationStatus, Role
from unkonf.events.models import Registration
from unkonf.proposals import services
from unkonf.proposals.exceptions import InterestRefused
from unkonf.proposals.models import Interest, Pitch, Proposal, ProposalSettings


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def participants(event_id: int, n: int) -> list[User]:
    users = User.objects.bulk_create(
        [User(email=f"person{i}@musterstadt.example", name=f"Person {i}") for i in range(n)]
    )
    Registration.objects.bulk_create(
        [
            Registration(
                event_id=event_id,
                user=user,
                name=user.name,
                email=user.email,
                privacy_consent_at="2026-01-01T00:00:00Z",
                status=RegistrationStatus.CONFIRMED,
                queue_number=10_000 + i,  # after those the factories made
            )
            for i, user in enumerate(users)
        ]
    )
    return users


def test_thousand_simultaneous_taps_give_an_exact_count_and_double_taps_count_once() -> None:
    event = EventFactory()
    proposal = ProposalFactory(event=event)
    people = participants(event.pk, 500)
    taps = [person for person in people for _ in range(2)]  # everyone taps twice

    results = run_together(lambda person: services.cast_interest(proposal, actor=person), taps)

    assert [r for r in results if isinstance(r, Exception)] == []
    proposal.refresh_from_db()
    assert proposal.interest_count == 500
    assert Interest.objects.filter(proposal=proposal).count() == 500
    assert proposal.interest_version == 500


def test_taps_and_take_backs_at_once_end_in_the_count_of_rows() -> None:
    event = EventFactory()
    proposal = ProposalFactory(event=event)
    people = participants(event.pk, 300)
    for person in people[:150]:
        services.cast_interest(proposal, actor=person)

    def act(person: User) -> Proposal:
        if person.pk % 2:
            return services.withdraw_interest(proposal, actor=person)
        return services.cast_interest(proposal, actor=person)

    run_together(act, people)

    proposal.refresh_from_db()
    rows = Interest.objects.filter(proposal=proposal).count()
    assert proposal.interest_count == rows
    assert rows == len([p for p in people if p.pk % 2 == 0])  # even ids in, odd ids out


def test_per_person_cap_holds_when_one_person_taps_many_proposals_at_once() -> None:
    event = EventFactory()
    ProposalSettings.objects.create(event=event, max_interests=3)
    proposals = [ProposalFactory(event=event) for _ in range(12)]
    person = participants(event.pk, 1)[0]

    results = run_together(
        lambda proposal: services.cast_interest(proposal, actor=person), proposals, workers=12
    )

    refused = [r for r in results if isinstance(r, InterestRefused)]
    assert len(refused) == 9
    assert Interest.objects.filter(user=person).count() == 3


def test_taps_racing_the_close_of_the_pitch_either_count_or_are_refused() -> None:
    event = EventFactory()
    moderator = UserFactory()
    EventRoleFactory(event=event, user=moderator, role=Role.MODERATOR)
    proposal = ProposalFactory(event=event)
    services.open_pitch(event, actor=moderator)
    services.next_pitch(event, actor=moderator)
    people = participants(event.pk, 200)
    work: list[User | None] = [*people[:100], None, *people[100:]]

    def act(person: User | None) -> object:
        if person is None:
            return services.close_pitch(event, actor=moderator)
        return services.cast_interest(proposal, actor=person)

    def act_in_english(person: User | None) -> object:
        with translation.override("en"):  # the workers are threads of their own
            return act(person)

    results = run_together(act_in_english, work)

    counted = [r for r in results if isinstance(r, Proposal)]
    refused = [r for r in results if isinstance(r, InterestRefused)]
    assert len(counted) + len(refused) == 200
    assert all("pitch is over" in str(r) for r in refused)
    proposal.refresh_from_db()
    assert proposal.interest_count == len(counted) == Interest.objects.count()
    # No tap got in after the close.
    closed_at = Pitch.objects.get(event=event).closed_at
    assert closed_at is not None
    assert not Interest.objects.filter(created_at__gt=closed_at).exists()
