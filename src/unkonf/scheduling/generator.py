"""Lay out a day's slots from a few numbers: pure, no database.

"09:30–17:00, 45-minute sessions, 15-minute changeovers, lunch 12:30–13:30, 30 minutes
opening and closing" becomes opening, sessions, lunch, sessions, closing. Changeovers are the
gaps between slots; a session never runs into lunch or the closing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from unkonf.scheduling.enums import SlotKind


@dataclass(frozen=True)
class DayPlan:
    start: datetime.time
    end: datetime.time
    session_minutes: int
    changeover_minutes: int
    lunch_start: datetime.time | None = None
    lunch_end: datetime.time | None = None
    opening_minutes: int = 0
    closing_minutes: int = 0


@dataclass(frozen=True)
class SlotSpec:
    start: datetime.time
    end: datetime.time
    kind: SlotKind
    title: str = ""


def _minutes(t: datetime.time) -> int:
    return t.hour * 60 + t.minute


def _time(minutes: int) -> datetime.time:
    return datetime.time(minutes // 60, minutes % 60)


def validate_plan(plan: DayPlan) -> list[str]:
    """Problems with the numbers, as translated sentences; empty when the plan is usable."""
    problems: list[str] = []
    start, end = _minutes(plan.start), _minutes(plan.end)
    if end <= start:
        problems.append(_("The day must end after it starts."))
    if not 5 <= plan.session_minutes <= 480:
        problems.append(_("Sessions must be between 5 and 480 minutes long."))
    if not 0 <= plan.changeover_minutes <= 120:
        problems.append(_("Changeovers must be between 0 and 120 minutes."))
    if plan.opening_minutes < 0 or plan.closing_minutes < 0:
        problems.append(_("Opening and closing cannot be negative."))
    if problems:
        return problems
    if plan.opening_minutes + plan.closing_minutes >= end - start:
        return [_("Opening and closing leave no time for sessions.")]
    if (plan.lunch_start is None) != (plan.lunch_end is None):
        return [_("Please give both the start and the end of lunch, or neither.")]
    if plan.lunch_start is not None and plan.lunch_end is not None:
        ls, le = _minutes(plan.lunch_start), _minutes(plan.lunch_end)
        if le <= ls:
            return [_("Lunch must end after it starts.")]
        if ls < start or le > end:
            return [_("Lunch must lie within the day.")]
        if ls < start + plan.opening_minutes or le > end - plan.closing_minutes:
            return [_("Lunch must lie between the opening and the closing.")]
    return []


def plan_slots(plan: DayPlan) -> list[SlotSpec]:
    problems = validate_plan(plan)
    if problems:
        raise ValueError(" ".join(problems))
    slots: list[SlotSpec] = []
    t = _minutes(plan.start)
    day_end = _minutes(plan.end)
    sessions_end = day_end - plan.closing_minutes
    if plan.closing_minutes:
        sessions_end -= plan.changeover_minutes
    lunch = (
        (_minutes(plan.lunch_start), _minutes(plan.lunch_end))
        if plan.lunch_start is not None and plan.lunch_end is not None
        else None
    )
    lunch_done = lunch is None
    if plan.opening_minutes:
        slots.append(
            SlotSpec(_time(t), _time(t + plan.opening_minutes), SlotKind.PLENARY, _("Opening"))
        )
        t += plan.opening_minutes + plan.changeover_minutes
    while True:
        if not lunch_done and lunch is not None and t + plan.session_minutes > lunch[0]:
            slots.append(SlotSpec(_time(lunch[0]), _time(lunch[1]), SlotKind.BREAK, _("Lunch")))
            t = max(t, lunch[1])
            lunch_done = True
            continue
        if t + plan.session_minutes > sessions_end:
            break
        slots.append(SlotSpec(_time(t), _time(t + plan.session_minutes), SlotKind.SESSION))
        t += plan.session_minutes + plan.changeover_minutes
    if not lunch_done and lunch is not None and lunch[1] <= sessions_end:
        slots.append(SlotSpec(_time(lunch[0]), _time(lunch[1]), SlotKind.BREAK, _("Lunch")))
    if plan.closing_minutes:
        slots.append(
            SlotSpec(
                _time(day_end - plan.closing_minutes),
                _time(day_end),
                SlotKind.PLENARY,
                _("Closing"),
            )
        )
    return sorted(slots, key=lambda s: s.start)
