"""The chat's part of a person's data export and erasure: messages stay, under "Deleted account"."""

from __future__ import annotations

from typing import Any

from unkonf.accounts.models import User
from unkonf.chat.models import ChatMessage, ChatMute, ChatReport


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
    wrote them is anonymised by accounts. Reports and pauses about the person go."""
    ChatReport.objects.filter(reporter=user).delete()
    ChatMute.objects.filter(user=user).delete()
