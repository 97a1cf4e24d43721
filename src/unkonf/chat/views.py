"""Chat pages: the lobby and each room, message actions, and the moderators' page.

Every page works without JavaScript (forms post and redirect back). With JavaScript the page
posts over its websocket (``static/unkonf/js/chat.js``) and the message actions are sent with
``fetch``; those requests carry ``HX-Request`` and get the outcome as a short plain text.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unkonf.accounts.http import AuthedRequest
from unkonf.chat import selectors, services
from unkonf.chat.forms import PAUSE_CHOICES, MessageForm, PauseForm, ReportForm
from unkonf.chat.models import ChatMessage
from unkonf.chat.permissions import can_moderate_chat
from unkonf.core.exceptions import DomainError
from unkonf.core.forms import add_domain_error
from unkonf.events import permissions as event_permissions
from unkonf.events.models import Event
from unkonf.realtime import groups, streams
from unkonf.venues.models import Room

# --- Helpers ------------------------------------------------------------------------------------


def _chat_url(event: Event, room: Room | None) -> str:
    if room is None:
        return reverse("chat:lobby-chat", kwargs={"slug": event.slug})
    return reverse("chat:room-chat", kwargs={"slug": event.slug, "pk": room.pk})


def _message_chat_url(message: ChatMessage) -> str:
    return _chat_url(message.event, message.room)


def _page_context(request: HttpRequest, event: Event, section: str = "") -> dict[str, Any]:
    return {
        "event": event,
        "section": section,
        "can_manage": event_permissions.can_manage_event(request.user, event),
        "can_announce": event_permissions.can_send_announcements(request.user, event),
        "can_chat": True,
        "can_moderate": can_moderate_chat(request.user, event),
    }


def _forms(one: str, other: str) -> dict[str, str]:
    """Both plural forms with a ``{count}`` placeholder, for the page's script to fill in."""
    return {"one": one % {"count": "{count}"}, "other": other % {"count": "{count}"}}


def _presence_texts() -> dict[str, dict[str, str]]:
    # ngettext with literal texts, so that makemessages finds them
    return {
        "event": _forms(
            ngettext(
                "%(count)s person at this barcamp right now",
                "%(count)s people at this barcamp right now",
                1,
            ),
            ngettext(
                "%(count)s person at this barcamp right now",
                "%(count)s people at this barcamp right now",
                2,
            ),
        ),
        "room": _forms(
            ngettext(
                "%(count)s person in this room's chat", "%(count)s people in this room's chat", 1
            ),
            ngettext(
                "%(count)s person in this room's chat", "%(count)s people in this room's chat", 2
            ),
        ),
    }


def _before(request: HttpRequest) -> int | None:
    value = request.GET.get("before", "")
    return int(value) if value.isdecimal() and len(value) < 19 else None


def _outcome(request: HttpRequest, text: str, *, ok: bool, back: str) -> HttpResponse:
    """The result of a message action: a short text for the page's script, else a redirect."""
    if getattr(request, "htmx", False):
        return HttpResponse(
            text, content_type="text/plain; charset=utf-8", status=200 if ok else 400
        )
    (messages.success if ok else messages.error)(request, text)
    return redirect(back)


# --- Chat pages ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def lobby_chat(request: AuthedRequest, slug: str) -> HttpResponse:
    event = selectors.access_chat_event(request.user, slug)
    return _chat_page(request, event, room=None)


@login_required
@require_http_methods(["GET", "POST"])
def room_chat(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = selectors.access_chat_event(request.user, slug)
    room = selectors.access_chat_room(request.user, event, pk)
    return _chat_page(request, event, room=room)


def _chat_page(request: AuthedRequest, event: Event, *, room: Room | None) -> HttpResponse:
    url = _chat_url(event, room)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_message(
                event, room=room, actor=request.user, text=form.cleaned_data["text"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect(f"{url}#message-form")

    stream = (
        groups.lobby_chat_stream(event.pk) if room is None else groups.room_chat_stream(room.pk)
    )
    # The position first, then the messages: whatever comes after it arrives over the websocket.
    seq = streams.last_seq(stream)
    before = _before(request)
    page = selectors.list_messages(
        event, room=room, before_id=before, limit=selectors.PAGE_SIZE + 1
    )
    has_older = len(page) > selectors.PAGE_SIZE
    page = page[-selectors.PAGE_SIZE :]
    context = {
        **_page_context(request, event),
        "room": room,
        "rooms": selectors.list_chat_rooms(event),
        "chat_url": url,
        "chat_messages": page,
        "older_than": page[0].pk if has_older and page else None,
        "paging": before is not None,
        "stream": stream,
        "seq": seq,
        "form": form,
        "mute": selectors.active_mute(event, request.user),
        "pause_choices": PAUSE_CHOICES,
        "template_message": {"pk": 0, "author_id": None, "author": {"display_name": ""}},
        "event_place": groups.event_place(event.pk),
        "room_place": groups.room_place(event.pk, room.pk) if room is not None else "",
        "presence_texts": _presence_texts(),
    }
    return render(request, "chat/chat.html", context, status=400 if form.errors else 200)


# --- Message actions ----------------------------------------------------------------------------


def _back(request: HttpRequest, event: Event, message: ChatMessage) -> str:
    if request.POST.get("back") == "moderation":
        return reverse("chat:moderation", kwargs={"slug": event.slug})
    return _message_chat_url(message)


@login_required
@require_POST
def message_delete(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = selectors.access_chat_event(request.user, slug)
    message = selectors.access_message(request.user, event, pk)
    back = _back(request, event, message)
    try:
        services.delete_message(message, actor=request.user)
    except DomainError as error:
        return _outcome(request, str(error), ok=False, back=back)
    return _outcome(request, _("The message has been deleted."), ok=True, back=back)


@login_required
@require_POST
def message_report(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = selectors.access_chat_event(request.user, slug)
    message = selectors.access_message(request.user, event, pk)
    back = _message_chat_url(message)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _outcome(
            request, _("The reason can have at most 500 characters."), ok=False, back=back
        )
    try:
        services.report_message(message, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return _outcome(request, str(error), ok=False, back=back)
    return _outcome(
        request,
        _("Thank you. The moderators will look at the message."),
        ok=True,
        back=back,
    )


@login_required
@require_POST
def message_pause(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """Pause the author of this message (moderators only)."""
    event = selectors.access_moderated_event(request.user, slug)
    message = selectors.access_message(request.user, event, pk)
    back = _back(request, event, message)
    form = PauseForm(request.POST)
    if not form.is_valid():
        return _outcome(request, _("Please choose how long to pause."), ok=False, back=back)
    try:
        mute = services.mute_user(
            event,
            actor=request.user,
            user=message.author,
            minutes=form.minutes(),
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        return _outcome(request, str(error), ok=False, back=back)
    name = message.author.display_name
    if mute.until is None:
        text = _("%(name)s's messages are paused until you lift the pause.") % {"name": name}
    else:
        until = time_format(
            timezone.localtime(mute.until, zoneinfo.ZoneInfo(event.timezone)), "H:i"
        )
        text = _("%(name)s's messages are paused until %(time)s.") % {"name": name, "time": until}
    return _outcome(request, text, ok=True, back=back)


# --- Moderation ---------------------------------------------------------------------------------


@login_required
@require_GET
def moderation(request: AuthedRequest, slug: str) -> HttpResponse:
    event = selectors.access_moderated_event(request.user, slug)
    return render(
        request,
        "chat/moderation.html",
        {
            **_page_context(request, event, "chat"),
            "reports": selectors.list_open_reports(request.user, event),
            "mutes": selectors.list_active_mutes(event),
            "pause_choices": PAUSE_CHOICES,
        },
    )


@login_required
@require_POST
def report_resolve(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = selectors.access_moderated_event(request.user, slug)
    report = selectors.access_report(request.user, event, pk)
    try:
        services.resolve_report(report, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The report has been marked as handled."))
    return redirect("chat:moderation", slug=event.slug)


@login_required
@require_POST
def pause_lift(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = selectors.access_moderated_event(request.user, slug)
    mute = selectors.access_mute(request.user, event, pk)
    name = mute.user.display_name
    try:
        services.unmute_user(mute, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s can write again.") % {"name": name})
    return redirect("chat:moderation", slug=event.slug)
