"""The organiser's slot pages and the copy of a barcamp as a template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from unkonf.accounts.http import AuthedRequest
from unkonf.core.exceptions import DomainError
from unkonf.core.forms import add_domain_error
from unkonf.events.selectors import access_managed_event
from unkonf.scheduling import selectors, services
from unkonf.scheduling.forms import DuplicateEventForm, GenerateSlotsForm, SlotForm


@login_required
@require_http_methods(["GET", "POST"])
def day_slots(request: AuthedRequest, slug: str, day_pk: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    day = selectors.access_day(event, day_pk)
    action = request.POST.get("action")
    generate_form = GenerateSlotsForm(request.POST if action == "generate" else None, prefix="gen")
    slot_form = SlotForm(request.POST if action == "add" else None, prefix="slot")
    if action == "generate" and generate_form.is_valid():
        try:
            slots = services.generate_slots(day, actor=request.user, plan=generate_form.plan())
        except DomainError as error:
            add_domain_error(generate_form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d slot has been laid out.",
                    "%(count)d slots have been laid out.",
                    len(slots),
                )
                % {"count": len(slots)},
            )
            return redirect("scheduling:day-slots", slug=event.slug, day_pk=day.pk)
    elif action == "add" and slot_form.is_valid():
        try:
            services.create_slot(day, actor=request.user, **slot_form.cleaned_data)
        except DomainError as error:
            add_domain_error(slot_form, error)
        else:
            messages.success(request, _("The slot has been added."))
            return redirect("scheduling:day-slots", slug=event.slug, day_pk=day.pk)
    has_errors = bool(generate_form.errors or slot_form.errors)
    return render(
        request,
        "scheduling/day_slots.html",
        {
            "event": event,
            "section": "days",
            "can_manage": True,
            "day": day,
            "slots": selectors.list_slots(event, day=day),
            "generate_form": generate_form,
            "slot_form": slot_form,
        },
        status=400 if has_errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def slot_edit(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    slot = selectors.access_slot(event, pk)
    initial = {
        "start": slot.local_start().time(),
        "end": slot.local_end().time(),
        "kind": slot.kind,
        "title": slot.title,
        "is_blocked": slot.is_blocked,
        "blocked_reason": slot.blocked_reason,
    }
    form = SlotForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_slot(slot, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The slot has been saved."))
            return redirect("scheduling:day-slots", slug=event.slug, day_pk=slot.day_id)
    return render(
        request,
        "scheduling/slot_edit.html",
        {"event": event, "section": "days", "can_manage": True, "slot": slot, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def slot_delete(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    slot = selectors.access_slot(event, pk)
    day_pk = slot.day_id
    try:
        services.delete_slot(slot, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The slot has been deleted."))
    return redirect("scheduling:day-slots", slug=event.slug, day_pk=day_pk)


@login_required
@require_http_methods(["GET", "POST"])
def event_duplicate(request: AuthedRequest, slug: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    form = DuplicateEventForm(
        request.POST or None, initial={"name": event.name, "slug": f"{event.slug}-neu"[:60]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.duplicate_event(event, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("“%(name)s” has been created from “%(source)s”.")
                % {"name": copy.name, "source": event.name},
            )
            return redirect("events:manage-overview", slug=copy.slug)
    return render(
        request,
        "scheduling/event_duplicate.html",
        {"event": event, "section": "duplicate", "can_manage": True, "form": form},
        status=400 if form.errors else 200,
    )
