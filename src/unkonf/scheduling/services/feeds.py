"""Private calendar feeds: one random address per person and barcamp for their starred sessions.

The token in the address is the credential (calendar apps cannot log in). Renewing it makes a
new one and the old address stops working at once; the token itself is never written to the
audit log.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from unkonf.accounts.models import User
from unkonf.core.services import record_audit
from unkonf.events.models import Event
from unkonf.scheduling.models import CalendarFeed

#: bytes of randomness in a token (43 characters in the address)
TOKEN_BYTES = 32


def _new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@transaction.atomic
def renew_feed(event: Event, *, actor: User) -> CalendarFeed:
    """Give the actor a new private feed address for this barcamp (the first one, or a new one
    that replaces the old)."""
    feed = CalendarFeed.objects.select_for_update().filter(event=event, user=actor).first()
    if feed is None:
        feed = CalendarFeed.objects.create(event=event, user=actor, token=_new_token())
        action = "calendar_feed.created"
    else:
        feed.token = _new_token()
        feed.created_at = timezone.now()  # when the current address was made
        feed.save(update_fields=["token", "created_at"])
        action = "calendar_feed.renewed"
    record_audit(action, actor=actor, obj=feed, event_id=event.pk)
    return feed
