"""The request type of views behind ``login_required``: its user is a real account."""

from __future__ import annotations

from django.http import HttpRequest

from unkonf.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User
