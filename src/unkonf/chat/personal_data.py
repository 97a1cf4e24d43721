"""The chat's part of a person's data export and erasure: messages stay, under "Deleted account"."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from unkonf.accounts.models import User
from unkonf.chat.models import ChatMessage, ChatMute, ChatReport
from unkonf.realtime import streams
from unkonf.realtime.messages import ChatMessagePosted


def export_user_data(user: User) -> dict[str, Any]:
    return {
        "messages": [
            {
                "barcamp": m.event.name,
                "room": m.room.name if m.room else None,
                "text": m.text,
                "time": m.created_at.isoformat(),
                "deleted": m.deleted_at is not None,
            }
            for m in ChatMessage.objects.filter(author=user).select_related("event", "room")
        ],
        "reports_made": ChatReport.objects.filter(reporter=user).count(),
    }


def erase_user_data(user: User) -> None:
    """The messages stay (the conversation would not make sense otherwise); the account that
    wrote them is anonymised by accounts, and the name stored with them for replaying the chat
    goes too. Reports the person made and pauses of the person go."""
    own = ChatMessage.objects.filter(author=user).values_list("pk", flat=True)
    streams.amend(ChatMessagePosted.kind, own, author=_("Deleted account"))
    ChatReport.objects.filter(reporter=user).delete()
    ChatMute.objects.filter(user=user).delete()
