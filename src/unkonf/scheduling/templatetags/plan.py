"""The plan on pages of other apps (which cannot import scheduling): the "Plan" link in the
barcamp's navigation, the region for personal notices ("your session has moved") and the
place and star of a session on its proposal page.

``{% load plan %}`` then ``{% plan_nav_link event %}``, ``{% plan_notice_region event %}``,
``{% proposal_plan proposal %}``.
"""

from __future__ import annotations

from typing import Any

from django import template

from unkonf.events import permissions as event_permissions
from unkonf.events.models import Event
from unkonf.proposals.permissions import is_host
from unkonf.realtime import groups, streams
from unkonf.scheduling.selectors import plan as selectors
from unkonf.scheduling.selectors.grid import GRID_STATES, find_schedule

register = template.Library()

_CACHE = "_unkonf_plan_visible"


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


def plan_visible(context: template.Context, event: Event) -> bool:
    """May the viewer see the plan? Asked once per request and barcamp."""
    request = context.get("request")
    cache: dict[int, bool] = {} if request is None else request.__dict__.setdefault(_CACHE, {})
    if event.pk not in cache:
        user = _user(context)
        visible = event_permissions.can_view_event(user, event)
        if visible:
            visible = selectors.may_see_plan(user, event, find_schedule(event))
        cache[event.pk] = visible
    return cache[event.pk]


@register.inclusion_tag("scheduling/_plan_nav_link.html", takes_context=True)
def plan_nav_link(context: template.Context, event: Event) -> dict[str, Any]:
    """The "Plan" link in the navigation: once published, or for the team that builds it."""
    return {"shown": plan_visible(context, event), "event": event}


@register.inclusion_tag("scheduling/_plan_notices.html", takes_context=True)
def plan_notice_region(context: template.Context, event: Event) -> dict[str, Any]:
    """Where personal notices appear at once (a session someone starred or wanted moved).

    Only for logged-in people who see the barcamp. The position of their own stream is read
    when the page is made: what comes after it reaches the page (replayed from there)."""
    user = _user(context)
    if not getattr(user, "is_authenticated", False) or not event_permissions.can_view_event(
        user, event
    ):
        return {"shown": False}
    stream = groups.user_stream(user.pk)
    return {"shown": True, "event": event, "stream": stream, "seq": streams.last_seq(stream)}


@register.inclusion_tag("scheduling/_plan_proposal.html", takes_context=True)
def proposal_plan(context: template.Context, proposal: Any) -> dict[str, Any]:
    """A session's room and time in the plan (with the star), as far as the viewer may see
    the plan; and for its hosts, while it can be planned, the way to say when they cannot
    host."""
    event: Event = proposal.event
    user = _user(context)
    item = selectors.find_plan_item(proposal) if plan_visible(context, event) else None
    starred = item is not None and selectors.is_starred(proposal, user)
    request = context.get("request")
    return {
        "event": event,
        "proposal": proposal,
        "item": item,
        "starred": starred,
        "user": user,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "page_path": request.get_full_path() if request is not None else "",
        # the way to say when they cannot host, while the session can be planned
        "is_host": proposal.state in GRID_STATES and is_host(user, proposal),
    }
