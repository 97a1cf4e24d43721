""" "Suggest a grid": the planner runs in the background, the moderator sees a preview with its
figures, and applying it is one undoable step of the grid (`grid.apply_places`)."""

from __future__ import annotations

import datetime
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unkonf.accounts.models import User
from unkonf.core.services import record_audit
from unkonf.events.models import Day, Event
from unkonf.scheduling.enums import SuggestionScope, SuggestionState
from unkonf.scheduling.exceptions import SchedulingError
from unkonf.scheduling.models import GridChange, ScheduleEntry, Suggestion, TimeSlot
from unkonf.scheduling.planner.planning import Result, plan
from unkonf.scheduling.planner.problem import InfeasibleError
from unkonf.scheduling.planner.scoring import Score
from unkonf.scheduling.selectors.grid import grid_figures, planning_input
from unkonf.scheduling.services.grid import Place, apply_places, lock_schedule

logger = logging.getLogger(__name__)

MIN_BUDGET, MAX_BUDGET = 1.0, 60.0
#: a suggestion still "running" this long after its budget ran out died with its process
STALE_AFTER = datetime.timedelta(seconds=60)
#: how often the planner's progress is written for the page that shows it
PROGRESS_EVERY = 0.5


def is_stale(suggestion: Suggestion, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    deadline = suggestion.created_at + datetime.timedelta(seconds=suggestion.time_budget)
    return suggestion.state == SuggestionState.RUNNING and now > deadline + STALE_AFTER


@transaction.atomic
def start_suggestion(
    event: Event,
    *,
    actor: User,
    scope: str,
    day: Day | None,
    time_budget: float = 10.0,
) -> Suggestion:
    """Start planning in the background; the suggestion row shows its progress."""
    if scope not in SuggestionScope.values:
        raise SchedulingError(_("Please choose what to plan."), field="scope")
    if scope == SuggestionScope.REST_OF_DAY and day is None:
        raise SchedulingError(_("Please choose the day to re-plan."), field="day")
    if not MIN_BUDGET <= time_budget <= MAX_BUDGET:
        raise SchedulingError(
            _("The time budget must be between %(min)d and %(max)d seconds.")
            % {"min": MIN_BUDGET, "max": MAX_BUDGET},
            field="time_budget",
        )
    schedule = lock_schedule(event)
    running = Suggestion.objects.filter(event=event, state=SuggestionState.RUNNING)
    for other in running:
        if is_stale(other):
            other.state, other.error = SuggestionState.FAILED, _("The planner was interrupted.")
            other.save(update_fields=["state", "error"])
        else:
            raise SchedulingError(
                _("The planner is already working on a suggestion. Please wait for it.")
            )
    suggestion = Suggestion.objects.create(
        event=event,
        created_by=actor,
        scope=scope,
        day=day,
        after=timezone.now(),
        time_budget=time_budget,
        base_version=schedule.version,
    )
    record_audit(
        "grid.suggestion_started",
        actor=actor,
        obj=suggestion,
        event_id=event.pk,
        data={"scope": scope, "day": day.pk if day else None, "budget": time_budget},
    )
    transaction.on_commit(lambda: _launch(suggestion.pk))
    return suggestion


def _launch(pk: int) -> None:
    if getattr(settings, "UNKONF_PLAN_INLINE", False):
        run_suggestion(pk)
        return
    threading.Thread(target=_run_in_thread, args=(pk,), name=f"planner-{pk}", daemon=True).start()


def _run_in_thread(pk: int) -> None:
    close_old_connections()
    try:
        run_suggestion(pk)
    except Exception:  # pragma: no cover - logged; the suggestion is marked failed
        logger.exception("planning suggestion %s failed", pk)
        Suggestion.objects.filter(pk=pk, state=SuggestionState.RUNNING).update(
            state=SuggestionState.FAILED, error=_("The planner failed."), finished_at=timezone.now()
        )
    finally:
        connection.close()


def run_suggestion(pk: int) -> Suggestion:
    """Plan (this takes up to the time budget) and store the result as a preview."""
    suggestion = Suggestion.objects.select_related("event", "day").get(pk=pk)
    event = suggestion.event
    data = planning_input(event, scope=suggestion.scope, day=suggestion.day, now=suggestion.after)
    problem, movable = data.problem, data.movable
    last_write = time.monotonic()

    def progress(elapsed: float, found: Score) -> None:
        nonlocal last_write
        if time.monotonic() - last_write < PROGRESS_EVERY:
            return
        last_write = time.monotonic()
        Suggestion.objects.filter(pk=pk, state=SuggestionState.RUNNING).update(
            progress=min(0.99, elapsed / suggestion.time_budget),
            figures={"missed": found.missed, "overflow": found.overflow},
        )

    excluded: dict[int, str] = {}
    result: Result | None = None
    for _attempt in range(30):
        if not movable:
            break
        try:
            result = plan(problem, time_budget=suggestion.time_budget, seed=pk, progress=progress)
            break
        except InfeasibleError:
            # e.g. a host with more sessions than slots: the least wanted session waits
            least = min(movable, key=lambda i: (problem.demand()[i], -data.proposals[i]))
            excluded[data.proposals[least]] = _("The planner found no place for it.")
            data = planning_input(
                event,
                scope=suggestion.scope,
                day=suggestion.day,
                now=suggestion.after,
                exclude=set(excluded),
            )
            problem, movable = data.problem, data.movable
    left_out = {**data.left_out, **excluded}
    assignment: dict[str, Any] = {}
    if result is not None:
        for i, (r, t) in enumerate(result.assignment):
            if i in movable:
                assignment[str(data.proposals[i])] = [data.rooms[r], data.slots[t]]
    for pid in left_out:
        if pid in data.current:
            assignment[str(pid)] = None  # placed now, but the planner leaves it out
    moves = sum(
        1
        for key, place in assignment.items()
        if (tuple(place) if place else None) != data.current.get(int(key))
    )
    before = grid_figures(event)
    after = grid_figures(event, override=_override(assignment))
    figures = {
        "missed": after.missed,
        "overflow": after.overflow,
        "missed_before": before.missed,
        "overflow_before": before.overflow,
        "missed_lower_bound": after.missed_lower_bound,
        "total_wishes": after.total_wishes,
        "moves": moves,
        "placed": sum(1 for p in assignment.values() if p is not None),
        "left_out": len(left_out),
        "elapsed": round(result.elapsed, 2) if result else 0.0,
        "iterations": result.iterations if result else 0,
    }
    suggestion.assignment = assignment
    suggestion.figures = figures
    suggestion.error = "; ".join(sorted(set(left_out.values())))
    suggestion.progress = 1.0
    suggestion.finished_at = timezone.now()
    suggestion.state = SuggestionState.READY
    Suggestion.objects.filter(pk=pk, state=SuggestionState.RUNNING).update(
        assignment=assignment,
        figures=figures,
        error=suggestion.error,
        progress=1.0,
        finished_at=suggestion.finished_at,
        state=SuggestionState.READY,
    )
    return suggestion


def _override(assignment: dict[str, Any]) -> dict[int, tuple[int, int] | None]:
    return {int(k): (tuple(v) if v else None) for k, v in assignment.items()}


@transaction.atomic
def apply_suggestion(suggestion: Suggestion, *, actor: User) -> GridChange:
    """Apply the preview as one undoable step, if the grid has not changed since."""
    schedule = lock_schedule(suggestion.event)
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.state != SuggestionState.READY:
        raise SchedulingError(_("This suggestion can no longer be applied."))
    if schedule.version != suggestion.base_version:
        raise SchedulingError(
            _(
                "The grid has changed since this suggestion was made. Nothing has been "
                "changed; please ask for a new suggestion."
            )
        )
    if _touches_begun_slots(suggestion):
        raise SchedulingError(
            _(
                "Sessions have begun since this suggestion was made, and it would move some "
                "of them. Nothing has been changed; please ask for a new suggestion."
            )
        )
    pinned = dict(
        ScheduleEntry.objects.filter(event=suggestion.event).values_list("proposal_id", "pinned")
    )
    target = {
        int(pid): (Place(place[0], place[1], pinned.get(int(pid), False)) if place else None)
        for pid, place in suggestion.assignment.items()
    }
    current = {
        e.proposal_id: (e.room_id, e.slot_id)
        for e in ScheduleEntry.objects.filter(event=suggestion.event)
    }
    target = {
        pid: place
        for pid, place in target.items()
        if (None if place is None else (place.room, place.slot)) != current.get(pid)
    }
    if not target:
        raise SchedulingError(_("The suggestion is the grid as it is: nothing to change."))
    change = apply_places(suggestion.event, target, actor=actor, action="suggestion")
    suggestion.state = SuggestionState.APPLIED
    suggestion.save(update_fields=["state"])
    return change


def _touches_begun_slots(suggestion: Suggestion) -> bool:
    """Does the suggestion move a session into or out of a slot that began after it was made?"""
    now = timezone.now()
    if suggestion.after is None or now <= suggestion.after:
        return False
    begun = set(
        TimeSlot.objects.filter(
            event=suggestion.event_id, start__gt=suggestion.after, start__lte=now
        ).values_list("pk", flat=True)
    )
    if not begun:
        return False
    current = dict(
        ScheduleEntry.objects.filter(
            event=suggestion.event_id, proposal_id__in=[int(k) for k in suggestion.assignment]
        ).values_list("proposal_id", "slot_id")
    )
    for key, place in suggestion.assignment.items():
        if place is not None and place[1] in begun:
            return True
        if current.get(int(key)) in begun:
            return True
    return False


@transaction.atomic
def discard_suggestion(suggestion: Suggestion, *, actor: User) -> None:
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.state in (SuggestionState.APPLIED, SuggestionState.DISCARDED):
        return
    suggestion.state = SuggestionState.DISCARDED
    suggestion.save(update_fields=["state"])
    record_audit(
        "grid.suggestion_discarded", actor=actor, obj=suggestion, event_id=suggestion.event_id
    )
