"""Every change to time slots goes through here, and copying a barcamp as a template."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from unkonf.accounts.models import User
from unkonf.core.services import record_audit
from unkonf.core.validation import check_date_in_range, clean_or_refuse
from unkonf.events.enums import Role
from unkonf.events.exceptions import EventError
from unkonf.events.models import Day, Event, EventRole
from unkonf.events.permissions import forget_roles
from unkonf.scheduling.enums import SlotKind
from unkonf.scheduling.exceptions import SchedulingError, SlotOverlap
from unkonf.scheduling.generator import DayPlan, plan_slots, validate_plan
from unkonf.scheduling.models import ScheduleEntry, TimeSlot
from unkonf.scheduling.selectors.grid import covered_slots, next_slots
from unkonf.venues.models import Room


def _aware(day: Day, t: datetime.time) -> datetime.datetime:
    check_date_in_range(day.date, SchedulingError, field="start")
    return datetime.datetime.combine(day.date, t, tzinfo=day.event.zone)


def _check_overlap(
    day: Day, start: datetime.datetime, end: datetime.datetime, *, exclude_pk: int | None
) -> None:
    if end <= start:
        raise SchedulingError(_("A slot must end after it starts."), field="end")
    clash = (
        TimeSlot.objects.filter(day=day, start__lt=end, end__gt=start)
        .exclude(pk=exclude_pk or 0)
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise SlotOverlap(
            _("This overlaps the slot %(slot)s. Slots of a day must not overlap.")
            % {"slot": str(clash)}
        )


def _sessions_in(slot_ids: list[int], day: Day) -> list[str]:
    """Titles of the grid's sessions that take place in any of these slots (also as the second
    slot of a two-slot session)."""
    following = next_slots(TimeSlot.objects.filter(day=day))
    wanted = set(slot_ids)
    return sorted(
        entry.proposal.title
        for entry in ScheduleEntry.objects.filter(slot__day=day).select_related("proposal")
        if wanted & set(covered_slots(entry, following))
    )


def _refuse_if_sessions(slot_ids: list[int], day: Day, message: str) -> None:
    titles = _sessions_in(slot_ids, day)
    if titles:
        raise SchedulingError(message % {"titles": ", ".join(f"“{t}”" for t in titles)})


@transaction.atomic
def generate_slots(day: Day, *, actor: User, plan: DayPlan) -> list[TimeSlot]:
    """Replace the day's slots by those the plan lays out."""
    problems = validate_plan(plan)
    if problems:
        raise SchedulingError(" ".join(problems))
    Day.objects.select_for_update().get(pk=day.pk)
    _refuse_if_sessions(
        list(TimeSlot.objects.filter(day=day).values_list("pk", flat=True)),
        day,
        _(
            "The grid of this day has sessions: %(titles)s. Please take them out of the grid "
            "before laying out the day's slots anew."
        ),
    )
    TimeSlot.objects.filter(day=day).delete()
    slots = [
        TimeSlot(
            event_id=day.event_id,
            day=day,
            start=_aware(day, spec.start),
            end=_aware(day, spec.end),
            kind=spec.kind,
            title=spec.title,
        )
        for spec in plan_slots(plan)
    ]
    TimeSlot.objects.bulk_create(slots)
    record_audit(
        "slots.generated",
        actor=actor,
        obj=day,
        event_id=day.event_id,
        data={"count": len(slots), "start": plan.start.isoformat(), "end": plan.end.isoformat()},
    )
    return list(TimeSlot.objects.filter(day=day).order_by("start"))


@transaction.atomic
def create_slot(
    day: Day,
    *,
    actor: User,
    start: datetime.time,
    end: datetime.time,
    kind: str = SlotKind.SESSION,
    title: str = "",
    is_blocked: bool = False,
    blocked_reason: str = "",
) -> TimeSlot:
    Day.objects.select_for_update().get(pk=day.pk)
    start_at, end_at = _aware(day, start), _aware(day, end)
    _check_overlap(day, start_at, end_at, exclude_pk=None)
    following = next_slots(TimeSlot.objects.filter(day=day))
    for entry in ScheduleEntry.objects.filter(slot__day=day, length=2).select_related(
        "slot", "proposal"
    ):
        after = following.get(entry.slot_id)
        if after is not None and entry.slot.end <= start_at and after.start >= end_at:
            raise SchedulingError(
                _(
                    "“%(title)s” takes the two slots around this time; a slot in between would "
                    "split it. Please move it first."
                )
                % {"title": entry.proposal.title}
            )
    if is_blocked and not blocked_reason.strip():
        raise SchedulingError(
            _("Please give a reason for blocking the slot."), field="blocked_reason"
        )
    slot = TimeSlot.objects.create(
        event_id=day.event_id,
        day=day,
        start=start_at,
        end=end_at,
        kind=kind,
        title=title,
        is_blocked=is_blocked,
        blocked_reason=blocked_reason.strip() if is_blocked else "",
    )
    record_audit("slot.created", actor=actor, obj=slot, event_id=day.event_id)
    return slot


@transaction.atomic
def update_slot(
    slot: TimeSlot,
    *,
    actor: User,
    start: datetime.time,
    end: datetime.time,
    kind: str,
    title: str,
    is_blocked: bool,
    blocked_reason: str,
) -> TimeSlot:
    day = Day.objects.select_for_update().select_related("event").get(pk=slot.day_id)
    start_at, end_at = _aware(day, start), _aware(day, end)
    _check_overlap(day, start_at, end_at, exclude_pk=slot.pk)
    if kind != SlotKind.SESSION and slot.kind == SlotKind.SESSION:
        _refuse_if_sessions(
            [slot.pk],
            day,
            _(
                "Sessions of the grid take place in this slot: %(titles)s. Please move them "
                "before making it a break or plenary."
            ),
        )
    if is_blocked and not blocked_reason.strip():
        raise SchedulingError(
            _("Please give a reason for blocking the slot."), field="blocked_reason"
        )
    slot.start, slot.end, slot.kind, slot.title = start_at, end_at, kind, title
    slot.is_blocked = is_blocked
    slot.blocked_reason = blocked_reason.strip() if is_blocked else ""
    slot.save()
    record_audit("slot.updated", actor=actor, obj=slot, event_id=slot.event_id)
    return slot


@transaction.atomic
def delete_slot(slot: TimeSlot, *, actor: User) -> None:
    _refuse_if_sessions(
        [slot.pk],
        slot.day,
        _(
            "Sessions of the grid take place in this slot: %(titles)s. Please take them out of "
            "the grid or move them first."
        ),
    )
    record_audit(
        "slot.deleted", actor=actor, obj=slot, event_id=slot.event_id, data={"time": str(slot)}
    )
    slot.delete()


def _shifted(
    moment: datetime.datetime, days: datetime.timedelta, zone: datetime.tzinfo
) -> datetime.datetime:
    """The same wall-clock time ``days`` later (so a copy across a DST change keeps 09:30)."""
    local = moment.astimezone(zone)
    return datetime.datetime.combine(local.date() + days, local.time(), tzinfo=zone)


@transaction.atomic
def duplicate_event(
    source: Event, *, actor: User, name: str, slug: str, first_day: datetime.date
) -> Event:
    """A new barcamp from a past one: settings, days (moved to the new date), rooms, slots.

    Not copied: registrations, roles (the actor becomes organiser), invitations, publication.
    This lives in scheduling because it is the lowest app that knows days, rooms and slots.
    """
    if Event.objects.filter(slug=slug).exists():
        raise EventError(_("This short name is already taken."), field="slug")
    days = list(source.days.order_by("date"))
    check_date_in_range(first_day, EventError, field="first_day")
    if days:
        check_date_in_range(
            first_day + (days[-1].date - days[0].date), EventError, field="first_day"
        )
    target = Event.objects.get(pk=source.pk)
    target.pk = None
    target.id = None
    target.name = name
    target.slug = slug
    target.published_at = None
    target.registration_counter = 0
    target.copied_from = source
    clean_or_refuse(target, EventError)
    target.save()
    EventRole.objects.create(event=target, user=actor, role=Role.ORGANISER)
    forget_roles(actor)
    shift = (first_day - days[0].date) if days else datetime.timedelta(0)
    day_map: dict[int, Day] = {}
    for day in days:
        day_map[day.pk] = Day.objects.create(event=target, date=day.date + shift, label=day.label)
    Room.objects.bulk_create(
        [
            Room(
                event=target,
                name=r.name,
                kind=r.kind,
                capacity=r.capacity,
                location=r.location,
                equipment=list(r.equipment),
                video_url=r.video_url,
                position=r.position,
            )
            for r in Room.objects.filter(event=source)
        ]
    )
    zone = source.zone
    TimeSlot.objects.bulk_create(
        [
            TimeSlot(
                event=target,
                day=day_map[s.day_id],
                start=_shifted(s.start, shift, zone),
                end=_shifted(s.end, shift, zone),
                kind=s.kind,
                title=s.title,
                is_blocked=s.is_blocked,
                blocked_reason=s.blocked_reason,
            )
            for s in TimeSlot.objects.filter(event=source)
        ]
    )
    record_audit(
        "event.duplicated", actor=actor, obj=target, event_id=target.pk, data={"from": source.pk}
    )
    return target
