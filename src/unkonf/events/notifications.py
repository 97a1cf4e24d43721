"""Mails about barcamps, rendered in the recipient's language. Services call them on commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from unkonf.accounts.tokens import login_link_path
from unkonf.events.models import Event, Invitation, Registration


def _send(template: str, *, to: str, language: str, context: dict[str, Any]) -> None:
    send_templated_mail(f"events/mail/{template}", to=to, language=language, context=context)


def send_templated_mail(template: str, *, to: str, language: str, context: dict[str, Any]) -> None:
    """Render ``<template>_subject.txt`` and ``<template>.txt`` in the recipient's language and
    send them, with the barcamp's contact (``context["event"]``) as the reply address."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    event: Event | None = context.get("event")
    reply_to = [event.contact_email] if event is not None and event.contact_email else None
    EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=reply_to,
    ).send()


def send_registration_mail(registration: Registration, *, kind: str) -> None:
    """kind: confirmed, waiting, moved_up, cancelled, already_registered."""
    user = registration.user
    event = registration.event
    next_path = event.get_absolute_url() + "registration/"
    _send(
        f"registration_{kind}",
        to=registration.email,
        language=user.language,
        context={
            "event": event,
            "registration": registration,
            "login_url": settings.SITE_URL + login_link_path(user, next_path=next_path),
        },
    )


def send_invitation_mail(invitation: Invitation, *, language: str) -> None:
    _send(
        "invitation",
        to=invitation.email,
        language=language,
        context={
            "event": invitation.event,
            "invitation": invitation,
            "accept_url": settings.SITE_URL + invitation.get_absolute_url(),
        },
    )


def after_commit(send: Callable[[], None]) -> None:
    """Send a mail once the transaction has committed.

    Robust: a failing mail server is logged and does not turn a saved change into an error.
    """
    transaction.on_commit(send, robust=True)
