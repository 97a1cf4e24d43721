from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from unkonf.chat.models import ChatMessage, ChatMute, ChatReport
from unkonf.chat.permissions import can_moderate_chat, can_read_chat
from unkonf.events.models import Event
from unkonf.events.selectors import access_event
from unkonf.venues.models import Room

PAGE_SIZE = 50


def list_messages(
    event: Event, *, room: Room | None, before_id: int | None = None, limit: int = PAGE_SIZE
) -> list[ChatMessage]:
    """The newest ``limit`` messages (older than ``before_id``), oldest first for display."""
    qs = ChatMessage.objects.filter(event=event, room=room, deleted_at__isnull=True)
    if before_id is not None:
        qs = qs.filter(id__lt=before_id)
    page = list(qs.select_related("author").order_by("-id")[:limit])
    page.reverse()
    return page


def access_message(actor: Any, event: Event, pk: int) -> ChatMessage:
    message = (
        ChatMessage.objects.select_related("author", "event").filter(event=event, pk=pk).first()
    )
    if message is None or not can_read_chat(actor, event):
        raise Http404
    return message


def active_mute(event: Event, user: Any) -> ChatMute | None:
    mute = ChatMute.objects.filter(event=event, user=user).first()
    if mute is None or (mute.until is not None and mute.until <= timezone.now()):
        return None
    return mute


def list_open_reports(actor: Any, event: Event) -> QuerySet[ChatReport]:
    if not can_moderate_chat(actor, event):
        raise Http404
    return (
        ChatReport.objects.filter(message__event=event, resolved_at__isnull=True)
        .select_related("message", "message__author", "reporter")
        .order_by("-created_at")
    )


def list_mutes(event: Event) -> QuerySet[ChatMute]:
    return ChatMute.objects.filter(event=event).select_related("user").order_by("-created_at")


# --- for the chat pages -------------------------------------------------------------------------


def access_chat_event(actor: Any, slug: str) -> Event:
    """The barcamp if the actor may read its chat; otherwise the uniform 404."""
    event = access_event(actor, slug)
    if not can_read_chat(actor, event):
        raise Http404
    return event


def access_chat_room(actor: Any, event: Event, pk: int) -> Room:
    """A room of this barcamp whose chat the actor may read; otherwise the uniform 404."""
    room = Room.objects.filter(event=event, pk=pk).first()
    if room is None or not can_read_chat(actor, event):
        raise Http404
    return room


def access_moderated_event(actor: Any, slug: str) -> Event:
    """The barcamp if the actor moderates its chat; otherwise the uniform 404."""
    event = access_event(actor, slug)
    if not can_moderate_chat(actor, event):
        raise Http404
    return event


def access_report(actor: Any, event: Event, pk: int) -> ChatReport:
    report = (
        ChatReport.objects.select_related("message", "message__event")
        .filter(message__event=event, pk=pk)
        .first()
    )
    if report is None or not can_moderate_chat(actor, event):
        raise Http404
    return report


def access_mute(actor: Any, event: Event, pk: int) -> ChatMute:
    mute = ChatMute.objects.select_related("event", "user").filter(event=event, pk=pk).first()
    if mute is None or not can_moderate_chat(actor, event):
        raise Http404
    return mute


def list_active_mutes(event: Event) -> QuerySet[ChatMute]:
    """Pauses that still hold: until lifted, or until a time not yet reached."""
    return list_mutes(event).filter(Q(until__isnull=True) | Q(until__gt=timezone.now()))


def list_chat_rooms(event: Event) -> QuerySet[Room]:
    return Room.objects.filter(event=event).order_by("position", "pk")
