"""Who may do what with proposals and the pitch. Views, the API and the socket ask here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from unkonf.events import permissions as event_permissions
from unkonf.events.enums import RegistrationStatus, Role
from unkonf.events.models import Event, EventRole, Registration
from unkonf.proposals.enums import ACTIVE_STATES, HOST_EDITABLE_STATES, PitchState, ProposalState
from unkonf.proposals.models import Pitch, Proposal, ProposalSettings

PITCH_ROLES: frozenset[str] = frozenset({Role.ORGANISER, Role.MODERATOR})


def can_moderate_proposals(user: Any, event: Event) -> bool:
    """Organisers and moderators edit any proposal, merge duplicates and run the pitch."""
    return event_permissions.is_superuser(user) or bool(
        PITCH_ROLES & event_permissions.roles_of(user, event)
    )


def takes_part(user: Any, event: Event) -> bool:
    return event_permissions.takes_part(user, event)


def participants_among(event: Event, users: Sequence[Any]) -> set[int]:
    """The ids of those among ``users`` for whom ``takes_part`` holds, in two queries for all
    (the burst of taps at the pitch). Same rule: logged in, may see the barcamp, and a role or
    a confirmed registration (or a superuser)."""
    people = {u.pk: u for u in users if getattr(u, "is_authenticated", False)}
    if not people:
        return set()
    roles: dict[int, set[str]] = {pk: set() for pk in people}
    for user_id, role in EventRole.objects.filter(event=event, user_id__in=people).values_list(
        "user_id", "role"
    ):
        roles[user_id].add(role)
    for user_id in Registration.objects.filter(
        event=event, user_id__in=people, status=RegistrationStatus.CONFIRMED
    ).values_list("user_id", flat=True):
        roles[user_id].add(Role.PARTICIPANT)
    allowed = set()
    for pk, user in people.items():
        if user.is_superuser or (roles[pk] and (event.is_published or Role.ORGANISER in roles[pk])):
            allowed.add(pk)
    return allowed


def can_propose(user: Any, event: Event, settings: ProposalSettings) -> bool:
    if can_moderate_proposals(user, event):
        return True
    return settings.proposals_open and takes_part(user, event)


def is_host(user: Any, proposal: Proposal) -> bool:
    """A confirmed host (the one who proposed it is confirmed from the start)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cache: dict[int, bool] = user.__dict__.setdefault("_unkonf_hosts", {})
    if proposal.pk not in cache:
        cache[proposal.pk] = proposal.hosts.filter(user=user, confirmed_at__isnull=False).exists()
    return cache[proposal.pk]


def forget_hosts(user: Any) -> None:
    user.__dict__.pop("_unkonf_hosts", None)


def can_view_proposal(user: Any, proposal: Proposal) -> bool:
    """Drafts are seen by their hosts and the moderators; the rest by anyone who sees the
    barcamp. Merged proposals stay reachable (their page points to where they went)."""
    event = proposal.event
    if not event_permissions.can_view_event(user, event):
        return False
    if proposal.state == ProposalState.DRAFT:
        return is_host(user, proposal) or can_moderate_proposals(user, event)
    return True


def can_edit_proposal(user: Any, proposal: Proposal) -> bool:
    """Hosts edit until the proposal is in the published plan; moderators edit anything."""
    if can_moderate_proposals(user, proposal.event):
        return proposal.state != ProposalState.MERGED
    return proposal.state in HOST_EDITABLE_STATES and is_host(user, proposal)


def can_see_host_names(user: Any, event: Event) -> bool:
    """Names are personal data: shown to the people of the barcamp, not to the internet."""
    return takes_part(user, event) or event_permissions.is_superuser(user)


def can_show_interest(user: Any, proposal: Proposal, pitch: Pitch | None) -> bool:
    """Registered people (and the team) mark active proposals until the pitch is closed
    (interest is fixed for planning then); the service checks the rest (the cap)."""
    if pitch is not None and pitch.state == PitchState.CLOSED:
        return False
    return proposal.state in ACTIVE_STATES and takes_part(user, proposal.event)


def can_comment(user: Any, proposal: Proposal) -> bool:
    return proposal.state != ProposalState.MERGED and takes_part(user, proposal.event)


def counts_visible(
    user: Any, event: Event, settings: ProposalSettings, pitch: Pitch | None
) -> bool:
    """Interest counts may be hidden until the pitch starts (not from the team)."""
    if not settings.hide_counts_until_pitch or can_moderate_proposals(user, event):
        return True
    return pitch is not None and pitch.state != PitchState.PREPARING
