"""Deployment checks of our own, run by ``unkonf check --deploy``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_mail_delivery(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Without SMTP, login codes only reach the server log: nobody could log in."""
    if settings.DEMO or settings.DEBUG:
        return []
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        return [
            Warning(
                "No SMTP server is configured: mails, including login codes, are only written "
                "to the log.",
                hint="Set UNKONF_SMTP_HOST (and UNKONF_SMTP_USER, UNKONF_SMTP_PASSWORD).",
                id="unkonf.W001",
            )
        ]
    return []
