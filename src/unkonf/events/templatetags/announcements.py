"""The announcement banner of every barcamp page: the latest one, and the hook for live ones."""

from __future__ import annotations

from typing import Any

from django import template

from unkonf.events import permissions, selectors
from unkonf.events.models import Event
from unkonf.realtime import groups, streams

register = template.Library()


@register.inclusion_tag("events/_announcement_region.html", takes_context=True)
def announcement_region(context: template.Context, event: Event) -> dict[str, Any]:
    """The region (``role="status"``) that shows announcements, with the stream's position.

    The sequence number is read before the announcement: whatever is sent after it reaches the
    page over the websocket (replayed from ``since``), so nothing falls between the two. Pages
    shown to someone who may not see the barcamp itself (an invited guest's registration form)
    get no region.
    """
    request = context.get("request")
    if not permissions.can_view_event(getattr(request, "user", None), event):
        return {"shown": False}
    stream = groups.event_stream(event.pk)
    seq = streams.last_seq(stream)
    return {
        "shown": True,
        "event": event,
        "stream": stream,
        "seq": seq,
        "announcement": selectors.get_current_announcement(event),
    }
