"""Shared write helpers: the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models

from unkonf.core.models import AuditLogEntry


def record_audit(
    action: str,
    *,
    actor: Any,
    obj: models.Model | None = None,
    event_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditLogEntry:
    """Write one audit entry; call it inside the service's transaction."""
    return AuditLogEntry.objects.create(
        event_id=event_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
    )
