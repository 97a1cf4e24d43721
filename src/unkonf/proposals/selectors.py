"""Reads of proposals, interest and the pitch, scoped to one barcamp."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from unkonf.events.models import Event
from unkonf.events.selectors import access_event
from unkonf.proposals import permissions
from unkonf.proposals.enums import ACTIVE_STATES, ProposalState
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
from unkonf.proposals.similarity import find_duplicates

SORTS: dict[str, tuple[str, ...]] = {
    "new": ("-submitted_at", "-pk"),
    "old": ("submitted_at", "pk"),
    "interest": ("-interest_count", "submitted_at", "pk"),
    "title": ("title", "pk"),
}


def get_settings(event: Event) -> ProposalSettings:
    """The barcamp's settings; the defaults (not saved) until an organiser changes them."""
    return ProposalSettings.objects.filter(event=event).first() or ProposalSettings(event=event)


def get_pitch(event: Event) -> Pitch:
    pitch, _ = Pitch.objects.get_or_create(event=event)
    return pitch


def find_pitch(event: Event) -> Pitch | None:
    """The pitch if it was ever set up (reads never create rows)."""
    return Pitch.objects.filter(event=event).first()


def access_moderated_event(actor: Any, slug: str) -> Event:
    event = access_event(actor, slug)
    if not permissions.can_moderate_proposals(actor, event):
        raise Http404
    return event


def _with_people(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return qs.select_related("event", "created_by").prefetch_related(
        "topics",
        Prefetch(
            "hosts",
            queryset=ProposalHost.objects.filter(confirmed_at__isnull=False).select_related("user"),
            to_attr="confirmed_hosts",
        ),
    )


def access_proposal(actor: Any, event: Event, pk: int) -> Proposal:
    """The proposal if the actor may see it; otherwise the uniform 404."""
    proposal = _with_people(Proposal.objects.filter(event=event, pk=pk)).first()
    if proposal is None or not permissions.can_view_proposal(actor, proposal):
        raise Http404
    return proposal


def access_editable_proposal(actor: Any, event: Event, pk: int) -> Proposal:
    proposal = access_proposal(actor, event, pk)
    if not permissions.can_edit_proposal(actor, proposal):
        raise Http404
    return proposal


def list_proposals(
    event: Event,
    *,
    actor: Any = None,
    state: str | None = None,
    topic: int | None = None,
    format: str | None = None,
    mode: str | None = None,
    search: str | None = None,
    sort: str = "old",
) -> QuerySet[Proposal]:
    """Active proposals by default; drafts only the actor's own (or all, for moderators)."""
    qs = Proposal.objects.filter(event=event)
    qs = qs.filter(state=state) if state else qs.filter(state__in=ACTIVE_STATES)
    if state == ProposalState.DRAFT and not permissions.can_moderate_proposals(actor, event):
        if not getattr(actor, "is_authenticated", False):
            return Proposal.objects.none()
        qs = qs.filter(hosts__user=actor, hosts__confirmed_at__isnull=False)
    if topic:
        qs = qs.filter(topics__pk=topic)
    if format:
        qs = qs.filter(format=format)
    if mode:
        qs = qs.filter(mode=mode)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(description__icontains=search))
    return _with_people(qs.distinct()).order_by(*SORTS.get(sort, SORTS["old"]))


def list_my_proposals(event: Event, user: Any) -> QuerySet[Proposal]:
    """Everything the user hosts or is asked to co-host, drafts included."""
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    return _with_people(
        Proposal.objects.filter(event=event, hosts__user=user).exclude(state=ProposalState.MERGED)
    ).order_by("-created_at")


def list_topics(event: Event) -> QuerySet[Topic]:
    return Topic.objects.filter(event=event)


def interested_ids(event: Event, user: Any) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Interest.objects.filter(event=event, user=user).values_list("proposal_id", flat=True)
    )


def list_hosts(proposal: Proposal) -> QuerySet[ProposalHost]:
    """Confirmed and invited hosts, for the hosts' own page."""
    return proposal.hosts.select_related("user", "invited_by")


def pending_host_invitation(proposal: Proposal, user: Any) -> ProposalHost | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return proposal.hosts.filter(user=user, confirmed_at__isnull=True).first()


def pending_invitation_ids(event: Event, user: Any) -> set[int]:
    """The proposals of the barcamp the user is asked to co-host (not yet confirmed)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        ProposalHost.objects.filter(
            proposal__event=event, user=user, confirmed_at__isnull=True
        ).values_list("proposal_id", flat=True)
    )


def list_comments(proposal: Proposal) -> QuerySet[Comment]:
    return proposal.comments.filter(deleted_at__isnull=True).select_related("author")


def access_comment(actor: Any, proposal: Proposal, pk: int) -> Comment:
    comment = (
        proposal.comments.filter(pk=pk, deleted_at__isnull=True).select_related("author").first()
    )
    if comment is None:
        raise Http404
    return comment


def list_materials(proposal: Proposal) -> QuerySet[Material]:
    return proposal.materials.all()


def access_material(actor: Any, proposal: Proposal, pk: int) -> Material:
    material = proposal.materials.filter(pk=pk).first()
    if material is None:
        raise Http404
    return material


def pitch_queue(event: Event) -> QuerySet[Proposal]:
    """Proposals waiting for their pitch, in queue order."""
    return _with_people(
        Proposal.objects.filter(
            event=event, state=ProposalState.SUBMITTED, queue_position__isnull=False
        )
    ).order_by("queue_position", "pk")


def list_not_queued(event: Event) -> QuerySet[Proposal]:
    """Submitted proposals that are neither in the queue nor on stage."""
    return (
        _with_people(
            Proposal.objects.filter(
                event=event, state=ProposalState.SUBMITTED, queue_position__isnull=True
            )
        )
        .exclude(
            pk__in=Pitch.objects.filter(event=event, current__isnull=False).values("current_id")
        )
        .order_by("submitted_at", "pk")
    )


def list_pitched(event: Event) -> QuerySet[Proposal]:
    """The backlog for the grid: pitched proposals with their interest."""
    return _with_people(Proposal.objects.filter(event=event, state=ProposalState.PITCHED)).order_by(
        "-interest_count", "pitched_at", "pk"
    )


@dataclass(frozen=True)
class DuplicatePair:
    first: Proposal
    second: Proposal
    score: float

    @property
    def both(self) -> tuple[Proposal, Proposal]:
        return (self.first, self.second)

    @property
    def options(self) -> list[tuple[Proposal, Proposal]]:
        """(keep, merge into it): both directions."""
        return [(self.first, self.second), (self.second, self.first)]


def list_duplicate_candidates(event: Event, *, limit: int = 30) -> list[DuplicatePair]:
    """Likely duplicates among the proposals still open for merging, most similar first."""
    proposals = {
        p.pk: p
        for p in _with_people(
            Proposal.objects.filter(
                event=event, state__in=(ProposalState.SUBMITTED, ProposalState.PITCHED)
            )
        )
    }
    candidates = find_duplicates(
        [(p.pk, p.title, p.description) for p in proposals.values()], limit=limit
    )
    return [DuplicatePair(proposals[c.first], proposals[c.second], c.score) for c in candidates]
