"""Proposals' part of a person's data export and erasure."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from unkonf.accounts.models import User
from unkonf.proposals.models import Comment, Interest, Proposal, ProposalHost


def export_user_data(user: User) -> dict[str, Any]:
    return {
        "hosted": [
            {
                "barcamp": h.proposal.event.name,
                "title": h.proposal.title,
                "description": h.proposal.description,
                "state": h.proposal.state,
                "confirmed": h.confirmed_at is not None,
            }
            for h in ProposalHost.objects.filter(user=user).select_related("proposal__event")
        ],
        "interests": [
            {
                "barcamp": i.proposal.event.name,
                "title": i.proposal.title,
                "time": i.created_at.isoformat(),
            }
            for i in Interest.objects.filter(user=user).select_related("proposal__event")
        ],
        "comments": [
            {
                "barcamp": c.proposal.event.name,
                "proposal": c.proposal.title,
                "text": c.text,
                "time": c.created_at.isoformat(),
                "deleted": c.deleted_at is not None,
            }
            for c in Comment.objects.filter(author=user).select_related("proposal__event")
        ],
    }


@transaction.atomic
def erase_user_data(user: User) -> None:
    """Interests go (the counts with them); open co-host invitations go. Proposals and
    comments stay, under the anonymised account, so the agenda still makes sense."""
    for interest in Interest.objects.filter(user=user).order_by("proposal_id"):
        Proposal.objects.select_for_update().filter(pk=interest.proposal_id).update(
            interest_count=F("interest_count") - 1, interest_version=F("interest_version") + 1
        )
        interest.delete()
    ProposalHost.objects.filter(user=user, confirmed_at__isnull=True).delete()
