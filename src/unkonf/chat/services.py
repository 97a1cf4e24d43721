"""Every change to chat goes through here: post, delete, mute, report."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unkonf.accounts.models import User
from unkonf.chat.exceptions import ChatError, Muted, TooFast
from unkonf.chat.models import MAX_LENGTH, ChatMessage, ChatMute, ChatReport
from unkonf.chat.permissions import can_moderate_chat, can_read_chat, can_write_chat
from unkonf.chat.selectors import active_mute
from unkonf.core.markdown import render_markdown
from unkonf.core.ratelimit import hit
from unkonf.core.services import record_audit
from unkonf.events.models import Event
from unkonf.realtime import streams
from unkonf.realtime.messages import ChatMessageDeleted, ChatMessagePosted
from unkonf.venues.models import Room

# Per person and barcamp: enough for a lively conversation, not for a flood.
RATE_LIMIT = 8
RATE_WINDOW = 10


@transaction.atomic
def post_message(event: Event, *, room: Room | None, actor: User, text: str) -> ChatMessage:
    """Store and announce a chat message; links and simple formatting are kept, safely."""
    text = text.strip()
    if not text:
        raise ChatError(_("Please write a message."), field="text")
    if len(text) > MAX_LENGTH:
        raise ChatError(
            _("A message can have at most %(max)d characters.") % {"max": MAX_LENGTH},
            field="text",
        )
    if room is not None and room.event_id != event.pk:
        raise ChatError(_("This room belongs to another barcamp."))
    if not can_write_chat(actor, event):
        raise ChatError(_("Only registered participants can write in the chat."))
    mute = active_mute(event, actor)
    if mute is not None:
        raise Muted(_("A moderator has paused your messages in this barcamp."))
    if not hit("chat", f"{event.pk}:{actor.pk}", limit=RATE_LIMIT, window_seconds=RATE_WINDOW):
        raise TooFast(_("You are writing very fast. Please wait a few seconds."))
    message = ChatMessage.objects.create(
        event=event, room=room, author=actor, text=text, html=str(render_markdown(text))
    )
    streams.append(
        message.stream,
        ChatMessagePosted(
            id=message.pk,
            author=actor.display_name,
            author_id=actor.pk,
            html=message.html,
            created=message.created_at.isoformat(),
        ),
    )
    return message


@transaction.atomic
def delete_message(message: ChatMessage, *, actor: User) -> ChatMessage:
    """Authors delete their own messages; moderators any message."""
    message = ChatMessage.objects.select_for_update().get(pk=message.pk)
    if message.author_id != actor.pk and not can_moderate_chat(actor, message.event):
        raise ChatError(_("You may only delete your own messages."))
    if message.deleted_at is not None:
        return message
    message.deleted_at = timezone.now()
    message.deleted_by = actor
    message.save(update_fields=["deleted_at", "deleted_by"])
    if message.author_id != actor.pk:
        record_audit("chat.message_deleted", actor=actor, obj=message, event_id=message.event_id)
    # A reconnecting client is replayed the stream: it must not receive the deleted text.
    streams.amend(ChatMessagePosted.kind, [message.pk], stream=message.stream, html="")
    streams.append(message.stream, ChatMessageDeleted(id=message.pk))
    return message


@transaction.atomic
def mute_user(
    event: Event, *, actor: User, user: User, minutes: int | None, reason: str = ""
) -> ChatMute:
    """Pause someone's messages in this barcamp, for some minutes or until lifted."""
    if not can_moderate_chat(actor, event):
        raise ChatError(_("Only moderators can pause messages."))
    if user.pk == actor.pk:
        raise ChatError(_("You cannot pause your own messages."))
    if minutes is not None and minutes < 1:
        raise ChatError(_("A pause lasts at least one minute."))
    until = timezone.now() + datetime.timedelta(minutes=minutes) if minutes else None
    mute, _created = ChatMute.objects.update_or_create(
        event=event, user=user, defaults={"until": until, "reason": reason, "created_by": actor}
    )
    record_audit(
        "chat.user_muted", actor=actor, obj=mute, event_id=event.pk, data={"minutes": minutes}
    )
    return mute


@transaction.atomic
def unmute_user(mute: ChatMute, *, actor: User) -> None:
    if not can_moderate_chat(actor, mute.event):
        raise ChatError(_("Only moderators can lift a pause."))
    record_audit("chat.user_unmuted", actor=actor, obj=mute, event_id=mute.event_id)
    mute.delete()


@transaction.atomic
def report_message(message: ChatMessage, *, actor: User, reason: str = "") -> ChatReport:
    """Anyone who can read the chat may report a message to the moderators, once."""
    if not can_read_chat(actor, message.event):
        raise ChatError(_("Only participants of this barcamp can report messages."))
    report, _created = ChatReport.objects.get_or_create(
        message=message, reporter=actor, defaults={"reason": reason.strip()[:500]}
    )
    return report


@transaction.atomic
def resolve_report(report: ChatReport, *, actor: User) -> ChatReport:
    if not can_moderate_chat(actor, report.message.event):
        raise ChatError(_("Only moderators can handle reports."))
    if report.resolved_at is None:
        report.resolved_at = timezone.now()
        report.resolved_by = actor
        report.save(update_fields=["resolved_at", "resolved_by"])
        record_audit(
            "chat.report_resolved", actor=actor, obj=report, event_id=report.message.event_id
        )
    return report
