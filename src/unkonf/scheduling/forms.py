from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from unkonf.core.validation import EARLIEST_DATE, LATEST_DATE
from unkonf.events.models import Day, Event, validate_slug_not_reserved
from unkonf.scheduling.enums import SlotKind, SuggestionScope
from unkonf.scheduling.generator import DayPlan, validate_plan


def _time_field(
    label: Any, *, required: bool = True, initial: datetime.time | None = None
) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        initial=initial,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class GenerateSlotsForm(forms.Form):
    start = _time_field(_("day starts"), initial=datetime.time(9, 30))
    end = _time_field(_("day ends"), initial=datetime.time(17, 0))
    session_minutes = forms.IntegerField(
        label=_("session length (minutes)"), min_value=5, max_value=480, initial=45
    )
    changeover_minutes = forms.IntegerField(
        label=_("changeover between sessions (minutes)"), min_value=0, max_value=120, initial=15
    )
    lunch_start = _time_field(_("lunch starts"), required=False, initial=datetime.time(12, 30))
    lunch_end = _time_field(_("lunch ends"), required=False, initial=datetime.time(13, 30))
    opening_minutes = forms.IntegerField(
        label=_("opening plenary (minutes)"),
        min_value=0,
        max_value=240,
        initial=30,
        help_text=_("0 for none"),
    )
    closing_minutes = forms.IntegerField(
        label=_("closing plenary (minutes)"),
        min_value=0,
        max_value=240,
        initial=30,
        help_text=_("0 for none"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            for problem in validate_plan(self.plan()):
                self.add_error(None, problem)
        return cleaned

    def plan(self) -> DayPlan:
        c = self.cleaned_data
        return DayPlan(
            start=c["start"],
            end=c["end"],
            session_minutes=c["session_minutes"],
            changeover_minutes=c["changeover_minutes"],
            lunch_start=c.get("lunch_start"),
            lunch_end=c.get("lunch_end"),
            opening_minutes=c["opening_minutes"],
            closing_minutes=c["closing_minutes"],
        )


class SlotForm(forms.Form):
    start = _time_field(_("start"))
    end = _time_field(_("end"))
    kind = forms.ChoiceField(label=_("kind"), choices=SlotKind.choices, initial=SlotKind.SESSION)
    title = forms.CharField(
        label=_("title"), max_length=120, required=False, help_text=_("e.g. Opening, Lunch")
    )
    is_blocked = forms.BooleanField(label=_("blocked: no sessions in this slot"), required=False)
    blocked_reason = forms.CharField(label=_("reason for blocking"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("A slot must end after it starts."))
        if cleaned.get("is_blocked") and not (cleaned.get("blocked_reason") or "").strip():
            self.add_error("blocked_reason", _("Please give a reason for blocking the slot."))
        return cleaned


class DuplicateEventForm(forms.Form):
    name = forms.CharField(label=_("name of the new barcamp"), max_length=200)
    slug = forms.SlugField(
        label=_("short name"),
        max_length=60,
        validators=[validate_slug_not_reserved],
        help_text=_("Part of the address. Letters, digits, hyphens."),
    )
    first_day = forms.DateField(
        label=_("first day of the new barcamp"),
        widget=forms.DateInput(
            attrs={"type": "date", "min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}
        ),
        help_text=_("All days move by the same number of days."),
    )


# --- the grid editor (views/grid.py) ------------------------------------------------------------

#: the largest primary key a form accepts (bigger numbers cannot name a row)
_MAX_PK = 2_147_483_647


def _number(label: Any = "", *, minimum: int = 1) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=minimum, max_value=_MAX_PK)


class GridEntryForm(forms.Form):
    """A session of the grid or the backlog, and the version of it the editor saw (0: it saw
    the session in the backlog)."""

    #: what the editor says when the numbers do not fit (a tampered or broken request)
    invalid_text = _("Please choose a session.")

    proposal = _number(_("session"))
    expected_version = _number(minimum=0)


class GridPlaceForm(GridEntryForm):
    """Put a session into a cell: place, move, or swap with the session there."""

    invalid_text = _("Please choose a room and a time for the session.")

    room = _number(_("room"))
    slot = _number(_("time"))
    swap = forms.BooleanField(label=_("swap with the session there"), required=False)


class GridPinForm(GridEntryForm):
    """Pin a session to its cell (the planner leaves it there), or release it."""

    pinned = forms.TypedChoiceField(
        choices=(("1", _("pin")), ("0", _("release"))), coerce=lambda value: value == "1"
    )


class SuggestForm(forms.Form):
    """What the planner should suggest: which sessions, which day, how long to think."""

    scope = forms.ChoiceField(
        label=_("what to plan"),
        choices=SuggestionScope.choices,
        initial=SuggestionScope.REMAINING,
        widget=forms.RadioSelect,
    )
    day = forms.ModelChoiceField(
        label=_("day"),
        queryset=Day.objects.none(),
        required=False,
        empty_label=_("All days"),
        help_text=_("“Re-plan the rest of the day” needs a day: what has begun stays."),
    )
    time_budget = forms.IntegerField(
        label=_("time for planning (seconds)"),
        min_value=1,
        max_value=60,
        initial=10,
        help_text=_("More time may find a better grid. 10 seconds are usually enough."),
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        day_field = self.fields["day"]
        assert isinstance(day_field, forms.ModelChoiceField)
        day_field.queryset = Day.objects.filter(event=event).order_by("date")
