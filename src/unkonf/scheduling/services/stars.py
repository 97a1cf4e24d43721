"""A participant's own plan: starring sessions of the plan, and a host's unavailable times.

Stars are personal (no audit entry, like interest); hosts' unavailable slots feed the grid
editor's warnings and the planner, so every change of them is audited.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction
from django.utils.translation import gettext as _

from unkonf.accounts.models import User
from unkonf.core.services import record_audit
from unkonf.events.models import Event
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import Proposal, ProposalHost
from unkonf.scheduling.enums import SlotKind
from unkonf.scheduling.exceptions import SchedulingError
from unkonf.scheduling.models import ScheduleEntry, Star, TimeSlot, Unavailability


@transaction.atomic
def star_session(proposal: Proposal, *, actor: User, starred: bool) -> bool:
    """Put a session of the plan into the actor's plan, or take it out again.

    Only sessions in the grid can be starred; taking a star back always works (also for a
    session that has left the grid since). Returns whether it is starred now.
    """
    if starred and not ScheduleEntry.objects.filter(proposal=proposal).exists():
        raise SchedulingError(
            _("“%(title)s” is not in the plan, so it cannot be added to your plan.")
            % {"title": proposal.title}
        )
    if starred:
        Star.objects.get_or_create(event_id=proposal.event_id, proposal=proposal, user=actor)
    else:
        Star.objects.filter(proposal=proposal, user=actor).delete()
    return starred


def _hosts_here(event: Event, actor: User) -> bool:
    return (
        ProposalHost.objects.filter(proposal__event=event, user=actor, confirmed_at__isnull=False)
        .exclude(proposal__state__in=(ProposalState.MERGED, ProposalState.WITHDRAWN))
        .exists()
    )


@transaction.atomic
def set_unavailability(event: Event, *, actor: User, slot_ids: Collection[int]) -> set[int]:
    """The session slots in which the actor cannot host: exactly `slot_ids` from now on.

    Only hosts of a session of this barcamp may say so. Returns the slots marked now.
    """
    if not _hosts_here(event, actor):
        raise SchedulingError(
            _("Only people who host a session can mark times in which they cannot host.")
        )
    wanted = set(slot_ids)
    found = set(
        TimeSlot.objects.filter(event=event, kind=SlotKind.SESSION, pk__in=wanted).values_list(
            "pk", flat=True
        )
    )
    if found != wanted:
        raise SchedulingError(
            _("Some of the chosen times are not session slots of this barcamp."), field="slots"
        )
    current = set(
        Unavailability.objects.filter(event=event, user=actor).values_list("slot_id", flat=True)
    )
    added, removed = sorted(wanted - current), sorted(current - wanted)
    if removed:
        Unavailability.objects.filter(event=event, user=actor, slot_id__in=removed).delete()
    if added:
        Unavailability.objects.bulk_create(
            [Unavailability(event=event, user=actor, slot_id=pk) for pk in added],
            ignore_conflicts=True,
        )
    if added or removed:
        record_audit(
            "unavailability.changed",
            actor=actor,
            event_id=event.pk,
            data={"added": added, "removed": removed},
        )
    return wanted
