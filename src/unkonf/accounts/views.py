"""My account: profile, personal data export, account deletion, one-time login links."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from unkonf.accounts import services
from unkonf.accounts.forms import EraseAccountForm, ProfileForm
from unkonf.accounts.http import AuthedRequest
from unkonf.accounts.models import User
from unkonf.accounts.tokens import login_link_tokens
from unkonf.core.exceptions import DomainError


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthedRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = ProfileForm(request.POST or None, initial={"name": user.name, "language": user.language})
    if request.method == "POST" and form.is_valid():
        services.update_profile(user, actor=user, **form.cleaned_data)
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    registrations = user.registrations.select_related("event").order_by("-created_at")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "registrations": registrations},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def data_export(request: AuthedRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    data = services.export_personal_data(user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="unkonf-meine-daten.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: AuthedRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = EraseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erase_account(user, actor=user)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("events:home")
    return render(
        request, "accounts/erase.html", {"form": form}, status=400 if form.errors else 200
    )


def _user_from_link(uidb64: str, token: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not login_link_tokens.check_token(user, token):
        return None
    return user


@require_http_methods(["GET", "POST"])
def login_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """A one-time link from a registration mail. GET asks, POST logs in.

    Mail scanners that open links do not use the link up; it works once, then expires.
    """
    next_path = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_path, allowed_hosts={request.get_host()}, require_https=False
    ):
        next_path = ""
    user = _user_from_link(uidb64, token)
    if user is None:
        return render(request, "accounts/login_link_invalid.html", status=400)
    if request.method == "POST":
        services.mark_email_verified(user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("You are logged in."))
        return redirect(next_path or "accounts:profile")
    return render(request, "accounts/login_link.html", {"link_user": user, "next": next_path})
