"""Reads of the grid: a day as rows and cells, the backlog, the warnings of every cell, the
figures (missed wishes, overflow) and the planner's input built from the database."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from unkonf.events.enums import EventMode
from unkonf.events.models import Day, Event
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import Interest, Proposal, ProposalHost
from unkonf.scheduling.enums import SlotKind, SuggestionScope
from unkonf.scheduling.models import Schedule, ScheduleEntry, Star, TimeSlot, Unavailability
from unkonf.scheduling.planner.problem import Problem
from unkonf.scheduling.planner.problem import Room as PRoom
from unkonf.scheduling.planner.problem import Session as PSession
from unkonf.scheduling.planner.problem import Slot as PSlot
from unkonf.venues.models import Room

PLACEABLE_STATES = (ProposalState.SUBMITTED, ProposalState.PITCHED)
GRID_STATES = (*PLACEABLE_STATES, ProposalState.SCHEDULED)


def find_schedule(event: Event) -> Schedule | None:
    """The barcamp's grid row, if the grid was ever touched (reading never creates it)."""
    return Schedule.objects.filter(event=event).first()


def get_schedule(event: Event) -> Schedule:
    """The barcamp's grid row, or an unsaved one at version 0 (the services create it)."""
    return find_schedule(event) or Schedule(event=event)


def _proposals_with_hosts(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    hosts = ProposalHost.objects.filter(confirmed_at__isnull=False).select_related("user")
    return qs.prefetch_related(Prefetch("hosts", queryset=hosts, to_attr="confirmed_hosts"))


def list_entries(event: Event) -> list[ScheduleEntry]:
    """Every entry of the barcamp with its room, slot and proposal (hosts prefetched)."""
    entries = list(
        ScheduleEntry.objects.filter(event=event).select_related("room", "slot", "slot__day")
    )
    proposals = {
        p.pk: p
        for p in _proposals_with_hosts(
            Proposal.objects.filter(pk__in=[e.proposal_id for e in entries])
        )
    }
    for entry in entries:
        entry.proposal = proposals[entry.proposal_id]
    return entries


def list_backlog(event: Event) -> list[Proposal]:
    """Proposals that may go into the grid and are not in it: most interest first."""
    qs = Proposal.objects.filter(event=event, state__in=PLACEABLE_STATES, entry__isnull=True)
    return list(_proposals_with_hosts(qs).order_by("-interest_count", "title", "pk"))


def next_slots(slots: Iterable[TimeSlot]) -> dict[int, TimeSlot | None]:
    """Per slot the next one of the same day (what a two-slot session also takes)."""
    by_day: dict[int, list[TimeSlot]] = defaultdict(list)
    for slot in sorted(slots, key=lambda s: s.start):
        by_day[slot.day_id].append(slot)
    result: dict[int, TimeSlot | None] = {}
    for day_slots in by_day.values():
        for i, slot in enumerate(day_slots):
            result[slot.pk] = day_slots[i + 1] if i + 1 < len(day_slots) else None
    return result


def covered_slots(entry: ScheduleEntry, following: dict[int, TimeSlot | None]) -> list[int]:
    after = following.get(entry.slot_id)
    if entry.length == 2 and after is not None:
        return [entry.slot_id, after.pk]
    return [entry.slot_id]


def entry_end(entry: ScheduleEntry, following: dict[int, TimeSlot | None]) -> datetime.datetime:
    after = following.get(entry.slot_id)
    if entry.length == 2 and after is not None:
        return after.end
    return entry.slot.end


# --- warnings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Warning:
    code: str
    text: str


def grid_warnings(
    event: Event, entries: list[ScheduleEntry], slots: list[TimeSlot]
) -> dict[int, list[Warning]]:
    """Per proposal in the grid what a moderator should look at (nothing is refused)."""
    following = next_slots(slots)
    slot_of = {s.pk: s for s in slots}
    host_cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for entry in entries:
        for host in entry.proposal.confirmed_hosts:  # type: ignore[attr-defined]
            for slot in covered_slots(entry, following):
                host_cells[(host.user_id, slot)].append(entry.proposal_id)
    away = set(Unavailability.objects.filter(event=event).values_list("user_id", "slot_id"))
    warnings: dict[int, list[Warning]] = {}
    for entry in entries:
        proposal, room = entry.proposal, entry.room
        found: list[Warning] = []
        cells = covered_slots(entry, following)
        for host in proposal.confirmed_hosts:  # type: ignore[attr-defined]
            clashes = {
                pid
                for slot in cells
                for pid in host_cells[(host.user_id, slot)]
                if pid != proposal.pk
            }
            if clashes:
                found.append(
                    Warning(
                        "host_clash",
                        _("%(name)s hosts another session at the same time.")
                        % {"name": host.user.display_name},
                    )
                )
            if any((host.user_id, slot) in away for slot in cells):
                found.append(
                    Warning(
                        "host_away",
                        _("%(name)s cannot host at this time.") % {"name": host.user.display_name},
                    )
                )
        if proposal.interest_count > room.capacity:
            found.append(
                Warning(
                    "capacity",
                    _("%(count)d interested, but the room holds %(capacity)d.")
                    % {"count": proposal.interest_count, "capacity": room.capacity},
                )
            )
        missing = [tag for tag in proposal.needs if tag not in room.equipment]
        if missing:
            labels = dict(zip(proposal.needs, proposal.needs_labels(), strict=False))
            found.append(
                Warning(
                    "equipment",
                    _("The room lacks: %(needs)s.")
                    % {"needs": ", ".join(str(labels.get(t, t)) for t in missing)},
                )
            )
        if proposal.mode in (EventMode.ONLINE, EventMode.HYBRID) and not room.video_url:
            found.append(
                Warning(
                    "video",
                    _("An %(mode)s session, but the room has no video link.")
                    % {"mode": proposal.get_mode_display().lower()},
                )
            )
        if any(slot_of[s].is_blocked for s in cells if s in slot_of):
            found.append(Warning("blocked", _("This slot is blocked.")))
        if entry.length == 2 and len(cells) < 2:
            found.append(Warning("length", _("A two-slot session, but no slot follows.")))
        if found:
            warnings[proposal.pk] = found
    return warnings


# --- a day as rows and cells --------------------------------------------------------------------


@dataclass
class Cell:
    room: Room
    slot: TimeSlot
    entry: ScheduleEntry | None = None
    #: the second slot of a two-slot session (the cell above spans it)
    covered: bool = False
    rowspan: int = 1
    warnings: list[Warning] = field(default_factory=list)


@dataclass
class Row:
    slot: TimeSlot
    cells: list[Cell]

    @property
    def is_session_slot(self) -> bool:
        return self.slot.kind == SlotKind.SESSION


@dataclass
class DayGrid:
    day: Day
    rooms: list[Room]
    rows: list[Row]
    entries: list[ScheduleEntry]


def get_day_grid(
    event: Event,
    day: Day,
    *,
    entries: list[ScheduleEntry] | None = None,
    warnings: dict[int, list[Warning]] | None = None,
) -> DayGrid:
    rooms = list(Room.objects.filter(event=event).order_by("position", "pk"))
    slots = list(TimeSlot.objects.filter(day=day).select_related("event").order_by("start"))
    following = next_slots(slots)
    all_entries = list_entries(event) if entries is None else entries
    day_ids = {s.pk for s in slots}
    day_entries = [e for e in all_entries if e.slot_id in day_ids]
    at: dict[tuple[int, int], ScheduleEntry] = {}
    covered: set[tuple[int, int]] = set()
    for entry in day_entries:
        at[(entry.room_id, entry.slot_id)] = entry
        for slot_id in covered_slots(entry, following)[1:]:
            covered.add((entry.room_id, slot_id))
    rows = []
    for slot in slots:
        cells = []
        for room in rooms:
            here = at.get((room.pk, slot.pk))
            cells.append(
                Cell(
                    room=room,
                    slot=slot,
                    entry=here,
                    covered=(room.pk, slot.pk) in covered,
                    rowspan=len(covered_slots(here, following)) if here else 1,
                    warnings=(warnings or {}).get(here.proposal_id, []) if here else [],
                )
            )
        rows.append(Row(slot=slot, cells=cells))
    return DayGrid(day=day, rooms=rooms, rows=rows, entries=day_entries)


# --- figures and the planner's input ------------------------------------------------------------


@dataclass
class PlanningInput:
    """What the planner sees, and how its indices map back to the database."""

    problem: Problem
    proposals: list[int]  # session index -> proposal id
    rooms: list[int]  # room index -> room id
    slots: list[int]  # slot index -> slot id
    movable: set[int]  # session indices the planner may place
    #: proposals the planner could not take: no room meets their needs, or no cell is left
    left_out: dict[int, str]
    current: dict[int, tuple[int, int]]  # proposal id -> (room id, slot id), in scope


def _wishes(event: Event) -> dict[int, set[int]]:
    """Per person the proposals they wish for: interest shown at the pitch, and stars."""
    wished: dict[int, set[int]] = defaultdict(set)
    for uid, pid in Interest.objects.filter(event=event).values_list("user_id", "proposal_id"):
        wished[uid].add(pid)
    for uid, pid in Star.objects.filter(event=event).values_list("user_id", "proposal_id"):
        wished[uid].add(pid)
    return wished


def planning_input(
    event: Event,
    *,
    scope: str,
    day: Day | None,
    now: datetime.datetime | None = None,
    exclude: set[int] | frozenset[int] = frozenset(),
) -> PlanningInput:
    """The planning problem of a scope (see `SuggestionScope`).

    Slots that have begun are not planned: what is in them stays, and a two-slot session that
    began keeps its second cell. Pinned entries stay where they are; for "remaining" so does
    every entry; for "rest of the day" the entries of the day that have not begun may move.
    Proposals placed on other days are not touched; `exclude`d ones are left out (if they
    are in the grid, the suggestion takes them out).
    """
    now = now or timezone.now()
    slot_qs = TimeSlot.objects.filter(event=event, kind=SlotKind.SESSION).order_by("start")
    if day is not None:
        slot_qs = slot_qs.filter(day=day)
    all_slots = list(TimeSlot.objects.filter(event=event).order_by("start"))
    following = next_slots(all_slots)
    slots = [s for s in slot_qs if s.start > now]
    slot_index = {s.pk: i for i, s in enumerate(slots)}
    rooms = list(Room.objects.filter(event=event).order_by("position", "pk"))
    room_index = {r.pk: i for i, r in enumerate(rooms)}
    day_of_slot = {s.pk: s.day_id for s in all_slots}
    day_numbers = {d: i for i, d in enumerate(sorted({s.day_id for s in slots}))}
    entries = {e.proposal_id: e for e in ScheduleEntry.objects.filter(event=event)}
    proposals = list(
        _proposals_with_hosts(Proposal.objects.filter(event=event, state__in=GRID_STATES))
    )
    blocked: set[tuple[int, int]] = {
        (r, slot_index[s.pk]) for s in slots if s.is_blocked for r in range(len(rooms))
    }
    away_of: dict[int, set[int]] = defaultdict(set)
    for uid, sid in Unavailability.objects.filter(event=event).values_list("user_id", "slot_id"):
        if sid in slot_index:
            away_of[uid].add(slot_index[sid])
    fixed: list[tuple[Proposal, int, int]] = []  # proposal, room index, slot index
    movable: list[Proposal] = []
    current: dict[int, tuple[int, int]] = {}
    for proposal in proposals:
        entry = entries.get(proposal.pk)
        if entry is None:
            movable.append(proposal)
            continue
        cells = covered_slots(entry, following)
        in_scope = [s for s in cells if s in slot_index]
        if day is not None and day_of_slot.get(entry.slot_id) != day.pk:
            continue  # another day: not touched
        if entry.slot_id not in slot_index:
            # it has begun (or its slot is not a session slot): it stays, its cells stay taken,
            # and its hosts are busy there
            for s in in_scope:
                blocked.add((room_index[entry.room_id], slot_index[s]))
                for host in proposal.confirmed_hosts:  # type: ignore[attr-defined]
                    away_of[host.user_id].add(slot_index[s])
            continue
        current[proposal.pk] = (entry.room_id, entry.slot_id)
        keep = entry.pinned or scope == SuggestionScope.REMAINING
        if keep:
            fixed.append((proposal, room_index[entry.room_id], slot_index[entry.slot_id]))
            for s in in_scope:
                blocked.discard((room_index[entry.room_id], slot_index[s]))
        else:
            movable.append(proposal)

    people: dict[int, int] = {}

    def person(uid: int) -> int:
        return people.setdefault(uid, len(people))

    wished = _wishes(event)
    for uid in sorted(wished):
        person(uid)

    def host_of(proposal: Proposal) -> int:
        hosts = proposal.confirmed_hosts  # type: ignore[attr-defined]
        if not hosts:
            return person(-proposal.pk)  # a spontaneous session: its host has no account
        return person(hosts[0].user_id)

    def fitting_rooms(proposal: Proposal) -> frozenset[int] | None:
        allowed = {
            i
            for i, room in enumerate(rooms)
            if all(tag in room.equipment for tag in proposal.needs)
            and (proposal.mode == EventMode.ON_SITE or room.video_url)
        }
        return None if len(allowed) == len(rooms) else frozenset(allowed)

    sessions: list[PSession] = []
    order: list[int] = []
    host_busy: set[tuple[int, int]] = set()
    unavailable: dict[int, set[int]] = defaultdict(set)
    for proposal, r, t in fixed:
        host = host_of(proposal)
        entry = entries[proposal.pk]
        length = entry.length
        occupied = [slot_index[s] for s in covered_slots(entry, following) if s in slot_index]
        if any((host, u) in host_busy for u in occupied):
            host = person(-proposal.pk)  # a clash the moderator made: not the planner's to fix
        host_busy.update((host, u) for u in occupied)
        sessions.append(PSession(host=host, length=length, pin_room=r, pin_slot=t, fixed=True))
        order.append(proposal.pk)
    left_out: dict[int, str] = {}
    free_cells = len(rooms) * len(slots) - len(blocked) - sum(s.length for s in sessions)
    movable.sort(key=lambda p: (-p.interest_count, p.pk))
    for proposal in movable:
        if proposal.pk in exclude:
            continue
        allowed = fitting_rooms(proposal)
        if allowed is not None and not allowed:
            left_out[proposal.pk] = _("No room has what it needs.")
            continue
        if proposal.slots > free_cells:
            left_out[proposal.pk] = _("No free cell is left.")
            continue
        free_cells -= proposal.slots
        sessions.append(PSession(host=host_of(proposal), length=proposal.slots, rooms=allowed))
        order.append(proposal.pk)
    for uid, away in away_of.items():
        if uid in people:
            host = people[uid]
            unavailable[host] |= {u for u in away if (host, u) not in host_busy}
    index_of = {pid: i for i, pid in enumerate(order)}
    wishes: list[tuple[int, ...]] = [() for _ in range(len(people))]
    for uid, pids in wished.items():
        wishes[people[uid]] = tuple(sorted(index_of[p] for p in pids if p in index_of))
    problem = Problem(
        sessions=tuple(sessions),
        rooms=tuple(PRoom(capacity=r.capacity) for r in rooms),
        slots=tuple(
            PSlot(day=day_numbers[s.day_id], index=_index_in_day(s, all_slots)) for s in slots
        ),
        wishes=tuple(wishes),
        host_unavailable={h: frozenset(u) for h, u in unavailable.items() if u},
        blocked=frozenset(blocked),
    )
    return PlanningInput(
        problem=problem,
        proposals=order,
        rooms=[r.pk for r in rooms],
        slots=[s.pk for s in slots],
        movable={i for i, s in enumerate(sessions) if not s.fixed},
        left_out=left_out,
        current=current,
    )


def _overridden(
    event: Event,
    entries: list[ScheduleEntry],
    override: dict[int, tuple[int, int] | None],
) -> list[ScheduleEntry]:
    """Unsaved entries as the grid would be with `override` applied."""
    rooms = {r.pk: r for r in Room.objects.filter(event=event)}
    lengths = dict(Proposal.objects.filter(pk__in=list(override)).values_list("pk", "slots"))
    kept = [e for e in entries if e.proposal_id not in override]
    for pid, place in override.items():
        if place is not None:
            entry = ScheduleEntry(
                event=event,
                proposal_id=pid,
                room_id=place[0],
                slot_id=place[1],
                length=lengths.get(pid, 1),
            )
            entry.room = rooms[place[0]]
            kept.append(entry)
    return kept


def _index_in_day(slot: TimeSlot, all_slots: list[TimeSlot]) -> int:
    """The slot's position among all slots of its day, breaks included: a two-slot session
    takes a slot and the one at the next position, so it never spans a break."""
    day_slots = [s.pk for s in all_slots if s.day_id == slot.day_id]
    return day_slots.index(slot.pk)


@dataclass(frozen=True)
class Figures:
    missed: int
    overflow: int
    total_wishes: int
    missed_lower_bound: int
    placed: int
    backlog: int

    @property
    def cost(self) -> int:
        return self.missed + self.overflow


def grid_figures(
    event: Event, *, override: dict[int, tuple[int, int] | None] | None = None
) -> Figures:
    """Missed wishes and overflow of the grid as it is (the planner's measures: a person
    interested in — or hosting — several sessions of one slot misses all but one; a session's
    audience, its interested people and a host, beyond its room's capacity is overflow), and
    the missed wishes no grid could avoid (a person can attend at most one session per slot).
    `override` (proposal id -> (room id, slot id) or None) gives the figures of a grid with
    those changes, e.g. a suggestion's.
    """
    entries = list(ScheduleEntry.objects.filter(event=event).select_related("room"))
    all_slots = list(TimeSlot.objects.filter(event=event).order_by("start"))
    if override:
        entries = _overridden(event, entries, override)
    following = next_slots(all_slots)
    runs = {e.proposal_id: covered_slots(e, following) for e in entries}
    wished = _wishes(event)
    interested = {uid: set(pids) for uid, pids in wished.items()}
    for pid, uid in ProposalHost.objects.filter(
        proposal__event=event, confirmed_at__isnull=False
    ).values_list("proposal_id", "user_id"):
        interested.setdefault(uid, set()).add(pid)
    missed = 0
    demand: dict[int, int] = defaultdict(lambda: 1)
    for pids in interested.values():
        per_slot: dict[int, int] = defaultdict(int)
        for pid in pids:
            for slot in runs.get(pid, ()):
                per_slot[slot] += 1
        missed += sum(c - 1 for c in per_slot.values() if c > 1)
    for pids in wished.values():
        for pid in pids:
            demand[pid] += 1
    overflow = sum(max(0, demand[e.proposal_id] - e.room.capacity) for e in entries)
    session_slots = sum(1 for s in all_slots if s.kind == SlotKind.SESSION and not s.is_blocked)
    in_grid_or_backlog = set(
        Proposal.objects.filter(event=event, state__in=GRID_STATES).values_list("pk", flat=True)
    )
    lower = sum(
        max(0, len(pids & in_grid_or_backlog) - session_slots) for pids in interested.values()
    )
    total = sum(len(p & in_grid_or_backlog) for p in wished.values())
    backlog = Proposal.objects.filter(
        event=event, state__in=PLACEABLE_STATES, entry__isnull=True
    ).count()
    return Figures(
        missed=missed,
        overflow=overflow,
        total_wishes=total,
        missed_lower_bound=lower,
        placed=len(entries),
        backlog=backlog,
    )
