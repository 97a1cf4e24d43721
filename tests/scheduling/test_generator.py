"""Laying out a day's slots from a few numbers: pure, no database."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.utils import translation

from unkonf.scheduling.enums import SlotKind
from unkonf.scheduling.generator import DayPlan, SlotSpec, plan_slots, validate_plan

pytestmark = pytest.mark.unit

T = datetime.time
SESSION, PLENARY, BREAK = SlotKind.SESSION, SlotKind.PLENARY, SlotKind.BREAK

EXAMPLE = DayPlan(
    start=T(9, 30),
    end=T(17, 0),
    session_minutes=45,
    changeover_minutes=15,
    lunch_start=T(12, 30),
    lunch_end=T(13, 30),
    opening_minutes=30,
    closing_minutes=30,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def as_rows(slots: list[SlotSpec]) -> list[tuple[str, str, str, str]]:
    return [(f"{s.start:%H:%M}", f"{s.end:%H:%M}", s.kind, s.title) for s in slots]


def overlaps(slots: list[SlotSpec]) -> list[tuple[SlotSpec, SlotSpec]]:
    return [
        (a, b)
        for i, a in enumerate(slots)
        for b in slots[i + 1 :]
        if a.start < b.end and b.start < a.end
    ]


def test_plan_slots_example_day():
    assert as_rows(plan_slots(EXAMPLE)) == [
        ("09:30", "10:00", PLENARY, "Opening"),
        ("10:15", "11:00", SESSION, ""),
        ("11:15", "12:00", SESSION, ""),
        ("12:30", "13:30", BREAK, "Lunch"),
        ("13:30", "14:15", SESSION, ""),
        ("14:30", "15:15", SESSION, ""),
        ("15:30", "16:15", SESSION, ""),
        ("16:30", "17:00", PLENARY, "Closing"),
    ]


def test_plan_slots_without_opening_closing_or_lunch_fills_the_day():
    plan = DayPlan(start=T(9, 0), end=T(12, 0), session_minutes=50, changeover_minutes=10)

    assert as_rows(plan_slots(plan)) == [
        ("09:00", "09:50", SESSION, ""),
        ("10:00", "10:50", SESSION, ""),
        ("11:00", "11:50", SESSION, ""),
    ]


def test_plan_slots_session_ending_exactly_at_lunch_is_kept():
    plan = DayPlan(
        start=T(10, 0), end=T(14, 0), session_minutes=60, changeover_minutes=0,
        lunch_start=T(12, 0), lunch_end=T(13, 0),
    )  # fmt: skip

    assert as_rows(plan_slots(plan)) == [
        ("10:00", "11:00", SESSION, ""),
        ("11:00", "12:00", SESSION, ""),
        ("12:00", "13:00", BREAK, "Lunch"),
        ("13:00", "14:00", SESSION, ""),
    ]


def test_plan_slots_lunch_at_the_end_of_the_day_ends_it():
    plan = DayPlan(
        start=T(9, 0), end=T(14, 0), session_minutes=90, changeover_minutes=30,
        lunch_start=T(13, 0), lunch_end=T(14, 0),
    )  # fmt: skip

    assert as_rows(plan_slots(plan)) == [
        ("09:00", "10:30", SESSION, ""),
        ("11:00", "12:30", SESSION, ""),
        ("13:00", "14:00", BREAK, "Lunch"),
    ]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"end": T(9, 0), "lunch_start": None, "lunch_end": None},
            "The day must end after it starts.",
        ),
        ({"session_minutes": 4}, "Sessions must be between 5 and 480 minutes long."),
        ({"session_minutes": 481}, "Sessions must be between 5 and 480 minutes long."),
        ({"changeover_minutes": -1}, "Changeovers must be between 0 and 120 minutes."),
        ({"changeover_minutes": 121}, "Changeovers must be between 0 and 120 minutes."),
        ({"opening_minutes": -5}, "Opening and closing cannot be negative."),
        ({"lunch_end": None}, "Please give both the start and the end of lunch, or neither."),
        ({"lunch_start": None}, "Please give both the start and the end of lunch, or neither."),
        ({"lunch_start": T(13, 30), "lunch_end": T(12, 30)}, "Lunch must end after it starts."),
        ({"lunch_start": T(8, 0), "lunch_end": T(9, 0)}, "Lunch must lie within the day."),
        ({"lunch_start": T(16, 30), "lunch_end": T(17, 30)}, "Lunch must lie within the day."),
        (
            {"opening_minutes": 225, "closing_minutes": 225},
            "Opening and closing leave no time for sessions.",
        ),
    ],
)
def test_validate_plan_names_the_problem(changes, problem):
    plan = dataclasses.replace(EXAMPLE, **changes)

    assert validate_plan(plan) == [problem]
    with pytest.raises(ValueError, match=problem.rstrip(".")):
        plan_slots(plan)


def test_validate_plan_lists_every_problem():
    plan = DayPlan(start=T(17, 0), end=T(9, 0), session_minutes=0, changeover_minutes=200)

    assert validate_plan(plan) == [
        "The day must end after it starts.",
        "Sessions must be between 5 and 480 minutes long.",
        "Changeovers must be between 0 and 120 minutes.",
    ]


def test_validate_plan_example_has_no_problems():
    assert validate_plan(EXAMPLE) == []


def test_plan_slots_example_has_no_overlaps():
    assert overlaps(plan_slots(EXAMPLE)) == []


@pytest.mark.parametrize(
    "plan",
    [
        DayPlan(
            start=T(9, 0), end=T(17, 0), session_minutes=45, changeover_minutes=15,
            lunch_start=T(16, 0), lunch_end=T(17, 0), closing_minutes=30,
        ),
        DayPlan(
            start=T(9, 0), end=T(17, 0), session_minutes=45, changeover_minutes=15,
            lunch_start=T(9, 0), lunch_end=T(10, 0), opening_minutes=60,
        ),
    ],
    ids=["lunch-over-closing", "lunch-over-opening"],
)  # fmt: skip
def test_plan_slots_accepted_plan_never_overlaps(plan):
    if validate_plan(plan):
        return  # refusing the plan is a correct answer too

    assert overlaps(plan_slots(plan)) == []
