"""Pages of a barcamp: public pages, registration, and the organiser's setup pages.

Views parse, authorise (through the ``access_*`` selectors), call one service, and render.
"""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unkonf.accounts.http import AuthedRequest
from unkonf.core.exceptions import DomainError
from unkonf.core.forms import add_domain_error
from unkonf.core.models import AuditLogEntry
from unkonf.core.ratelimit import client_address, hit
from unkonf.events import exports, permissions, selectors, services
from unkonf.events.enums import RegistrationStatus
from unkonf.events.exceptions import AlreadyRegistered
from unkonf.events.forms import (
    AnnouncementForm,
    DayForm,
    EventCreateForm,
    EventForm,
    InviteForm,
    MoveRegistrationForm,
    RegistrationEditForm,
    RegistrationFilterForm,
    RegistrationForm,
)
from unkonf.events.models import Day, Event, EventRole, Invitation

# --- Public pages -----------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "events/home.html",
        {
            "public_events": selectors.list_public_events()[:50],
            "my_events": selectors.list_events_of(request.user)[:50],
            "can_create": permissions.can_create_events(request.user),
        },
    )


def _event_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    return {
        "event": event,
        "days": list(event.days.all()),
        "can_manage": permissions.can_manage_event(request.user, event),
        "can_announce": permissions.can_send_announcements(request.user, event),
        "can_chat": permissions.takes_part(request.user, event),
    }


@require_GET
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.access_event(request.user, slug)
    registration = selectors.get_registration(event, request.user)
    context = _event_context(request, event)
    context.update(
        {
            "registration": registration,
            "waiting_position": selectors.waiting_position(registration) if registration else None,
            "can_register": permissions.can_register(request.user, event),
            "counts": selectors.registration_counts(event),
        }
    )
    return render(request, "events/event_detail.html", context)


# page in the URL -> (field of the barcamp, title)
LEGAL_PAGES = {
    "imprint": ("imprint", gettext_lazy("Imprint")),
    "privacy": ("privacy_notice", gettext_lazy("Privacy notice")),
    "code-of-conduct": ("code_of_conduct", gettext_lazy("Code of conduct")),
}


@require_GET
def event_legal(request: HttpRequest, slug: str, page: str) -> HttpResponse:
    event = selectors.access_event(request.user, slug)
    if page not in LEGAL_PAGES:
        raise Http404
    field, title = LEGAL_PAGES[page]
    return render(
        request,
        "events/event_legal.html",
        {**_event_context(request, event), "title": title, "text": getattr(event, field)},
    )


@require_GET
def participant_list(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.access_event(request.user, slug)
    return render(
        request,
        "events/participant_list.html",
        {
            **_event_context(request, event),
            "participants": selectors.list_public_participants(event),
        },
    )


# --- Registration -----------------------------------------------------------------------------


def _invitation_from(request: HttpRequest, event: Event) -> Invitation | None:
    token = request.GET.get("invitation") or request.POST.get("invitation")
    if not token:
        return None
    return Invitation.objects.filter(
        event=event, token=str(token)[:64], accepted_at__isnull=True
    ).first()


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    event = Event.objects.filter(slug=slug).first()
    if event is None:
        raise Http404
    invitation = _invitation_from(request, event)
    if invitation is None and not permissions.can_view_event(request.user, event):
        raise Http404
    existing = selectors.get_registration(event, request.user)
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        return redirect("events:registration-mine", slug=event.slug)
    if not permissions.can_register(request.user, event, invitation=invitation):
        return render(
            request, "events/registration_closed.html", _event_context(request, event), status=403
        )

    user = request.user if request.user.is_authenticated else None
    initial = {"name": user.name, "email": user.email} if user is not None else {}
    form = RegistrationForm(
        request.POST or None, event=event, email_fixed=user is not None, initial=initial
    )
    if request.method == "POST":
        if not hit("register", client_address(request), limit=_rate_limit(), window_seconds=3600):
            messages.error(
                request, _("Too many registrations from your network. Please try again later.")
            )
            return render(
                request,
                "events/register.html",
                {**_event_context(request, event), "form": form},
                status=429,
            )
        if form.is_valid():
            data = form.to_data(language=translation.get_language() or "de")
            try:
                registration = services.register(event, data=data, actor=user)
            except AlreadyRegistered:
                if user is None:
                    # Say nothing about whether the address is known: mail its owner instead.
                    services.remind_registration(event, email=data.email)
                    return redirect("events:register-done", slug=event.slug)
                return redirect("events:registration-mine", slug=event.slug)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                if invitation is not None:
                    # already used: the registration itself stands
                    with contextlib.suppress(DomainError):
                        services.accept_invitation(invitation, actor=registration.user)
                if user is None:
                    return redirect("events:register-done", slug=event.slug)
                if registration.status == RegistrationStatus.CONFIRMED:
                    messages.success(
                        request, _("You are registered. We have sent you a confirmation.")
                    )
                else:
                    messages.info(
                        request,
                        _(
                            "The barcamp is full: you are on the waiting list. "
                            "We will e-mail you when a place becomes free."
                        ),
                    )
                return redirect("events:registration-mine", slug=event.slug)
    return render(
        request,
        "events/register.html",
        {**_event_context(request, event), "form": form, "invitation": invitation},
        status=400 if form.errors else 200,
    )


def _rate_limit() -> int:
    return int(settings.REGISTRATION_RATE_LIMIT)


@require_GET
def register_done(request: HttpRequest, slug: str) -> HttpResponse:
    event = Event.objects.filter(slug=slug, published_at__isnull=False).first()
    if event is None:
        raise Http404
    if not permissions.can_view_event(request.user, event):
        # invited, not yet logged in: say "check your mail" without naming the barcamp
        return render(request, "events/register_done.html", {"event": None})
    return render(request, "events/register_done.html", _event_context(request, event))


@login_required
@require_http_methods(["GET", "POST"])
def registration_mine(request: AuthedRequest, slug: str) -> HttpResponse:
    event = selectors.access_event(request.user, slug)
    registration = selectors.get_registration(event, request.user)
    if registration is None:
        return redirect("events:register", slug=event.slug)
    form = RegistrationEditForm(request.POST or None, registration=registration)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_registration(
                registration, actor=request.user, data=form.to_data(language=request.user.language)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your details have been saved."))
            return redirect("events:registration-mine", slug=event.slug)
    return render(
        request,
        "events/registration_mine.html",
        {
            **_event_context(request, event),
            "registration": registration,
            "waiting_position": selectors.waiting_position(registration),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def registration_cancel(request: AuthedRequest, slug: str) -> HttpResponse:
    event = selectors.access_event(request.user, slug)
    registration = selectors.get_registration(event, request.user)
    if registration is None:
        raise Http404
    services.cancel_registration(registration, actor=request.user)
    messages.success(request, _("Your registration has been cancelled."))
    return redirect("events:event-detail", slug=event.slug)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: AuthedRequest, token: str) -> HttpResponse:
    invitation = selectors.access_invitation(token)
    if request.method == "POST":
        try:
            role = services.accept_invitation(invitation, actor=request.user)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("events:home")
        messages.success(
            request,
            _("Welcome! You are now %(role)s of this barcamp.") % {"role": role.get_role_display()},
        )
        if invitation.role == "participant":
            return redirect(reverse("events:register", kwargs={"slug": invitation.event.slug}))
        return redirect(invitation.event.get_absolute_url())
    return render(
        request,
        "events/invitation_accept.html",
        {"invitation": invitation, "event": invitation.event},
    )


# --- Organiser pages ---------------------------------------------------------------------------


def _managed(request: AuthedRequest, slug: str) -> Event:
    return selectors.access_managed_event(request.user, slug)


def _manage_context(request: HttpRequest, event: Event, section: str) -> dict[str, Any]:
    return {**_event_context(request, event), "section": section}


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: AuthedRequest) -> HttpResponse:
    if not permissions.can_create_events(request.user):
        raise PermissionDenied
    form = EventCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("The barcamp has been created. Next: days, rooms and legal texts.")
            )
            return redirect("events:manage-overview", slug=event.slug)
    return render(
        request, "events/event_create.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_GET
def manage_overview(request: AuthedRequest, slug: str) -> HttpResponse:
    event = _managed(request, slug)
    return render(
        request,
        "events/manage_overview.html",
        {
            **_manage_context(request, event, "overview"),
            "counts": selectors.registration_counts(event),
            "missing": event.missing_legal_texts(),
            "audit": _recent_audit(event),
        },
    )


def _recent_audit(event: Event) -> list[AuditLogEntry]:
    return list(AuditLogEntry.objects.filter(event_id=event.pk).select_related("actor")[:15])


@login_required
@require_http_methods(["GET", "POST"])
def manage_settings(request: AuthedRequest, slug: str) -> HttpResponse:
    event = _managed(request, slug)
    form = EventForm(request.POST or None, instance=Event.objects.get(pk=event.pk))
    if request.method == "POST" and form.is_valid():
        try:
            event = services.update_event(event, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect("events:manage-settings", slug=event.slug)
    return render(
        request,
        "events/manage_settings.html",
        {**_manage_context(request, event, "settings"), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def manage_publish(request: AuthedRequest, slug: str) -> HttpResponse:
    event = _managed(request, slug)
    try:
        if request.POST.get("action") == "unpublish":
            services.unpublish_event(event, actor=request.user)
            messages.success(request, _("The barcamp is no longer public."))
        else:
            services.publish_event(event, actor=request.user)
            messages.success(request, _("The barcamp is published."))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("events:manage-overview", slug=event.slug)


@login_required
@require_http_methods(["GET", "POST"])
def manage_days(request: AuthedRequest, slug: str) -> HttpResponse:
    event = _managed(request, slug)
    form = DayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_day(event, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The day has been added."))
            return redirect("events:manage-days", slug=event.slug)
    return render(
        request,
        "events/manage_days.html",
        {**_manage_context(request, event, "days"), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_day_edit(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = _managed(request, slug)
    day = get_object_or_404(Day, event=event, pk=pk)
    form = DayForm(request.POST or None, initial={"date": day.date, "label": day.label})
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            try:
                services.remove_day(day, actor=request.user)
            except DomainError as error:
                messages.error(request, str(error))
                return redirect("events:manage-day-edit", slug=event.slug, pk=day.pk)
            messages.success(request, _("The day has been removed."))
            return redirect("events:manage-days", slug=event.slug)
        if form.is_valid():
            try:
                services.update_day(day, actor=request.user, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The day has been saved."))
                return redirect("events:manage-days", slug=event.slug)
    return render(
        request,
        "events/manage_day_edit.html",
        {**_manage_context(request, event, "days"), "form": form, "day": day},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_roles(request: AuthedRequest, slug: str) -> HttpResponse:
    event = _managed(request, slug)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_member(event, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("The invitation has been sent to %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("events:manage-roles", slug=event.slug)
    return render(
        request,
        "events/manage_roles.html",
        {
            **_manage_context(request, event, "roles"),
            "form": form,
            "roles": selectors.list_roles(event),
            "invitations": selectors.list_open_invitations(event),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def manage_role_revoke(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = _managed(request, slug)
    role = get_object_or_404(EventRole, event=event, pk=pk)
    try:
        services.revoke_role(role, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The role has been removed."))
    return redirect("events:manage-roles", slug=event.slug)


@login_required
@require_POST
def manage_invitation_revoke(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = _managed(request, slug)
    invitation = get_object_or_404(Invitation, event=event, pk=pk, accepted_at__isnull=True)
    services.revoke_invitation(invitation, actor=request.user)
    messages.success(request, _("The invitation has been withdrawn."))
    return redirect("events:manage-roles", slug=event.slug)


def _filtered_registrations(
    request: HttpRequest, event: Event
) -> tuple[RegistrationFilterForm, Any]:
    """The list as the filter says; an invalid filter value is shown as an error, not ignored."""
    form = RegistrationFilterForm(request.GET or None)
    form.is_valid()
    valid = getattr(form, "cleaned_data", {})
    return form, selectors.list_registrations(
        event,
        status=valid.get("status") or None,
        organisation_type=valid.get("organisation_type") or None,
        search=valid.get("q") or None,
    )


@login_required
@require_GET
def manage_registrations(request: AuthedRequest, slug: str) -> HttpResponse:
    event = _managed(request, slug)
    form, registrations = _filtered_registrations(request, event)
    return render(
        request,
        "events/manage_registrations.html",
        {
            **_manage_context(request, event, "registrations"),
            "filter_form": form,
            "registrations": registrations,
            "counts": selectors.registration_counts(event),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def manage_registrations_export(request: AuthedRequest, slug: str, fmt: str) -> HttpResponse:
    event = _managed(request, slug)
    form, registrations = _filtered_registrations(request, event)
    if form.errors:
        # an export must contain exactly what the filter says, or nothing
        return render(
            request,
            "events/manage_registrations.html",
            {
                **_manage_context(request, event, "registrations"),
                "filter_form": form,
                "registrations": registrations.none(),
                "counts": selectors.registration_counts(event),
                "query": "",
            },
            status=400,
        )
    stamp = datetime.date.today().isoformat()  # noqa: DTZ011 - a file name, local date is right
    if fmt == "csv":
        response = HttpResponse(
            exports.registrations_csv(registrations), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.registrations_xlsx(registrations, title=event.name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = (
        f'attachment; filename="{event.slug}-anmeldungen-{stamp}.{fmt}"'
    )
    return response


@login_required
@require_POST
def manage_registration_move(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = _managed(request, slug)
    registration = selectors.access_registration(request.user, event, pk)
    form = MoveRegistrationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose confirmed or waiting list."))
    else:
        try:
            moved = services.move_registration(
                registration, actor=request.user, status=form.cleaned_data["status"]
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(name)s: %(status)s.")
                % {"name": moved.name, "status": moved.get_status_display()},
            )
    back = reverse("events:manage-registrations", kwargs={"slug": event.slug})
    query = request.POST.get("next_query", "")
    return HttpResponseRedirect(f"{back}?{query}" if query and "\n" not in query else back)


# --- Announcements (organisers and moderators) ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def manage_announcements(request: AuthedRequest, slug: str) -> HttpResponse:
    event = selectors.access_announcing_event(request.user, slug)
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_announcement(event, actor=request.user, text=form.cleaned_data["text"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("The announcement has been sent. Everyone at the barcamp sees it now.")
            )
            return redirect("events:manage-announcements", slug=event.slug)
    return render(
        request,
        "events/manage_announcements.html",
        {
            **_manage_context(request, event, "announcements"),
            "form": form,
            "announcements": selectors.list_announcements(event)[:50],
        },
        status=400 if form.errors else 200,
    )
