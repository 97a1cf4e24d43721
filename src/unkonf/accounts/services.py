"""Writes on accounts: find-or-create by e-mail, profile, personal data export and erasure."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from unkonf.accounts import privacy
from unkonf.accounts.models import User
from unkonf.accounts.selectors import get_user_by_email
from unkonf.core.models import AuditLogEntry
from unkonf.core.services import record_audit


@transaction.atomic
def get_or_create_user(email: str, *, name: str = "", language: str = "de") -> tuple[User, bool]:
    """The account for an e-mail address, made (without password, unverified) if there is none."""
    email = email.strip()
    user = get_user_by_email(email)
    if user is not None:
        return user, False
    user = User.objects.create_user(email=email, name=name, language=language)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    return user, True


@transaction.atomic
def mark_email_verified(user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


@transaction.atomic
def update_profile(user: User, *, name: str, language: str, actor: User) -> User:
    user.name = name
    user.language = language
    user.save(update_fields=["name", "language"])
    record_audit("account.profile_updated", actor=actor, obj=user)
    return user


def export_personal_data(user: User) -> dict[str, Any]:
    """Everything unkonf holds about this person, as JSON-ready data."""
    data: dict[str, Any] = {
        "account": {
            "email": user.email,
            "name": user.name,
            "language": user.language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user)
            ],
            "two_factor_methods": [a.type for a in Authenticator.objects.filter(user=user)],
        },
        "activity": [
            {"time": e.created_at.isoformat(), "action": e.action, "object": e.object_type}
            for e in AuditLogEntry.objects.filter(actor=user).order_by("created_at")
        ],
    }
    for provider in privacy.providers():
        data[provider.name] = provider.export(user)
    return data


@transaction.atomic
def erase_account(user: User, *, actor: User) -> None:
    """Delete what identifies the person; what they wrote stays, under "Deleted account".

    Each app erases its own data first (and may refuse, e.g. for the last organiser of a
    barcamp); then the account itself is anonymised and all its sessions end.
    """
    for provider in privacy.providers():
        provider.erase(user)
    record_audit("account.erased", actor=None, obj=user)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = f"deleted-{user.pk}@invalid.invalid"
    user.name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.erased_at = timezone.now()
    user.set_unusable_password()
    user.save()
    user.user_permissions.clear()
    user.groups.clear()
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
