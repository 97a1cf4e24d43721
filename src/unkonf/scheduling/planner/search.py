"""The local search: exact incremental deltas in NumPy, swap moves, rooms re-matched per slot.

State: every usable cell of the grid holds a session — a real one or a *dummy* (an empty cell:
no host, no audience) — so every move is a swap of two occupants, and moving a session to an
empty cell is a swap with a dummy. Sessions the search may not move (pinned to a cell, fixed,
kept by a re-plan, two-slot sessions) and blocked cells just sit in their cells.

Missed wishes, per person p and slot t: C[p, t] = sessions p is interested in that run in t.
For a session s (its interested people M_s) moving out of slot a and into b the change is
#{p in M_s : C[p, b] >= 1} - #{p in M_s : C[p, a] >= 2}. Two matrices over sessions × slots,
G1[s, t] = #{p in M_s : C[p, t] >= 1} and G2[s, t] = #{p in M_s : C[p, t] >= 2}, are kept up to
date after each move (only the people of the two moved sessions change, in two columns), so
the exact delta of swapping one chosen session with *every* other session at once is a few
vectorised operations over M_s (people interested in both need a correction, computed from
the same rows).

Overflow: a *free* session (movable, one slot, any room) sits in a slot whose free rooms are
always matched to its free sessions by demand (biggest audience into the biggest room), which
is optimal for the overflow of that slot. The overflow after a swap between two slots is the
re-matched overflow of both slots, computed for all candidates at once from prefix sums over
the sorted demands (remove one session, insert another). A room-restricted session takes an
allowed cell from a free occupant; its deltas come from the same prefix sums (one room and
one session fewer in one slot, one more of each in the other).

Moves are chosen by a heat bath: for one session (drawn at random, half the time weighted by
the wishes it collides with), one swap partner is drawn with probability ~ exp(-delta / T)
(Gumbel-max over the row, "stay" included), T cooling geometrically over a run; a run that
stalls restarts from the start grid. Groups move too: a few iterations rotate the sessions of
two or three whole slots, and every RELABEL_ALL_EVERY iterations every slot's group goes to
the slot its pins and unavailabilities ask for (an exact assignment over permutations).
Everything random comes from one seeded generator, so a run with a fixed number of
iterations is reproducible exactly. ADR 0011 explains the choices.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt

from unkonf.scheduling.planner.problem import Assignment, Problem
from unkonf.scheduling.planner.scoring import Score

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: start and end temperature of the annealing, in person-sessions
T_START = 2.0
T_END = 0.05
#: share of iterations that rotate the sessions of two or three whole slots
RELABEL_SHARE = 0.05
#: every this many iterations, every slot's group of sessions moves to the slot that suits
#: its pinned sessions and its sessions' unavailability best (`_State.best_labels`)
RELABEL_ALL_EVERY = 100
#: how strongly a session that never moves draws the group it fits best to its own slot
HELD_PULL = 3.0
#: iterations per movable session over which one run cools from T_START to T_END (it then
#: stays at T_END); a run that has not improved for half as long again ends, and the next
#: starts afresh from the start grid
RUN_PER_SESSION = 15
#: the time clock is read once per this many iterations
CLOCK_EVERY = 32


class _State:
    """The grid plus every count the deltas need, kept consistent move by move."""

    def __init__(self, problem: Problem, start: Assignment, hold: set[int]) -> None:
        self.problem = problem
        n_rooms, n_slots = len(problem.rooms), len(problem.slots)
        n_real = len(problem.sessions)
        self.n_real, self.n_rooms, self.n_slots = n_real, n_rooms, n_slots
        occ = np.full((n_rooms, n_slots), -2, dtype=np.int64)  # -2 empty, -1 blocked
        for r, t in problem.blocked:
            occ[r, t] = -1
        for i, (r, t) in enumerate(start):
            for u in problem.occupied_slots(i, t) or (t,):
                occ[r, u] = i
        empty = [(r, t) for t in range(n_slots) for r in range(n_rooms) if occ[r, t] == -2]
        n = n_real + len(empty)
        self.n = n
        self.room_of = np.zeros(n, dtype=np.int64)
        self.slot_of = np.zeros(n, dtype=np.int64)
        for i, (r, t) in enumerate(start):
            self.room_of[i], self.slot_of[i] = r, t
        for k, (r, t) in enumerate(empty):
            occ[r, t] = n_real + k
            self.room_of[n_real + k], self.slot_of[n_real + k] = r, t
        self.occ = occ

        caps = np.array([room.capacity for room in problem.rooms], dtype=np.int64)
        self.caps = caps
        demand = np.zeros(n, dtype=np.int64)
        demand[:n_real] = problem.demand()
        self.demand = demand
        self.fdemand = demand.astype(np.float64)
        self.index = np.arange(n)
        self.ov = np.maximum(0, demand[:, None] - caps[None, :]).astype(np.float64)

        hosts = sorted({s.host for s in problem.sessions})
        host_index = {h: k for k, h in enumerate(hosts)}
        self.host_of = np.full(n, len(hosts), dtype=np.int64)
        for i, s in enumerate(problem.sessions):
            self.host_of[i] = host_index[s.host]
        self.hostcnt = np.zeros((len(hosts) + 1, n_slots), dtype=np.int64)
        for i in range(n_real):
            for u in problem.occupied_slots(i, int(self.slot_of[i])) or ():
                self.hostcnt[self.host_of[i], u] += 1

        movable = np.zeros(n, dtype=np.bool_)
        movable[n_real:] = True
        free = np.zeros(n, dtype=np.bool_)
        free[n_real:] = True
        slot_ok = np.ones((n, n_slots), dtype=np.bool_)
        cell_ok = np.ones((n, n_rooms, n_slots), dtype=np.bool_)
        for i, s in enumerate(problem.sessions):
            if i in hold or s.length != 1 or s.fixed:
                continue
            movable[i] = True
            free[i] = s.rooms is None and s.pin_room is None
            away = problem.host_unavailable.get(s.host, frozenset())
            for t in range(n_slots):
                slot_ok[i, t] = t not in away and (s.pin_slot is None or s.pin_slot == t)
            if free[i]:
                cell_ok[i] = slot_ok[i][None, :]
            else:
                for t in range(n_slots):
                    for r in range(n_rooms):
                        cell_ok[i, r, t] = problem.cell_allowed(i, r, t)
        for r, t in problem.blocked:
            cell_ok[:, r, t] = False
        self.movable, self.free, self.slot_ok, self.cell_ok = movable, free, slot_ok, cell_ok
        # what the sessions that never move contribute to host and person counts
        self.fixed_hostcnt = self.hostcnt.copy()
        self.fixed_runs = np.zeros((n, n_slots), dtype=np.float32)
        for i in range(n_real):
            if not movable[i]:
                for u in problem.occupied_slots(i, int(self.slot_of[i])) or ():
                    self.fixed_runs[i, u] = 1.0
            else:
                self.fixed_hostcnt[self.host_of[i], self.slot_of[i]] -= 1

        # people: interest matrix W (people × occupants), counts C (people × slots)
        interested = problem.interested()
        n_people = len(interested)
        self.W = np.zeros((n_people, n), dtype=np.float32)
        for p, e in enumerate(interested):
            for s_ in e:
                self.W[p, s_] = 1.0
        self.members: list[IntArray] = [
            np.nonzero(self.W[:, i])[0].astype(np.int64) for i in range(n)
        ]
        # the same as lists: per person the occupants they are interested in (CSR)
        lengths = np.array([len(e) for e in interested], dtype=np.int64)
        self.ptr = np.zeros(n_people + 1, dtype=np.int64)
        self.ptr[1:] = np.cumsum(lengths)
        self.interest = np.array([s_ for e in interested for s_ in sorted(e)], dtype=np.int64)
        self.entry_person = np.repeat(np.arange(n_people), lengths)
        self.pairs: dict[int, tuple[IntArray, IntArray]] = {}
        self.target = np.full(n_slots, -1, dtype=np.int64)
        self.C = np.zeros((n_people, n_slots), dtype=np.int64)
        self.mark = np.zeros(n_people, dtype=np.bool_)
        for i in range(n_real):
            for u in problem.occupied_slots(i, int(self.slot_of[i])) or ():
                self.C[self.members[i], u] += 1
        self.missed = int(np.maximum(0, self.C - 1).sum())
        ge1 = (self.C >= 1).astype(np.float32)
        ge2 = (self.C >= 2).astype(np.float32)
        self.G1 = (self.W.T @ ge1).astype(np.float64)
        self.G2 = (self.W.T @ ge2).astype(np.float64)

        # per-slot matching of free sessions to free rooms
        width = n_rooms + 2
        self.D = np.full((n_slots, width), -1.0)
        self.Cap = np.zeros((n_slots, width))
        self.PA = np.zeros((n_slots, width))
        self.PB = np.zeros((n_slots, width))
        self.PBm = np.zeros((n_slots, width))
        self.nfree = np.zeros(n_slots, dtype=np.int64)
        self.pos = np.zeros(n, dtype=np.int64)
        self.ovfree = np.zeros(n_slots)
        self.ovs = self.ov[np.arange(n), self.room_of].copy()
        for t in range(n_slots):
            self.rematch(t)
        self.candidates = np.array(
            [i for i in range(n_real) if movable[i] and (not free[i] or int(slot_ok[i].sum()) > 1)],
            dtype=np.int64,
        )

    # --- bookkeeping ------------------------------------------------------------------------

    @property
    def overflow(self) -> int:
        return round(float(self.ovs[: self.n_real].sum()))

    @property
    def cost(self) -> int:
        return self.missed + self.overflow

    def rematch(self, t: int) -> None:
        """Give slot t's free sessions its free rooms by demand, and refresh its tables."""
        sessions = np.nonzero(self.free & (self.slot_of == t))[0]
        rooms = self.room_of[sessions]
        order_s = sessions[np.lexsort((sessions, -self.demand[sessions]))]
        order_r = rooms[np.lexsort((rooms, -self.caps[rooms]))]
        self.room_of[order_s] = order_r
        self.occ[order_r, t] = order_s
        self.ovs[order_s] = self.ov[order_s, order_r]
        k = len(order_s)
        self.nfree[t] = k
        self.pos[order_s] = np.arange(k)
        d = np.full(self.D.shape[1], -1.0)
        c = np.zeros(self.D.shape[1])
        d[:k] = self.demand[order_s]
        c[:k] = self.caps[order_r]
        self.D[t], self.Cap[t] = d, c
        a = np.zeros_like(d)
        a[:k] = np.maximum(0.0, d[:k] - c[:k])
        b = np.zeros_like(d)
        if k > 1:
            b[: k - 1] = np.maximum(0.0, d[: k - 1] - c[1:k])
        bm = np.zeros_like(d)
        if k > 1:
            bm[1:k] = np.maximum(0.0, d[1:k] - c[: k - 1])
        self.PA[t, 1:] = np.cumsum(a)[:-1]
        self.PB[t, 1:] = np.cumsum(b)[:-1]
        self.PBm[t, 1:] = np.cumsum(bm)[:-1]
        self.ovfree[t] = self.PA[t, k]

    def _replaced(
        self, t: IntArray | int, j: IntArray | int, x: FloatArray | float, k0: IntArray
    ) -> FloatArray:
        """Free overflow of slot(s) t after removing the j-th session and adding demand x
        (k0: how many of the slot's sessions have a demand above x)."""
        k = k0 - (j < k0)
        n = self.nfree[t]
        pa, pb, pbm = self.PA, self.PB, self.PBm
        new = np.maximum(0.0, x - self.Cap[t, k])
        down = pa[t, k] + new + pb[t, j] - pb[t, k] + pa[t, n] - pa[t, j + 1]
        up = pa[t, j] + pbm[t, k + 1] - pbm[t, j + 1] + new + pa[t, n] - pa[t, k + 1]
        result: FloatArray = np.where(k <= j, down, up)
        return result

    def replaced_everywhere(self, x: float) -> FloatArray:
        """Per occupant: its slot's free overflow with it replaced by demand x."""
        k0 = (x < self.D).sum(axis=1)[self.slot_of]
        return self._replaced(self.slot_of, self.pos, x, k0)

    def replaced_in(self, t: int, j: int, x: FloatArray) -> FloatArray:
        """Slot t's free overflow with its j-th session replaced by each demand in x."""
        k = int(self.nfree[t])
        k0 = np.searchsorted(-self.D[t, :k], -x, side="left").astype(np.int64)
        return self._replaced(t, j, x, k0)

    def expand(self, people: IntArray) -> tuple[IntArray, IntArray]:
        """(person, occupant) for every interest of the given people."""
        starts, ends = self.ptr[people], self.ptr[people + 1]
        counts = ends - starts
        total = int(counts.sum())
        rows = np.repeat(np.arange(len(people)), counts)
        offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        return people[rows], self.interest[starts[rows] + offsets]

    def pairs_of(self, i: int) -> tuple[IntArray, IntArray]:
        found = self.pairs.get(i)
        if found is None:
            found = self.expand(self.members[i])
            self.pairs[i] = found
        return found

    # --- moves ------------------------------------------------------------------------------

    def deltas(self, s1: int) -> FloatArray:
        """Exact cost change of swapping s1 with every occupant (inf where not allowed)."""
        a = int(self.slot_of[s1])
        r1 = int(self.room_of[s1])
        slot_of = self.slot_of
        m1 = self.members[s1]
        cm = self.C[m1]
        x1 = (cm >= 1).sum(axis=0)
        term2 = int((cm[:, a] >= 2).sum())
        # people interested in s1 and in s2 do not change their counts at all
        pp, ss = self.pairs_of(s1)
        both = (self.C[pp, a] == 1).astype(np.float64) + (self.C[pp, slot_of[ss]] == 1)
        corr = np.bincount(ss, weights=both, minlength=self.n)
        idx = self.index
        dm = x1[slot_of] - term2 + self.G1[:, a] - self.G2[idx, slot_of] - corr
        other_slot = slot_of != a
        dm = np.where(other_slot, dm, 0.0)

        h1 = self.host_of[s1]
        same_host = self.host_of == h1
        ok = self.movable.copy()
        ok[s1] = False
        ok &= self.slot_ok[s1, slot_of] & self.slot_ok[:, a]
        host_in = self.hostcnt[h1, slot_of] - same_host
        host_back = self.hostcnt[self.host_of, a] - same_host
        host_back[self.host_of == len(self.hostcnt) - 1] = 0
        ok &= ~other_slot | ((host_in == 0) & (host_back == 0))
        if self.free[s1]:
            ok &= self.free & other_slot
            new_b = self.replaced_everywhere(float(self.demand[s1]))
            new_a = self.replaced_in(a, int(self.pos[s1]), self.fdemand)
            do = new_b - self.ovfree[slot_of] + new_a - self.ovfree[a]
        else:
            # s1 takes an allowed cell of slot b from a free occupant x, which takes the room
            # of the partner y in b, and y goes to s1's cell (y = x: a plain swap)
            target = self.targets(s1)
            self.target = target
            ok &= self.free & (target[slot_of] >= 0)
            ok &= other_slot | (self.cell_ok[s1, self.room_of, a] & (self.index != s1))
            r_t = np.where(other_slot, target[slot_of], self.room_of)
            x = np.where(other_slot, self.occ[np.maximum(r_t, 0), slot_of], self.index)
            x = np.maximum(x, 0)
            # same slot: cell by cell (re-matching afterwards can only do better)
            same = self.ov[s1, self.room_of] + self.ov[:, r1] - self.ov[s1, r1] - self.ovs
            # other slots, exact with re-matching: slot b loses y and the room s1 takes (x's
            # place in b's sorted rooms), slot a gains y and s1's room
            new_b = self._without(slot_of, self.pos, self.pos[x])
            new_a = self._with(a, self.fdemand, float(self.caps[r1]))
            cross = (
                self.ov[s1, np.maximum(r_t, 0)]
                - self.ov[s1, r1]
                + new_b
                - self.ovfree[slot_of]
                + new_a
                - self.ovfree[a]
            )
            do = np.where(other_slot, cross, same)
        delta: FloatArray = np.where(ok, dm + do, np.inf)
        return delta

    def _without(self, t: IntArray, j: IntArray, q: IntArray) -> FloatArray:
        """Free overflow of slots t without their j-th session and their q-th room."""
        n = self.nfree[t]
        pa, pb, pbm = self.PA, self.PB, self.PBm
        lo = np.minimum(j, q)
        # j < q: sessions j+1..q move up one room; j > q: sessions q..j-1 move down one room
        up = pbm[t, q + 1] - pbm[t, j + 1]
        down = pb[t, j] - pb[t, q]
        middle = np.where(j < q, up, np.where(j > q, down, 0.0))
        hi = np.maximum(j, q)
        result: FloatArray = pa[t, lo] + middle + pa[t, n] - pa[t, hi + 1]
        return result

    def _with(self, t: int, x: FloatArray, c: float) -> FloatArray:
        """Free overflow of slot t with one more session (each demand in x) and one more
        room (capacity c)."""
        n = int(self.nfree[t])
        d, cap = self.D[t, :n], self.Cap[t, :n]
        pa, pb, pbm = self.PA[t], self.PB[t], self.PBm[t]
        k = np.searchsorted(-d, -x, side="left")  # sessions with more demand than x
        q = int(np.searchsorted(-cap, -c, side="left"))  # rooms bigger than c
        d_ext = np.append(self.D[t, : n + 1], 0.0)
        cap_ext = np.append(cap, 0.0)
        # k < q: x in room k, sessions k..q-2 one room down, session q-1 into the new room
        below = (
            pa[k]
            + np.maximum(0.0, x - cap_ext[np.minimum(k, n)])
            + pb[max(q - 1, 0)]
            - pb[k]
            + (max(0.0, d_ext[q - 1] - c) if q > 0 else 0.0)
            + pa[n]
            - pa[q]
        )
        # k > q: session q into the new room, sessions q+1..k-1 one room up, x in room k-1
        above = (
            pa[q]
            + max(0.0, d_ext[q] - c)
            + pbm[k]
            - pbm[min(q + 1, n)]
            + np.maximum(0.0, x - cap_ext[np.maximum(k - 1, 0)])
            + pa[n]
            - pa[k]
        )
        level = pa[k] + np.maximum(0.0, x - c) + pa[n] - pa[k]
        result: FloatArray = np.where(k < q, below, np.where(k > q, above, level))
        return result

    def targets(self, s1: int) -> IntArray:
        """Per slot, the allowed room for s1 held by a free occupant with the least
        overflow for s1 (-1: none; s1's own slot: its own room)."""
        target = np.full(self.n_slots, -1, dtype=np.int64)
        a = int(self.slot_of[s1])
        for t in range(self.n_slots):
            if t == a:
                target[t] = self.room_of[s1]
                continue
            rooms = np.nonzero(self.cell_ok[s1, :, t])[0]
            if len(rooms) == 0:
                continue
            occupants = self.occ[rooms, t]
            usable = (occupants >= 0) & self.free[np.maximum(occupants, 0)]
            if not usable.any():
                continue
            rooms = rooms[usable]
            target[t] = rooms[np.argmin(self.ov[s1, rooms])]
        return target

    def move(self, s1: int, s2: int) -> None:
        """Apply the move `deltas(s1)` priced for partner s2."""
        a, b = int(self.slot_of[s1]), int(self.slot_of[s2])
        if self.free[s1] or a == b:
            self.swap(s1, s2)
            return
        x = int(self.occ[self.target[b], b])
        if x == s2:
            self.swap(s1, s2)
            return
        self.swap(s1, x, rematch=False)  # s1 into its cell in b, x to s1's old cell
        self.swap(x, s2, rematch=False)  # x back into b in s2's room, s2 to a
        self.rematch(a)
        self.rematch(b)

    def swap(self, s1: int, s2: int, *, rematch: bool = True, count: bool = True) -> None:
        """Exchange the cells of s1 and s2 (count=False: leave the person counts to a later
        `recount`)."""
        a, b = int(self.slot_of[s1]), int(self.slot_of[s2])
        r1, r2 = int(self.room_of[s1]), int(self.room_of[s2])
        self.room_of[s1], self.slot_of[s1] = r2, b
        self.room_of[s2], self.slot_of[s2] = r1, a
        self.occ[r2, b], self.occ[r1, a] = s1, s2
        self.ovs[s1], self.ovs[s2] = self.ov[s1, r2], self.ov[s2, r1]
        if a != b:
            h1, h2 = self.host_of[s1], self.host_of[s2]
            self.hostcnt[h1, a] -= 1
            self.hostcnt[h1, b] += 1
            self.hostcnt[h2, b] -= 1
            self.hostcnt[h2, a] += 1
            if count:
                self._count_swap(s1, s2, a, b)
        if rematch:
            for t in sorted({a, b}):
                self.rematch(t)

    def _count_swap(self, s1: int, s2: int, a: int, b: int) -> None:
        m1, m2 = self.members[s1], self.members[s2]
        mark = self.mark
        mark[m1] = True
        people = np.concatenate((m1, m2[~mark[m2]]))
        mark[m1] = False
        cols = np.array([a, b])
        before = self.C[np.ix_(people, cols)]
        self.C[m1, a] -= 1
        self.C[m1, b] += 1
        self.C[m2, b] -= 1
        self.C[m2, a] += 1
        after = self.C[np.ix_(people, cols)]
        self.missed += int((np.maximum(0, after - 1) - np.maximum(0, before - 1)).sum())
        ch1 = (after >= 1).astype(np.int64) - (before >= 1)
        ch2 = (after >= 2).astype(np.int64) - (before >= 2)
        nz = np.nonzero(ch1.any(axis=1) | ch2.any(axis=1))[0]
        if len(nz) == 0:
            return
        who = people[nz]
        _, what = self.expand(who)
        counts = self.ptr[who + 1] - self.ptr[who]
        for g, change in ((self.G1, ch1), (self.G2, ch2)):
            for col, t in ((0, a), (1, b)):
                weight = np.repeat(change[nz, col], counts)
                g[:, t] += np.bincount(what, weights=weight, minlength=self.n)

    def recount(self, slots: list[int]) -> None:
        """Person counts and G1/G2 of whole slots, from scratch (after bulk moves)."""
        entry_person, entry_session = self.entry_person, self.interest
        n_people = len(self.C)
        for t in slots:
            runs = self.fixed_runs[:, t].astype(np.float64)
            runs[self.movable] = self.slot_of[self.movable] == t
            old = self.C[:, t]
            new = np.rint(
                np.bincount(entry_person, weights=runs[entry_session], minlength=n_people)
            ).astype(np.int64)
            self.missed += int(np.maximum(0, new - 1).sum() - np.maximum(0, old - 1).sum())
            self.C[:, t] = new
            at_person = new[entry_person]
            self.G1[:, t] = np.bincount(entry_session, weights=at_person >= 1, minlength=self.n)
            self.G2[:, t] = np.bincount(entry_session, weights=at_person >= 2, minlength=self.n)

    def rotate(self, cycle: list[int]) -> list[tuple[int, int, int]] | None:
        """Move the free sessions of each slot in `cycle` to the next slot of the cycle (the
        last to the first; those allowed there, as many from each slot): slots as a whole
        change their place in the day, which enables moves that pins and unavailability
        blocked. Returns the old cells (for `put_back`), or None if a host would clash."""
        skip: set[int] = set()
        for _attempt in range(4):
            moves = self._rotation(cycle, skip)
            if moves is None:
                return None
            clashing = self._clashing(moves)
            if not clashing:
                break
            skip |= clashing
        else:
            return None
        # every free session of these slots: re-matching moves the ones that stay, too
        around = np.nonzero(self.free & np.isin(self.slot_of, cycle))[0]
        old = [(int(i), int(self.room_of[i]), int(self.slot_of[i])) for i in around]
        self.put_back(moves)
        return old

    def best_labels(self) -> list[int]:
        """A new slot for each slot's group of free sessions (a permutation of the slots).

        Sessions that never move draw the group they fit best (the slot with the fewest of
        their people) to their own slot; the group's own sessions that may not go somewhere
        (pins, unavailability) keep it away from there."""
        real = np.arange(self.n_real)
        slot_of = self.slot_of[real]
        crowd = self.G1[real].copy()
        crowd[real, slot_of] = self.G2[real, slot_of]
        home = np.argmin(crowd, axis=1)
        n_slots = self.n_slots
        cost = np.zeros((n_slots, n_slots))
        held = np.nonzero(~self.movable[real])[0]
        for i in held.tolist():
            cost[home[i]] += HELD_PULL
            cost[home[i], slot_of[i]] -= HELD_PULL
        barred = (~self.slot_ok[real]).astype(np.float64)
        mine = np.nonzero(self.free[real])[0]
        np.add.at(cost, slot_of[mine], barred[mine])
        # sessions elsewhere that fit this group best but may not go where it goes
        moving = np.nonzero(self.movable[real])[0]
        np.add.at(cost, home[moving], barred[moving])
        return _assign(cost)

    def _rotation(self, cycle: list[int], skip: set[int]) -> list[tuple[int, int, int]] | None:
        groups: list[list[int]] = []
        for k, t in enumerate(cycle):
            target = cycle[(k + 1) % len(cycle)]
            sessions = np.nonzero(self.free & (self.slot_of == t))[0]
            go = [int(i) for i in sessions if self.slot_ok[i, target] and int(i) not in skip]
            # where one slot has more: leave behind the sessions that clash most with their
            # slot (they do not belong to the group being moved)
            go.sort(key=lambda i: (self.G2[i, t], -self.demand[i], i))
            groups.append(go)
        size = min(len(g) for g in groups)
        if size == 0:
            return None
        groups = [g[:size] for g in groups]
        moves: list[tuple[int, int, int]] = []
        for k, group in enumerate(groups):
            following = groups[(k + 1) % len(groups)]
            target = cycle[(k + 1) % len(cycle)]
            moves.extend(
                (i, int(self.room_of[j]), target) for i, j in zip(group, following, strict=True)
            )
        return moves

    def _clashing(self, moves: list[tuple[int, int, int]]) -> set[int]:
        """The moving sessions whose host would be in two places at once."""
        n_hosts = len(self.hostcnt) - 1
        counts: dict[tuple[int, int], int] = {}
        into: dict[tuple[int, int], list[int]] = {}
        for i, _room, target in moves:
            h = int(self.host_of[i])
            if h == n_hosts:
                continue
            src = int(self.slot_of[i])
            counts[(h, src)] = counts.get((h, src), int(self.hostcnt[h, src])) - 1
            counts[(h, target)] = counts.get((h, target), int(self.hostcnt[h, target])) + 1
            into.setdefault((h, target), []).append(i)
        return {i for key, c in counts.items() if c > 1 for i in into.get(key, [])}

    def put_back(self, cells: list[tuple[int, int, int]]) -> None:
        """Put free sessions into the given (room, slot) cells, all at once (the cells must
        be those the sessions leave, or those of free sessions that move too)."""
        slots = sorted({int(self.slot_of[i]) for i, _r, _t in cells} | {t for _i, _r, t in cells})
        for i, room, slot in cells:
            h = self.host_of[i]
            self.hostcnt[h, self.slot_of[i]] -= 1
            self.hostcnt[h, slot] += 1
            self.room_of[i], self.slot_of[i] = room, slot
            self.occ[room, slot] = i
        self.recount(slots)
        for t in slots:
            self.rematch(t)

    def load(self, room_of: IntArray, slot_of: IntArray) -> None:
        """Go back to a grid saved by `snapshot` (the movable occupants' cells)."""
        moved = np.nonzero(self.movable)[0]
        self.room_of[moved] = room_of[moved]
        self.slot_of[moved] = slot_of[moved]
        self.occ[room_of[moved], slot_of[moved]] = moved
        self.ovs = self.ov[np.arange(self.n), self.room_of].copy()
        self.hostcnt[:] = self.fixed_hostcnt
        np.add.at(self.hostcnt, (self.host_of[moved], slot_of[moved]), 1)
        self.recount(list(range(self.n_slots)))
        for t in range(self.n_slots):
            self.rematch(t)

    def assignment(self) -> Assignment:
        return tuple((int(self.room_of[i]), int(self.slot_of[i])) for i in range(self.n_real))

    def snapshot(self) -> tuple[IntArray, IntArray]:
        return self.room_of.copy(), self.slot_of.copy()


def search(
    problem: Problem,
    start: Assignment,
    *,
    hold: set[int],
    seed: int,
    time_budget: float,
    iterations: int | None,
    progress: Callable[[float, Score], None] | None,
    started: float,
    bound: int = 0,
) -> tuple[Assignment, int]:
    """Improve `start`; returns the best grid found and the iterations run. Stops early
    when the cost reaches `bound` (a lower bound: nothing better exists)."""
    state = _State(problem, start, hold)
    rng = np.random.default_rng(seed)
    if len(state.candidates) == 0:
        return start, 0
    best_cost = state.cost
    best = state.snapshot()
    first = state.snapshot()
    run_best = best_cost
    run_it = 0
    since_best = 0
    it = 0
    deadline = started + time_budget
    weights_every = 0
    cum = np.cumsum(np.ones(len(state.candidates)))
    n_slots = state.n_slots
    run_length = RUN_PER_SESSION * len(state.candidates)
    while best_cost > bound:
        if iterations is not None:
            if it >= iterations:
                break
        elif it % CLOCK_EVERY == 0 and time.perf_counter() >= deadline:
            break
        temperature = T_START * (T_END / T_START) ** min(1.0, run_it / run_length)
        it += 1
        run_it += 1
        since_best += 1
        if n_slots > 1 and it % RELABEL_ALL_EVERY == 0:
            before = state.cost
            saved = state.snapshot()
            behind: list[int] = []
            for cycle in _cycles(state.best_labels()):
                old = state.rotate(cycle)
                if old is not None:
                    behind.extend(i for i, _r, t in old if state.slot_of[i] == t)
            # the sessions a rotation left behind: each to its best place, if that helps
            for i in behind:
                if i < state.n_real and state.movable[i]:
                    delta = state.deltas(i)
                    j = int(np.argmin(delta))
                    if delta[j] < 0:
                        state.move(i, j)
            change = state.cost - before
            if change > 0 and rng.random() >= math.exp(-change / temperature):
                state.load(*saved)
        elif n_slots > 1 and rng.random() < RELABEL_SHARE:
            length = 3 if n_slots > 2 and rng.random() < 0.4 else 2
            cycle = [int(t) for t in rng.choice(n_slots, size=length, replace=False)]
            before = state.cost
            old = state.rotate(cycle)
            if old is not None:
                change = state.cost - before
                if change > 0 and rng.random() >= math.exp(-change / temperature):
                    state.put_back(old)
        else:
            if weights_every == 0:
                cands = state.candidates
                w = state.G2[cands, state.slot_of[cands]] + state.ovs[cands] + 0.5
                cum = np.cumsum(w)
                weights_every = 16
            weights_every -= 1
            if rng.random() < 0.5:
                s1 = int(state.candidates[rng.integers(len(state.candidates))])
            else:
                k = int(np.searchsorted(cum, rng.random() * cum[-1], side="right"))
                s1 = int(state.candidates[min(k, len(cum) - 1)])
            delta = state.deltas(s1)
            delta[s1] = 0.0  # staying is always allowed
            noisy = delta - temperature * rng.gumbel(size=state.n)
            s2 = int(np.argmin(noisy))
            if s2 != s1 and np.isfinite(delta[s2]):
                state.move(s1, s2)
        if state.cost < run_best:
            run_best = state.cost
            since_best = 0
        if state.cost < best_cost:
            best_cost = state.cost
            best = state.snapshot()
            if progress is not None:
                progress(
                    time.perf_counter() - started,
                    Score(missed=state.missed, overflow=state.overflow),
                )
        if since_best > run_length // 2 and run_it > run_length:
            # a new run from the start grid: the random walk goes elsewhere this time
            state.load(*first)
            run_best, run_it, since_best = state.cost, 0, 0
    room_of, slot_of = best
    return tuple((int(room_of[i]), int(slot_of[i])) for i in range(state.n_real)), it


def _assign(cost: FloatArray) -> list[int]:
    """The permutation p minimising sum cost[g, p[g]] (dynamic programming over subsets;
    the identity beyond 14 slots)."""
    n = len(cost)
    if n > 14:
        return list(range(n))
    size = 1 << n
    best = [float("inf")] * size
    choice = [0] * size
    best[0] = 0.0
    rows = cost.tolist()
    for mask in range(size):
        base = best[mask]
        g = mask.bit_count()
        if base == float("inf") or g == n:
            continue
        row = rows[g]
        for t in range(n):
            bit = 1 << t
            if not mask & bit and base + row[t] < best[mask | bit]:
                best[mask | bit] = base + row[t]
                choice[mask | bit] = t
    labels = [0] * n
    mask = size - 1
    for g in range(n - 1, -1, -1):
        labels[g] = choice[mask]
        mask ^= 1 << labels[g]
    return labels


def _cycles(labels: list[int]) -> list[list[int]]:
    """The cycles of a permutation (fixed points left out)."""
    seen: set[int] = set()
    cycles = []
    for start in range(len(labels)):
        if start in seen or labels[start] == start:
            continue
        cycle = []
        t = start
        while t not in seen:
            seen.add(t)
            cycle.append(t)
            t = labels[t]
        cycles.append(cycle)
    return cycles


def held_sessions(problem: Problem, keep: Mapping[int, tuple[int, int]]) -> set[int]:
    """Sessions the search must leave where they are."""
    hold = set(keep)
    for i, s in enumerate(problem.sessions):
        if s.fixed or (s.pin_room is not None and s.pin_slot is not None) or s.length != 1:
            hold.add(i)
    return hold
