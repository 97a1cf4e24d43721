"""The plan for other software and for paper: iCal (the whole plan, and each person's private
feed of their starred sessions), the schedule XML and JSON of frab and pretalx, PDFs (a day, a
room, the door signs) and the page that lists them all.

Who gets them: the same rule as the plan's pages (published, or the team before that). The
private feed works without a login, because calendar apps cannot log in: its random token is the
credential. Every file is built per request, so it follows the plan as it changes; an ETag lets
calendar apps ask cheaply whether anything changed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from unkonf.accounts.http import AuthedRequest
from unkonf.events import permissions as event_permissions
from unkonf.events.models import Event
from unkonf.proposals import permissions as proposal_permissions
from unkonf.proposals.selectors import access_moderated_event
from unkonf.scheduling import exports
from unkonf.scheduling.selectors import access_day
from unkonf.scheduling.selectors import exports as selectors
from unkonf.scheduling.selectors.grid import find_schedule
from unkonf.scheduling.selectors.plan import PlanAccess, access_plan
from unkonf.scheduling.services.feeds import renew_feed
from unkonf.venues.selectors import access_room

ICAL = "text/calendar; charset=utf-8"
XML = "application/xml; charset=utf-8"
JSON = "application/json; charset=utf-8"
PDF = "application/pdf"


def _links() -> exports.Links:
    return exports.Links(site_url=settings.SITE_URL)


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _file(request: HttpRequest, body: bytes, content_type: str, filename: str) -> HttpResponse:
    """A generated file: shown by the browser or read by an app, revalidated on every use
    (``no-cache`` with an ETag: an unchanged plan costs a 304)."""
    response = HttpResponse(body, content_type=content_type)
    response["ETag"] = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_cache=True)
    conditional = get_conditional_response(request, etag=response["ETag"], response=response)
    assert conditional is not None
    return conditional


def _page_context(request: HttpRequest, event: Event, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "event": event,
        "can_manage": event_permissions.can_manage_event(user, event),
        "can_announce": event_permissions.can_send_announcements(user, event),
        "can_chat": proposal_permissions.takes_part(user, event),
        **extra,
    }


def _pdf(request: HttpRequest, event: Event, html: str, filename: str) -> HttpResponse:
    try:
        body = exports.write_pdf(exports.pdf_document(html))
    except exports.PdfUnavailable:
        context = _page_context(request, event)
        return render(request, "scheduling/export_pdf_unavailable.html", context, status=503)
    response = HttpResponse(body, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_cache=True)
    return response


# --- the page that lists the exports ------------------------------------------------------------


@require_GET
def export_page(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_plan(request.user, slug)
    event = access.event
    feed = selectors.find_feed(event, request.user)
    feed_url = (
        _absolute(reverse("scheduling:plan-feed", args=[event.slug, feed.token]))
        if feed is not None
        else ""
    )
    context = _page_context(
        request,
        event,
        published=access.published,
        days=list(event.days.order_by("date")),
        rooms=list(event.rooms.order_by("position", "pk")),
        feed=feed,
        feed_url=feed_url,
        plan_ics_url=_absolute(reverse("scheduling:plan-ics", args=[event.slug])),
        api_path=f"/api/v1/events/{event.slug}/plan",
        can_moderate=proposal_permissions.can_moderate_proposals(request.user, event),
        pdf_available=exports.pdf_available(),
    )
    return render(request, "scheduling/export.html", context)


@login_required
@require_POST
def feed_renew(request: AuthedRequest, slug: str) -> HttpResponse:
    """Make the person's private feed address (or a new one: the old stops working)."""
    access = access_plan(request.user, slug)
    had_one = selectors.find_feed(access.event, request.user) is not None
    renew_feed(access.event, actor=request.user)
    if had_one:
        messages.success(
            request,
            _(
                "Your calendar has a new address. The old one no longer works: "
                "please subscribe again."
            ),
        )
    else:
        messages.success(request, _("Your private calendar address is ready."))
    return redirect(reverse("scheduling:plan-export", args=[access.event.slug]) + "#my-feed")


# --- iCal ---------------------------------------------------------------------------------------


@require_GET
def plan_ics(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_plan(request.user, slug)
    plan = selectors.plan_for(request.user, access)
    body = exports.build_ical(plan, name=access.event.name, links=_links())
    return _file(request, body, ICAL, f"{access.event.slug}.ics")


@require_GET
def feed_ics(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """A person's starred sessions; the token is the credential (no login)."""
    feed = selectors.access_feed(slug, token)
    plan = selectors.feed_plan(feed)
    name = _("%(event)s – my sessions") % {"event": feed.event.name}
    body = exports.build_ical(plan, name=name, links=_links())
    return _file(request, body, ICAL, f"{feed.event.slug}-mine.ics")


# --- the schedule of frab and pretalx -----------------------------------------------------------


@require_GET
def schedule_xml(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_plan(request.user, slug)
    plan = selectors.plan_for(request.user, access)
    url = _absolute(request.path)
    body = exports.build_schedule_xml(plan, links=_links(), url=url)
    return _file(request, body, XML, "schedule.xml")


@require_GET
def schedule_json(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_plan(request.user, slug)
    plan = selectors.plan_for(request.user, access)
    url = _absolute(request.path)
    body = exports.build_schedule_json(plan, links=_links(), url=url)
    return _file(request, body, JSON, "schedule.json")


# --- PDF ------------------------------------------------------------------------------------------


@require_GET
def print_day(request: HttpRequest, slug: str, day_pk: int) -> HttpResponse:
    access = access_plan(request.user, slug)
    day = access_day(access.event, day_pk)
    plan = selectors.plan_for(request.user, access)
    html = exports.render_day_html(plan, day, language=get_language())
    return _pdf(request, access.event, html, f"{access.event.slug}-{day.date.isoformat()}.pdf")


@require_GET
def print_room(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = access_plan(request.user, slug)
    room = access_room(access.event, pk)
    plan = selectors.plan_for(request.user, access)
    html = exports.render_room_html(plan, room, language=get_language())
    return _pdf(request, access.event, html, f"{access.event.slug}-room-{room.pk}.pdf")


@login_required
@require_GET
def door_signs(request: AuthedRequest, slug: str, day_pk: int) -> HttpResponse:
    """One A4 page per session of the day, for the doors (the team prints them before the plan
    is published, too)."""
    event = access_moderated_event(request.user, slug)
    day = access_day(event, day_pk)
    access = PlanAccess(event=event, schedule=find_schedule(event))
    plan = selectors.plan_for(request.user, access)
    html = exports.render_door_signs_html(plan, day, links=_links(), language=get_language())
    return _pdf(request, event, html, f"{event.slug}-door-signs-{day.date.isoformat()}.pdf")
