"""The grid: time slots of a day, the entries (a proposal in a room and slot), its changes
(undo), the planner's suggestions, stars, hosts' unavailable slots and the timekeeper."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from unkonf.events.models import Day, Event
from unkonf.scheduling.enums import SlotKind, SuggestionScope, SuggestionState
from unkonf.venues.models import Room


class TimeSlot(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="slots")
    day = models.ForeignKey(Day, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=SlotKind.choices, default=SlotKind.SESSION
    )
    title = models.CharField(
        _("title"), max_length=120, blank=True, help_text=_("e.g. Opening, Lunch")
    )
    is_blocked = models.BooleanField(_("blocked"), default=False)
    blocked_reason = models.CharField(_("reason for blocking"), max_length=200, blank=True)

    class Meta:
        ordering = ("start",)
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="slot_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        zone = self.event.zone
        return f"{self.start.astimezone(zone):%H:%M}–{self.end.astimezone(zone):%H:%M}"

    @property
    def duration(self) -> datetime.timedelta:
        return self.end - self.start

    def local_start(self) -> datetime.datetime:
        return self.start.astimezone(self.event.zone)

    def local_end(self) -> datetime.datetime:
        return self.end.astimezone(self.event.zone)


class Schedule(models.Model):
    """The grid of a barcamp as a whole: one row to lock for every change of it.

    ``version`` counts every change (editors compare it to know whether they are behind);
    ``published_at`` makes the grid the public plan — later changes are then live at once.
    """

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="schedule")
    version = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("session grid")
        verbose_name_plural = _("session grids")

    def __str__(self) -> str:
        return f"{self.event} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ScheduleEntry(models.Model):
    """A proposal in the grid: a room and its first slot (a two-slot session also takes the
    next slot of the same day in the same room)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="entries")
    proposal = models.OneToOneField(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="entry"
    )
    # RESTRICT: a room or slot with sessions in it cannot be deleted on its own (the services
    # refuse with a message naming the sessions); deleting the whole barcamp still works
    room = models.ForeignKey(Room, on_delete=models.RESTRICT, related_name="entries")
    slot = models.ForeignKey(TimeSlot, on_delete=models.RESTRICT, related_name="entries")
    #: how many consecutive slots it takes (the proposal's length when it was placed)
    length = models.PositiveSmallIntegerField(default=1)
    pinned = models.BooleanField(_("pinned"), default=False)
    #: counts the changes of this entry; editors send the version they saw
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    #: where it was before its last move after publication (shown as a change)
    moved_at = models.DateTimeField(null=True, blank=True)
    previous_room = models.CharField(max_length=120, blank=True)
    previous_start = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("slot__start", "room__position", "room_id")
        verbose_name = _("grid entry")
        verbose_name_plural = _("grid entries")
        constraints = [
            models.UniqueConstraint(fields=("room", "slot"), name="entry_one_per_cell"),
            models.CheckConstraint(condition=models.Q(length__in=(1, 2)), name="entry_length_1_2"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} @ {self.room} {self.slot}"


class GridChange(models.Model):
    """One undoable step of grid editing: where the entries it touched were before and after.

    ``before``/``after`` map a proposal id (as a string) to ``[room, slot, pinned]`` or null
    (not in the grid).
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="grid_changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=30)
    before: models.JSONField[Any] = models.JSONField(default=dict)
    after: models.JSONField[Any] = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undoes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-pk",)
        indexes = [models.Index(fields=("event", "actor", "-id"))]

    def __str__(self) -> str:
        return f"{self.action} v{self.version}"


class Suggestion(models.Model):
    """A grid the planner suggests: computed in the background, shown as a preview, applied
    (one undoable step) or discarded."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="suggestions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    scope = models.CharField(max_length=20, choices=SuggestionScope.choices)
    day = models.ForeignKey(Day, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    #: "rest of the day" re-plans what starts after this moment
    after = models.DateTimeField(null=True, blank=True)
    time_budget = models.FloatField(default=10.0)
    state = models.CharField(
        max_length=20, choices=SuggestionState.choices, default=SuggestionState.RUNNING
    )
    #: 0…1 while it runs
    progress = models.FloatField(default=0.0)
    #: the grid's version the suggestion was computed from
    base_version = models.PositiveIntegerField(default=0)
    #: missed, overflow, moves, placed, unplaced, missed_lower_bound, total_wishes, …
    figures: models.JSONField[Any] = models.JSONField(default=dict)
    #: proposal id (string) -> [room, slot] or null
    assignment: models.JSONField[Any] = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-pk",)

    def __str__(self) -> str:
        return f"suggestion {self.pk} ({self.state})"


class Star(models.Model):
    """A session someone wants to attend: their plan, their private calendar feed, notices."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="stars"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="starred"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=("event", "user"))]
        constraints = [
            models.UniqueConstraint(fields=("proposal", "user"), name="star_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ★ {self.proposal_id}"


class Unavailability(models.Model):
    """A slot in which a person cannot host a session."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unavailabilities"
    )
    slot = models.ForeignKey(TimeSlot, on_delete=models.CASCADE, related_name="unavailabilities")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("user", "slot"), name="unavailable_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ✗ {self.slot_id}"


class SlotTimer(models.Model):
    """The timekeeper's clock of a slot, for all rooms (``room`` empty) or for one room.

    Server time only: clients get ``ends_at`` and the server's "now" and count down from
    there. ``planned_end`` is the slot's end when it started; extensions move ``ends_at``.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    slot = models.ForeignKey(TimeSlot, on_delete=models.CASCADE, related_name="timers")
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.CASCADE, related_name="timers"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    extended_minutes = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("slot", "room"),
                name="timer_once_per_room_slot",
            ),
            models.UniqueConstraint(
                fields=("slot",),
                condition=models.Q(room__isnull=True),
                name="timer_once_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"timer {self.slot_id}/{self.room_id}"


class CalendarFeed(models.Model):
    """A person's private calendar feed of their starred sessions in one barcamp.

    Calendar apps cannot log in, so the random token in the feed's address is the credential.
    Renewing it gives a new token: the old address stops working at once.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token = models.CharField(max_length=64, unique=True)
    #: when this token was made (the last renewal)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("event", "user"), name="calendar_feed_once_per_person")
        ]

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id} in {self.event_id}"
