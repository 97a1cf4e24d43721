"""One-time login links in registration mails.

Built on Django's password-reset token: it hashes the user's last login, so the link stops
working once it has been used, and it expires after ``PASSWORD_RESET_TIMEOUT``.
"""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from unkonf.accounts.models import User


class LoginLinkTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "unkonf.accounts.tokens.LoginLinkTokenGenerator"


login_link_tokens = LoginLinkTokenGenerator()


def login_link_path(user: User, *, next_path: str = "") -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(
        "accounts:login-link", kwargs={"uidb64": uid, "token": login_link_tokens.make_token(user)}
    )
    return f"{path}?next={next_path}" if next_path else path
