"""Every change of the grid: place, move, swap, unplace, pin, undo, publish.

All of them go through `_change`: it locks the barcamp's `Schedule` row (so two moderators'
changes never interleave), checks the versions the editor saw (a change made meanwhile by
someone else refuses the later one instead of overwriting it), keeps one session per cell,
writes the entries, one `GridChange` (what undo reverts), the audit entry, and the messages:
`grid.changed` to the moderators, and once the plan is published `plan.changed` to everyone
and a notice to each person who starred or wanted a session that moved.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from unkonf.accounts.models import User
from unkonf.core.services import record_audit
from unkonf.events.models import Event
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import Interest, Proposal
from unkonf.realtime import groups, streams
from unkonf.realtime.messages import GridChanged, PlanChanged, SessionMoved
from unkonf.scheduling.enums import SlotKind
from unkonf.scheduling.exceptions import CellTaken, GridConflict, SchedulingError
from unkonf.scheduling.models import GridChange, Schedule, ScheduleEntry, Star, TimeSlot
from unkonf.scheduling.selectors.grid import GRID_STATES, next_slots
from unkonf.venues.models import Room


@dataclass(frozen=True)
class Place:
    room: int
    slot: int
    pinned: bool = False

    def as_json(self) -> list[int | bool]:
        return [self.room, self.slot, self.pinned]

    @classmethod
    def from_json(cls, value: list[int | bool] | None) -> Place | None:
        if value is None:
            return None
        return cls(room=int(value[0]), slot=int(value[1]), pinned=bool(value[2]))


#: what a change asks for: per proposal id its new place, or None to take it out of the grid
Target = Mapping[int, Place | None]


def lock_schedule(event: Event) -> Schedule:
    """The barcamp's grid row, locked until the end of the transaction."""
    Schedule.objects.get_or_create(event=event)
    return Schedule.objects.select_for_update().get(event=event)


class _Grid:
    """The grid as it is under the lock: entries, the cells they cover, the slots' order."""

    def __init__(self, event: Event) -> None:
        self.event = event
        self.entries = {
            e.proposal_id: e
            for e in ScheduleEntry.objects.filter(event=event).select_related("room", "slot")
        }
        self.slots = {s.pk: s for s in TimeSlot.objects.filter(event=event).order_by("start")}
        self.rooms = {r.pk: r for r in Room.objects.filter(event=event)}
        self.following = next_slots(self.slots.values())

    def cells(self, slot: int, length: int) -> list[int] | None:
        """The slots a session of `length` starting at `slot` covers; None if it doesn't fit."""
        if length == 1:
            return [slot]
        after = self.following.get(slot)
        if after is None or after.kind != SlotKind.SESSION:
            return None
        return [slot, after.pk]

    def occupancy(self, leave_out: set[int]) -> dict[tuple[int, int], int]:
        taken: dict[tuple[int, int], int] = {}
        for pid, entry in self.entries.items():
            if pid in leave_out:
                continue
            for slot in self.cells(entry.slot_id, entry.length) or [entry.slot_id]:
                taken[(entry.room_id, slot)] = pid
        return taken

    def place_of(self, pid: int) -> Place | None:
        entry = self.entries.get(pid)
        if entry is None:
            return None
        return Place(room=entry.room_id, slot=entry.slot_id, pinned=entry.pinned)


def _describe(slot: TimeSlot, room: Room, zone: datetime.tzinfo) -> str:
    local = slot.start.astimezone(zone)
    return _("%(room)s, %(day)s %(time)s") % {
        "room": room.name,
        "day": date_format(local, "D j.n."),
        "time": local.strftime("%H:%M"),
    }


def _check_versions(
    grid: _Grid, expected: Mapping[int, int] | None, titles: dict[int, str]
) -> None:
    """Refuse when an entry changed since the editor saw it (0 = it saw it outside the grid)."""
    for pid, seen in (expected or {}).items():
        entry = grid.entries.get(pid)
        current = entry.version if entry is not None else 0
        if current != seen:
            raise GridConflict(
                _(
                    "“%(title)s” has been changed by someone else in the meantime. "
                    "The grid now shows the current state; nothing has been changed."
                )
                % {"title": titles.get(pid, "?")}
            )


def _change(
    event: Event,
    target: Target,
    *,
    actor: User,
    action: str,
    expected: Mapping[int, int] | None = None,
    undoes: GridChange | None = None,
    grid: _Grid | None = None,
) -> GridChange:
    """Apply `target` as one step. Takes the lock (again: a caller that read `grid` under
    it passes it, so the grid is read once)."""
    schedule = lock_schedule(event)
    grid = grid or _Grid(event)
    proposals = {
        p.pk: p
        for p in Proposal.objects.filter(event=event, pk__in=list(target)).only(
            "pk", "title", "state", "slots", "event_id"
        )
    }
    titles = {pid: p.title for pid, p in proposals.items()}
    _check_versions(grid, expected, titles)
    for pid, place in target.items():
        proposal = proposals.get(pid)
        if proposal is None:
            raise SchedulingError(_("This session does not belong to this barcamp."))
        if place is not None and proposal.state not in GRID_STATES:
            raise SchedulingError(
                _("“%(title)s” cannot be put into the grid: it is %(state)s.")
                % {"title": proposal.title, "state": proposal.get_state_display().lower()}
            )
    taken = grid.occupancy(leave_out=set(target))
    new_cells: dict[int, list[int]] = {}
    for pid, place in target.items():
        if place is None:
            continue
        proposal = proposals[pid]
        room, slot = grid.rooms.get(place.room), grid.slots.get(place.slot)
        if room is None or slot is None:
            raise SchedulingError(_("This room or slot does not belong to this barcamp."))
        if slot.kind != SlotKind.SESSION:
            raise SchedulingError(
                _("%(slot)s is not a session slot (%(kind)s).")
                % {"slot": str(slot), "kind": slot.get_kind_display()}
            )
        current = grid.place_of(pid)
        same_cell = current is not None and (current.room, current.slot) == (room.pk, slot.pk)
        # an entry keeps its length where it is (pinning); a move takes the proposal's length
        length = grid.entries[pid].length if same_cell else proposal.slots
        cells = grid.cells(slot.pk, length)
        if cells is None:
            raise SchedulingError(
                _(
                    "“%(title)s” takes two slots, and the slot after %(slot)s is not a "
                    "session slot on the same day."
                )
                % {"title": proposal.title, "slot": str(slot)}
            )
        for cell_slot in cells:
            occupant = taken.get((room.pk, cell_slot))
            if occupant is not None:
                other = (
                    titles.get(occupant)
                    or Proposal.objects.filter(pk=occupant).values_list("title", flat=True).first()
                )
                raise CellTaken(
                    _("%(place)s is already taken by “%(other)s”. Nothing has been changed.")
                    % {"place": _describe(grid.slots[cell_slot], room, event.zone), "other": other}
                )
            taken[(room.pk, cell_slot)] = pid
        new_cells[pid] = cells

    before = {str(pid): _json(grid.place_of(pid)) for pid in target}
    after = {str(pid): _json(place) for pid, place in target.items()}
    changed = [pid for pid in target if grid.place_of(pid) != target[pid]]
    if not changed:
        raise SchedulingError(_("Nothing to change: the grid is already like this."))

    now = timezone.now()
    moved: list[tuple[ScheduleEntry, Place]] = []
    old_entries = {pid: grid.entries[pid] for pid in changed if pid in grid.entries}
    ScheduleEntry.objects.filter(pk__in=[e.pk for e in old_entries.values()]).delete()
    created: list[ScheduleEntry] = []
    for pid in changed:
        place = target[pid]
        old = old_entries.get(pid)
        if place is None:
            continue
        entry = ScheduleEntry(
            event=event,
            proposal_id=pid,
            room_id=place.room,
            slot_id=place.slot,
            length=len(new_cells[pid]),
            pinned=place.pinned,
            version=(old.version + 1) if old is not None else 1,
        )
        if old is not None:
            entry.moved_at, entry.previous_room = old.moved_at, old.previous_room
            entry.previous_start = old.previous_start
            if schedule.is_published and (old.room_id, old.slot_id) != (place.room, place.slot):
                entry.moved_at, entry.previous_room = now, old.room.name
                entry.previous_start = old.slot.start
                moved.append((entry, place))
        created.append(entry)
    ScheduleEntry.objects.bulk_create(created)
    placed_ids = [pid for pid in changed if target[pid] is not None]
    removed_ids = [pid for pid in changed if target[pid] is None]
    Proposal.objects.filter(pk__in=placed_ids).update(state=ProposalState.SCHEDULED)
    Proposal.objects.filter(pk__in=removed_ids, state=ProposalState.SCHEDULED).update(
        state=ProposalState.PITCHED
    )

    schedule.version += 1
    schedule.save(update_fields=["version"])
    change = GridChange.objects.create(
        event=event,
        actor=actor,
        action=action,
        before={k: v for k, v in before.items() if int(k) in changed},
        after={k: v for k, v in after.items() if int(k) in changed},
        undoes=undoes,
        version=schedule.version,
    )
    record_audit(
        f"grid.{action}",
        actor=actor,
        obj=change,
        event_id=event.pk,
        data={"before": change.before, "after": change.after},
    )
    streams.append(
        groups.grid_stream(event.pk),
        GridChanged(
            version=schedule.version,
            action=action,
            proposals=sorted(changed),
            actor=actor.display_name,
            actor_id=actor.pk,
        ),
    )
    if schedule.is_published:
        streams.append(
            groups.event_stream(event.pk),
            PlanChanged(
                version=schedule.version,
                proposals=sorted(changed),
                moved=sorted(e.proposal_id for e, _p in moved),
            ),
        )
        _notify_moved(event, [e for e, _p in moved], grid, titles)
    return change


def _json(place: Place | None) -> list[int | bool] | None:
    return None if place is None else place.as_json()


def _notify_moved(
    event: Event, moved: list[ScheduleEntry], grid: _Grid, titles: dict[int, str]
) -> None:
    """A notice on the stream of each person who starred or wanted a session that moved."""
    if not moved:
        return
    ids = [e.proposal_id for e in moved]
    people: dict[int, set[int]] = {}
    for pid, uid in Star.objects.filter(proposal_id__in=ids).values_list("proposal_id", "user_id"):
        people.setdefault(uid, set()).add(pid)
    for pid, uid in Interest.objects.filter(proposal_id__in=ids).values_list(
        "proposal_id", "user_id"
    ):
        people.setdefault(uid, set()).add(pid)
    languages = dict(User.objects.filter(pk__in=list(people)).values_list("pk", "language"))
    by_id = {e.proposal_id: e for e in moved}
    for uid, pids in sorted(people.items()):
        with translation.override(languages.get(uid) or "de"):
            for pid in sorted(pids):
                entry = by_id[pid]
                slot, room = grid.slots[entry.slot_id], grid.rooms[entry.room_id]
                text = _("“%(title)s” has moved: now %(place)s.") % {
                    "title": titles.get(pid, ""),
                    "place": _describe(slot, room, event.zone),
                }
                streams.append(
                    groups.user_stream(uid),
                    SessionMoved(
                        id=pid,
                        title=titles.get(pid, ""),
                        text=text,
                        url=reverse("proposals:proposal-detail", args=[event.slug, pid]),
                    ),
                )


# --- the verbs ------------------------------------------------------------------------------------


@transaction.atomic
def place_entry(
    proposal: Proposal,
    *,
    room: Room,
    slot: TimeSlot,
    actor: User,
    expected_version: int,
    swap: bool = False,
) -> GridChange:
    """Put a proposal into a cell (from the backlog or from another cell).

    An occupied cell refuses, unless `swap`: then the occupant takes the proposal's old cell
    (or goes back to the backlog when the proposal came from there). `expected_version` is the
    entry's version the editor saw (0: it saw the proposal in the backlog).
    """
    event = proposal.event
    lock_schedule(event)
    grid = _Grid(event)
    current = grid.place_of(proposal.pk)
    pinned = current.pinned if current is not None else False
    target: dict[int, Place | None] = {proposal.pk: Place(room.pk, slot.pk, pinned)}
    expected = {proposal.pk: expected_version}
    if swap:
        length = proposal.slots if current is None else grid.entries[proposal.pk].length
        cells = grid.cells(slot.pk, length) or [slot.pk]
        taken = grid.occupancy(leave_out={proposal.pk})
        occupants = {taken[(room.pk, s)] for s in cells if (room.pk, s) in taken}
        if len(occupants) > 1:
            raise SchedulingError(_("Only one session can be swapped at a time."))
        for other in occupants:
            other_place = grid.place_of(other)
            assert other_place is not None
            target[other] = (
                None if current is None else Place(current.room, current.slot, other_place.pinned)
            )
            expected[other] = grid.entries[other].version
        action = "swap" if occupants else ("move" if current else "place")
    else:
        action = "move" if current is not None else "place"
    return _change(event, target, actor=actor, action=action, expected=expected, grid=grid)


@transaction.atomic
def unplace_entry(proposal: Proposal, *, actor: User, expected_version: int) -> GridChange:
    """Take a proposal out of the grid, back into the backlog."""
    return _change(
        proposal.event,
        {proposal.pk: None},
        actor=actor,
        action="unplace",
        expected={proposal.pk: expected_version},
    )


@transaction.atomic
def set_pinned(
    proposal: Proposal, *, pinned: bool, actor: User, expected_version: int
) -> GridChange:
    """Pin a session to its cell (the planner leaves it there), or release it."""
    event = proposal.event
    lock_schedule(event)
    grid = _Grid(event)
    current = grid.place_of(proposal.pk)
    if current is None:
        raise SchedulingError(_("Only a session in the grid can be pinned."))
    return _change(
        event,
        {proposal.pk: Place(current.room, current.slot, pinned)},
        actor=actor,
        action="pin" if pinned else "unpin",
        expected={proposal.pk: expected_version},
        grid=grid,
    )


@transaction.atomic
def apply_places(
    event: Event,
    target: Target,
    *,
    actor: User,
    action: str,
    expected: Mapping[int, int] | None = None,
) -> GridChange:
    """Several changes as one undoable step (a suggestion of the planner)."""
    return _change(event, target, actor=actor, action=action, expected=expected)


def last_undoable(event: Event, actor: User) -> GridChange | None:
    """The actor's latest change that can still be undone (undos are not undone again)."""
    return (
        GridChange.objects.filter(event=event, actor=actor, undone_at__isnull=True)
        .exclude(action="undo")
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def undo_change(event: Event, *, actor: User) -> GridChange:
    """Revert the actor's latest change, if what it changed has not been changed since."""
    lock_schedule(event)
    change = last_undoable(event, actor)
    if change is None:
        raise SchedulingError(_("There is nothing of yours to undo."))
    grid = _Grid(event)
    for key, after in change.after.items():
        if _json(grid.place_of(int(key))) != after:
            raise GridConflict(
                _(
                    "This cannot be undone: a session it changed has been changed again since "
                    "(perhaps by someone else)."
                )
            )
    target = {int(k): Place.from_json(v) for k, v in change.before.items()}
    undo = _change(event, target, actor=actor, action="undo", undoes=change, grid=grid)
    change.undone_at = timezone.now()
    change.save(update_fields=["undone_at"])
    return undo


@transaction.atomic
def publish_schedule(event: Event, *, actor: User) -> Schedule:
    """The grid becomes the public plan; from now on every change is live for everyone."""
    schedule = lock_schedule(event)
    if schedule.is_published:
        raise SchedulingError(_("The plan is already published."))
    if not ScheduleEntry.objects.filter(event=event).exists():
        raise SchedulingError(_("The grid is empty: place at least one session first."))
    schedule.published_at = timezone.now()
    schedule.version += 1
    schedule.save(update_fields=["published_at", "version"])
    record_audit("grid.published", actor=actor, obj=schedule, event_id=event.pk)
    proposals = sorted(
        ScheduleEntry.objects.filter(event=event).values_list("proposal_id", flat=True)
    )
    streams.append(
        groups.grid_stream(event.pk),
        GridChanged(
            version=schedule.version,
            action="publish",
            proposals=[],
            actor=actor.display_name,
            actor_id=actor.pk,
        ),
    )
    streams.append(
        groups.event_stream(event.pk),
        PlanChanged(version=schedule.version, proposals=proposals, moved=[]),
    )
    return schedule


@transaction.atomic
def unpublish_schedule(event: Event, *, actor: User) -> Schedule:
    """Take the plan back (only the moderators see the grid again)."""
    schedule = lock_schedule(event)
    if not schedule.is_published:
        raise SchedulingError(_("The plan is not published."))
    schedule.published_at = None
    schedule.version += 1
    schedule.save(update_fields=["published_at", "version"])
    record_audit("grid.unpublished", actor=actor, obj=schedule, event_id=event.pk)
    streams.append(
        groups.grid_stream(event.pk),
        GridChanged(
            version=schedule.version,
            action="unpublish",
            proposals=[],
            actor=actor.display_name,
            actor_id=actor.pk,
        ),
    )
    streams.append(
        groups.event_stream(event.pk),
        PlanChanged(version=schedule.version, proposals=[], moved=[]),
    )
    return schedule
