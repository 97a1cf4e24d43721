"""The organiser's room pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from unkonf.accounts.http import AuthedRequest
from unkonf.core.exceptions import DomainError
from unkonf.core.forms import add_domain_error
from unkonf.events.selectors import access_managed_event
from unkonf.venues import selectors, services
from unkonf.venues.forms import RoomForm


@login_required
@require_http_methods(["GET", "POST"])
def room_list(request: AuthedRequest, slug: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_room(event, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The room has been added."))
            return redirect("venues:room-list", slug=event.slug)
    return render(
        request,
        "venues/room_list.html",
        {
            "event": event,
            "section": "rooms",
            "rooms": selectors.list_rooms(event),
            "form": form,
            "can_manage": True,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def room_edit(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    room = selectors.access_room(event, pk)
    initial = {f: getattr(room, f) for f in services.ROOM_FIELDS}
    form = RoomForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_room(room, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The room has been saved."))
            return redirect("venues:room-list", slug=event.slug)
    return render(
        request,
        "venues/room_edit.html",
        {"event": event, "section": "rooms", "room": room, "form": form, "can_manage": True},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def room_delete(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    room = selectors.access_room(event, pk)
    try:
        services.delete_room(room, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The room “%(name)s” has been deleted.") % {"name": room.name})
    return redirect("venues:room-list", slug=event.slug)


@login_required
@require_POST
def room_move(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    room = selectors.access_room(event, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.move_room(room, actor=request.user, offset=offset)
    messages.success(request, _("The order of the rooms has been changed."))
    return redirect("venues:room-list", slug=event.slug)
