"""The websocket of a barcamp page: one per page, many streams over it.

Client frames (JSON objects with ``type``)::

    {"type": "subscribe", "stream": "room.12.chat", "since": 41}   since: last seq seen, or null
    {"type": "unsubscribe", "stream": "room.12.chat"}
    {"type": "enter", "room": 12} / {"type": "leave", "room": 12}   presence in a room
    {"type": "chat.post", "stream": "room.12.chat", "text": "…", "ref": "c1"}
    {"type": "interest.set", "proposal": 7, "want": true, "ref": "i1"}   "I'm in" / take it back
    {"type": "ping"}

Server frames: the stream messages (``{"type": kind, "stream", "seq", "data"}``), and
``subscribed``, ``reload`` (too far behind: fetch the page again), ``resync`` (ask again with
your last seq), ``ack``, ``pong`` (with server time), ``error`` (code and translated message;
code ``unavailable`` when the database or Redis is briefly away: the socket stays open).

Close codes: 4403 not allowed, 4404 no such barcamp, 1009 frame too large, 4029 too many
frames, 4400 too many bad frames, 4008 too slow to keep up (reconnect and catch up).
"""

from __future__ import annotations

import asyncio
import bisect
import copy
import json
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any, cast

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _
from redis import RedisError

from unkonf.chat import services as chat_services
from unkonf.chat.permissions import can_read_chat
from unkonf.core.exceptions import DomainError
from unkonf.events.enums import RegistrationStatus
from unkonf.events.models import Event, Registration
from unkonf.events.permissions import can_view_event, roles_of_many
from unkonf.proposals import taps as interest_taps
from unkonf.proposals.permissions import can_moderate_proposals
from unkonf.proposals.services import Tap
from unkonf.realtime import groups
from unkonf.realtime.batcher import Batcher
from unkonf.realtime.broadcast import encode
from unkonf.realtime.dbthread import db_call
from unkonf.realtime.hub import Outbox, Send, get_hub
from unkonf.realtime.messages import PresenceChanged
from unkonf.realtime.models import Stream, StreamEvent
from unkonf.realtime.presence import get_presence
from unkonf.realtime.streams import REPLAY_LIMIT
from unkonf.venues.models import Room

logger = logging.getLogger(__name__)

MAX_FRAME = 16 * 1024
OUTBOX_LIMIT = 2000
FRAMES_PER_SECOND = 20
BURST = 40
MAX_BAD_FRAMES = 10

CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_BIG = 1009
CLOSE_FLOOD = 4029
CLOSE_BAD = 4400
CLOSE_SLOW = 4008


async def announce_presence(place: str, count: int, names: list[str]) -> None:
    stream = groups.place_event_stream(place)
    await get_hub().apublish(
        stream, encode(stream, PresenceChanged(place=place, count=count, names=names))
    )


def _skip_held(text: str, stream: str, *, upto: int | None, dropped: bool) -> bool:
    """Should this live frame, held back while ``stream`` was subscribed, stay unsent? Yes if
    it belongs to ``stream`` and the stream was refused, or the replay sent it already."""
    frame = json.loads(text)
    if frame.get("stream") != stream:
        return False
    seq = frame.get("seq")
    return dropped or (upto is not None and isinstance(seq, int) and seq <= upto)


class EventConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    # Delivery goes through the hub, never the channel layer: an alias that names no layer
    # keeps Channels from opening a layer channel (and a Redis receive) for every connection.
    channel_layer_alias = "none"

    # --- connection ---------------------------------------------------------------------------

    async def connect(self) -> None:
        self.conn_id = uuid.uuid4().hex
        self.streams: set[str] = set()
        self.places: set[str] = set()
        self.outbox: Outbox | None = None
        # While a stream is replayed, live frames wait here, so none overtakes the replay.
        self.held: list[str] | None = None
        self.tokens = float(BURST)
        self.last_refill = time.monotonic()
        self.bad_frames = 0
        self.closing = False
        self.user = self.scope.get("user")
        self.language = self._language()
        slug = self.scope["url_route"]["kwargs"]["slug"]
        found = await _opening((self.user, slug))
        if found is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.event, self.shown_name, allowed = found
        if not allowed:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.accept()
        hub = get_hub()
        await hub.start()
        presence = get_presence()
        presence.on_change = announce_presence
        self.outbox = Outbox(self._asgi_send(), limit=OUTBOX_LIMIT, on_overflow=self._too_slow)
        self.event_stream = groups.event_stream(self.event.pk)
        hub.join(self.event_stream, self)
        self.streams.add(self.event_stream)
        await self._enter(groups.event_place(self.event.pk))
        if getattr(self.user, "is_authenticated", False):
            own = groups.user_stream(self.user.pk)
            hub.join(own, self)
            self.streams.add(own)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its ``aclose_old_connections`` before every handler: that
        is a hop into the database thread for every incoming frame. Database calls of this
        consumer look after their connection themselves (``dbthread``)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        """Channels' without its ``aclose_old_connections``: that is a hop into the database
        thread for every closed socket (2,000 at once in a reconnect storm). Database calls of
        this consumer look after their connection themselves (``dbthread``)."""
        await self.disconnect(message["code"])
        raise StopConsumer

    async def disconnect(self, code: int) -> None:
        hub = get_hub()
        for stream in getattr(self, "streams", ()):
            hub.leave(stream, self)
        presence = get_presence()
        for place in list(getattr(self, "places", ())):
            await presence.leave(place, self.conn_id)
        outbox = getattr(self, "outbox", None)
        if outbox is not None:
            outbox.close()

    # --- delivery (called by the hub) ---------------------------------------------------------

    def deliver(self, text: str) -> None:
        if self.closing:
            return
        if self.held is not None:
            self.held.append(text)
            if len(self.held) > OUTBOX_LIMIT:
                self._too_slow()
            return
        self._enqueue(text)

    def _enqueue(self, text: str) -> None:
        # Written at once, in order; a client that does not read gets OUTBOX_LIMIT frames of
        # grace, then 4008 (hub.Outbox; docs/benchmarks.md).
        if self.outbox is not None:
            self.outbox.put(text)

    def _too_slow(self) -> None:
        """Close; the client reconnects and catches up from its seq."""
        if not self.closing:
            self.closing = True
            asyncio.get_running_loop().create_task(self.close(code=CLOSE_SLOW))

    def resync(self) -> None:
        self.deliver(json.dumps({"type": "resync"}))

    def _asgi_send(self) -> Send:
        """The server's send. Channels' session wrapper around it only acts on HTTP responses;
        frames skip it, which saves CPU on every delivered frame (docs/benchmarks.md)."""
        wrapper = getattr(self.base_send, "__self__", None)
        return cast(Send, getattr(wrapper, "real_send", self.base_send))

    async def _reply(self, frame: dict[str, Any]) -> None:
        if not self.closing:
            self._enqueue(json.dumps(frame, ensure_ascii=False))

    async def _error(self, code: str, message: str, **extra: Any) -> None:
        await self._reply({"type": "error", "code": code, "message": message, **extra})

    # --- incoming frames ----------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return
        if not self._take_token():
            self.closing = True
            await self.close(code=CLOSE_FLOOD)
            return
        with translation.override(self.language):
            if bytes_data is not None or text_data is None:
                await self._bad("bad_frame", _("Only text frames with JSON are understood."))
                return
            if len(text_data) > MAX_FRAME:
                self.closing = True
                await self.close(code=CLOSE_TOO_BIG)
                return
            try:
                frame = json.loads(text_data)
            except ValueError:
                await self._bad("bad_json", _("The message is not valid JSON."))
                return
            if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
                await self._bad("bad_frame", _("A message needs a type."))
                return
            handler = self.HANDLERS.get(frame["type"])
            if handler is None:
                await self._bad("unknown_type", _("Unknown message type."), type=frame["type"][:50])
                return
            try:
                await handler(self, frame)
            except (DatabaseError, RedisError):
                # The database or Redis is briefly away: say so; the socket stays open.
                logger.warning("realtime: %s failed, a service is unavailable", frame["type"])
                ref = {"ref": frame["ref"]} if "ref" in frame else {}
                await self._error(
                    "unavailable", _("Briefly unavailable. Please try again in a moment."), **ref
                )

    async def _bad(self, code: str, message: str, **extra: Any) -> None:
        self.bad_frames += 1
        if self.bad_frames > MAX_BAD_FRAMES:
            self.closing = True
            await self.close(code=CLOSE_BAD)
            return
        await self._error(code, message, **extra)

    def _take_token(self) -> bool:
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.last_refill) * FRAMES_PER_SECOND)
        self.last_refill = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    # --- handlers -----------------------------------------------------------------------------

    async def on_ping(self, frame: dict[str, Any]) -> None:
        await self._reply({"type": "pong", "time": time.time()})

    async def on_subscribe(self, frame: dict[str, Any]) -> None:
        stream = frame.get("stream")
        since = frame.get("since")
        if not isinstance(stream, str) or not groups.is_stream_name(stream):
            await self._bad("bad_stream", _("Unknown stream."))
            return
        if since is not None and (
            not isinstance(since, int) or isinstance(since, bool) or since < 0
        ):
            await self._bad("bad_since", _("'since' must be a sequence number."))
            return
        # Join first (nothing published from now on is missed), then authorise and read what
        # was missed in one database call, then release what arrived meanwhile, without what
        # the replay already gave. Held frames reach the client only if it may read the stream.
        hub = get_hub()
        member = stream in self.streams
        self.held = []
        upto: int | None = None
        allowed = refused = False
        try:
            hub.join(stream, self)
            self.streams.add(stream)
            found = await _subscribing((self, stream, since))
            if found is None:
                refused = True
                await self._error("forbidden", _("You may not follow this stream."), stream=stream)
            else:
                allowed = True
                upto = await self._replay(stream, *found)
        finally:
            # Refused, or not authorised because the database failed: not a member.
            keep = allowed or (member and not refused)
            if not keep:
                hub.leave(stream, self)
                self.streams.discard(stream)
            held, self.held = self.held or [], None
            for text in held:
                if not _skip_held(text, stream, upto=upto, dropped=not keep):
                    self._enqueue(text)

    async def _replay(self, stream: str, last: int, missed: list[Replayed] | None) -> int | None:
        """Send what was missed and ``subscribed`` (in one write to the socket, where it goes
        there directly); return the last seq sent."""
        if missed is None:
            await self._reply({"type": "reload", "stream": stream})
            return None
        texts = [text for _seq, text in missed]
        last = max([last, *(seq for seq, _text in missed)])
        texts.append(
            json.dumps({"type": "subscribed", "stream": stream, "seq": last}, ensure_ascii=False)
        )
        if not self.closing and self.outbox is not None:
            self.outbox.put_many(texts)
        return last

    async def on_unsubscribe(self, frame: dict[str, Any]) -> None:
        stream = frame.get("stream")
        if isinstance(stream, str) and stream in self.streams and stream != self.event_stream:
            get_hub().leave(stream, self)
            self.streams.discard(stream)

    async def on_enter(self, frame: dict[str, Any]) -> None:
        room_id = frame.get("room")
        if not isinstance(room_id, int) or isinstance(room_id, bool):
            await self._bad("bad_room", _("Unknown room."))
            return
        if not await db_call(self._room_exists)(room_id):
            await self._error("forbidden", _("Unknown room."))
            return
        await self._enter(groups.room_place(self.event.pk, room_id))

    async def on_leave(self, frame: dict[str, Any]) -> None:
        room_id = frame.get("room")
        if isinstance(room_id, int):
            place = groups.room_place(self.event.pk, room_id)
            if place in self.places:
                self.places.discard(place)
                await get_presence().leave(place, self.conn_id)

    async def _enter(self, place: str) -> None:
        self.places.add(place)
        await get_presence().join(place, self.conn_id, self.shown_name)

    async def on_chat_post(self, frame: dict[str, Any]) -> None:
        stream, text, ref = frame.get("stream"), frame.get("text"), frame.get("ref")
        if not isinstance(stream, str) or not isinstance(text, str):
            await self._bad("bad_frame", _("A chat message needs a stream and a text."))
            return
        try:
            await db_call(self._post)(stream, text)
        except DomainError as error:
            await self._error("refused", str(error.message), ref=ref)
            return
        await self._reply({"type": "ack", "ref": ref})

    async def on_interest_set(self, frame: dict[str, Any]) -> None:
        """A tap on "I'm in" (``want``: true) or taking it back (false), as on the pages."""
        proposal_id, want, ref = frame.get("proposal"), frame.get("want"), frame.get("ref")
        if (
            not isinstance(proposal_id, int)
            or isinstance(proposal_id, bool)
            or not 0 < proposal_id < 2**31
            or not isinstance(want, bool)
        ):
            await self._bad("bad_frame", _("Interest needs a proposal and true or false."))
            return
        if not getattr(self.user, "is_authenticated", False):
            await self._error("refused", _("Please log in to show interest."), ref=ref)
            return
        # Taps of the moment go to the database together (proposals.taps).
        result = await interest_taps.tap(self.event, Tap(self.user, proposal_id, want))
        if isinstance(result, DomainError):
            await self._error("refused", str(result.message), ref=ref)
            return
        data = {
            "proposal": result.proposal_id,
            "interested": result.interested,
            "count": None if result.counts_hidden else result.count,
            "version": result.version,
        }
        await self._reply({"type": "ack", "ref": ref, "data": data})

    HANDLERS = {
        "ping": on_ping,
        "subscribe": on_subscribe,
        "unsubscribe": on_unsubscribe,
        "enter": on_enter,
        "leave": on_leave,
        "chat.post": on_chat_post,
        "interest.set": on_interest_set,
    }

    # --- database work (in a thread) ----------------------------------------------------------

    def _language(self) -> str:
        query: bytes = self.scope.get("query_string", b"")
        for part in query.decode().split("&"):
            if part in ("lang=en", "lang=de"):
                return part[5:]
        return str(getattr(self.user, "language", None) or "de")

    def _room(self, stream: str) -> Room | None:
        room_id = int(stream.split(".")[1])
        return Room.objects.filter(pk=room_id, event=self.event).first()

    def _room_known(self, stream: str, rooms: Collection[int] | None) -> bool:
        """Is the room of a ``room.<id>.chat`` stream one of this barcamp's? ``rooms``: the ids
        of its rooms when a batch has read them already."""
        if rooms is None:
            return self._room(stream) is not None
        return int(stream.split(".")[1]) in rooms

    def _room_exists(self, room_id: int) -> bool:
        return Room.objects.filter(pk=room_id, event=self.event).exists()

    def _may_read(self, stream: str, *, rooms: Collection[int] | None = None) -> bool:
        event_id = self.event.pk
        if stream == groups.event_stream(event_id):
            return True
        if stream == groups.pitch_stream(event_id):
            return True  # whoever sees the barcamp follows its pitch
        if stream == groups.grid_stream(event_id):
            return can_moderate_proposals(self.user, self.event)
        if stream == groups.lobby_chat_stream(event_id):
            return can_read_chat(self.user, self.event)
        if stream.startswith("room."):
            return self._room_known(stream, rooms) and can_read_chat(self.user, self.event)
        if stream.startswith("user."):
            return getattr(self.user, "is_authenticated", False) and stream == groups.user_stream(
                self.user.pk
            )
        return False

    def _post(self, stream: str, text: str) -> None:
        if stream == groups.lobby_chat_stream(self.event.pk):
            room = None
        elif stream.startswith("room.") and groups.is_stream_name(stream):
            room = self._room(stream)
            if room is None:
                raise DomainError(_("Unknown room."))
        else:
            raise DomainError(_("Chat messages go to a chat stream."))
        if not getattr(self.user, "is_authenticated", False):
            raise DomainError(_("Please log in to write in the chat."))
        chat_services.post_message(self.event, room=room, actor=self.user, text=text)


# --- the database work of connects and subscribes, batched (ADR 0012) --------------------------
#
# Connects and subscribes that arrive at nearly the same moment (a reconnect storm) share one
# call into the database thread and a few queries per kind, instead of one call and several
# queries each. Every check is still made for every connection, fresh from the database.

Opened = tuple[Event, str, bool] | None


def open_many(items: Sequence[tuple[Any, str]]) -> list[Opened]:
    """Per (user, slug): None if there is no such barcamp; else the barcamp (each connection
    its own instance), the name this person is shown with, and whether they may see it."""
    events = {event.slug: event for event in Event.objects.filter(slug__in={s for _, s in items})}
    users_of: dict[int, list[Any]] = defaultdict(list)
    for user, slug in items:
        if slug in events and getattr(user, "is_authenticated", False):
            users_of[events[slug].pk].append(user)
    opened: list[Opened] = []
    shown_of: dict[int, list[Any]] = defaultdict(list)
    for user, slug in items:
        if slug not in events:
            opened.append(None)
            continue
        event = copy.copy(events[slug])
        if event.pk in users_of:  # the roles of everyone of this barcamp in the batch, at once
            roles_of_many(users_of.pop(event.pk), event)
        allowed = can_view_event(user, event)
        opened.append((event, "", allowed))
        if allowed and getattr(user, "is_authenticated", False):
            shown_of[event.pk].append(user.pk)
    names: dict[tuple[int, int], str] = {}
    for event_id, user_ids in shown_of.items():
        registrations = (
            Registration.objects.filter(
                event_id=event_id, user_id__in=user_ids, status=RegistrationStatus.CONFIRMED
            )
            .order_by("pk")
            .values_list("user_id", "name", "public_listing")
        )
        for user_id, name, public in registrations:
            names.setdefault((event_id, user_id), name if public else "")
    return [
        found
        if found is None or not found[2] or not getattr(user, "is_authenticated", False)
        else (found[0], names.get((found[0].pk, user.pk), ""), True)
        for (user, _slug), found in zip(items, opened, strict=True)
    ]


Replayed = tuple[int, str]  # a stored message's seq and its frame, encoded once per batch
Subscription = tuple[int, list[Replayed] | None] | None


def subscribe_many(items: Sequence[tuple[EventConsumer, str, int | None]]) -> list[Subscription]:
    """Per (connection, stream, since): None if it may not follow the stream; else the
    stream's last seq and what came after ``since`` (None: more than ``REPLAY_LIMIT``, reload).
    What each connection gets is what ``streams.last_seq`` and ``streams.events_since`` would
    give it alone."""
    room_ids = {int(stream.split(".")[1]) for _c, stream, _s in items if stream.startswith("room.")}
    rooms: dict[int, set[int]] = defaultdict(set)
    if room_ids:
        event_ids = {consumer.event.pk for consumer, _s, _n in items}
        for room_id, event_id in Room.objects.filter(
            pk__in=room_ids, event_id__in=event_ids
        ).values_list("pk", "event_id"):
            rooms[event_id].add(room_id)
    allowed = [
        consumer._may_read(stream, rooms=rooms[consumer.event.pk])
        for consumer, stream, _since in items
    ]
    wanted = {stream for (_c, stream, _s), ok in zip(items, allowed, strict=True) if ok}
    last = (
        dict(Stream.objects.filter(key__in=wanted).values_list("key", "last_seq")) if wanted else {}
    )
    behind: dict[str, list[int]] = defaultdict(list)
    for (_consumer, stream, since), ok in zip(items, allowed, strict=True):
        if ok and since is not None and since < last.get(stream, 0):
            behind[stream].append(since)
    stored = {stream: _events_after(stream, sinces) for stream, sinces in behind.items()}
    seqs = {stream: [event.seq for event in events] for stream, events in stored.items()}
    encoded: dict[tuple[str, int], str] = {}

    def frame(stream: str, event: StreamEvent) -> Replayed:
        text = encoded.get((stream, event.seq))
        if text is None:
            text = encoded[stream, event.seq] = json.dumps(
                {"type": event.kind, "stream": stream, "seq": event.seq, "data": event.payload},
                ensure_ascii=False,
            )
        return event.seq, text

    found: list[Subscription] = []
    for (_consumer, stream, since), ok in zip(items, allowed, strict=True):
        if not ok:
            found.append(None)
            continue
        seq = last.get(stream, 0)
        if since is None or since >= seq:
            found.append((seq, []))
            continue
        first = bisect.bisect_right(seqs[stream], since)
        missed = stored[stream][first : first + REPLAY_LIMIT + 1]
        if len(missed) > REPLAY_LIMIT:
            found.append((seq, None))
        else:
            found.append((seq, [frame(stream, event) for event in missed]))
    return found


def _events_after(stream: str, sinces: list[int]) -> list[StreamEvent]:
    """Enough of the stream's stored messages after the smallest ``since`` that, for every
    ``since``, the first ``REPLAY_LIMIT + 1`` messages after it are among them: fetched in
    ranges of nearby ``since`` values, so one client far behind does not fetch thousands."""
    events: dict[int, StreamEvent] = {}
    ordered = sorted(set(sinces))
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] - ordered[start] <= REPLAY_LIMIT:
            end += 1
        low, high = ordered[start], ordered[end]
        # At most high - low of the fetched rows lie at or below any since of the range, so
        # each since still finds REPLAY_LIMIT + 1 after it (if the stream has them).
        rows = StreamEvent.objects.filter(stream=stream, seq__gt=low).order_by("seq")
        for event in rows[: high - low + REPLAY_LIMIT + 1]:
            events.setdefault(event.seq, event)
        start = end + 1
    return [events[seq] for seq in sorted(events)]


_opening: Batcher[tuple[Any, str], Opened] = Batcher(open_many)
_subscribing: Batcher[tuple[EventConsumer, str, int | None], Subscription] = Batcher(subscribe_many)
