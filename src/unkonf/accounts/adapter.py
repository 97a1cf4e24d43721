"""allauth adapter: mails in the user's language, new accounts remember the page language."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user.language = translation.get_language() or "de"
        return super().save_user(request, user, form, commit)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        user = context.get("user")
        language = getattr(user, "language", None) or translation.get_language() or "de"
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
