"""The websocket of a barcamp page: one per page, many streams over it.

Client frames (JSON objects with ``type``)::

    {"type": "subscribe", "stream": "room.12.chat", "since": 41}   since: last seq seen, or null
    {"type": "unsubscribe", "stream": "room.12.chat"}
    {"type": "enter", "room": 12} / {"type": "leave", "room": 12}   presence in a room
    {"type": "chat.post", "stream": "room.12.chat", "text": "…", "ref": "c1"}
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
import json
import logging
import time
import uuid
from typing import Any, cast

from channels.db import database_sync_to_async
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
from unkonf.events.permissions import can_view_event
from unkonf.realtime import groups, streams
from unkonf.realtime.broadcast import encode
from unkonf.realtime.hub import Outbox, Send, get_hub
from unkonf.realtime.messages import PresenceChanged
from unkonf.realtime.presence import get_presence
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
    get_hub().publish(
        stream, encode(stream, PresenceChanged(place=place, count=count, names=names))
    )


def _is_replayed(text: str, stream: str, upto: int) -> bool:
    """Is this encoded frame a message of ``stream`` with a seq up to ``upto``?"""
    frame = json.loads(text)
    seq = frame.get("seq")
    return frame.get("stream") == stream and isinstance(seq, int) and seq <= upto


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
        found = await self._load(slug)
        if found is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.event, self.shown_name = found
        if not await database_sync_to_async(can_view_event)(self.user, self.event):
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
        if not await database_sync_to_async(self._may_read)(stream):
            await self._error("forbidden", _("You may not follow this stream."), stream=stream)
            return
        # Join first (nothing published from now on is missed), replay from the database, then
        # release what arrived meanwhile, without what the replay already gave.
        self.held = []
        upto: int | None = None
        try:
            get_hub().join(stream, self)
            self.streams.add(stream)
            upto = await self._replay(stream, since)
        finally:
            held, self.held = self.held or [], None
            for text in held:
                if upto is None or not _is_replayed(text, stream, upto):
                    self._enqueue(text)

    async def _replay(self, stream: str, since: int | None) -> int | None:
        """Send what came after ``since`` and ``subscribed``; return the last seq sent."""
        last: int = await database_sync_to_async(streams.last_seq)(stream)
        if since is not None and since < last:
            missed = await database_sync_to_async(streams.events_since)(stream, since)
            if missed is None:
                await self._reply({"type": "reload", "stream": stream})
                return None
            for event in missed:
                await self._reply(
                    {"type": event.kind, "stream": stream, "seq": event.seq, "data": event.payload}
                )
                last = max(last, event.seq)
        await self._reply({"type": "subscribed", "stream": stream, "seq": last})
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
        if not await database_sync_to_async(self._room_exists)(room_id):
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
            await database_sync_to_async(self._post)(stream, text)
        except DomainError as error:
            await self._error("refused", str(error.message), ref=ref)
            return
        await self._reply({"type": "ack", "ref": ref})

    HANDLERS = {
        "ping": on_ping,
        "subscribe": on_subscribe,
        "unsubscribe": on_unsubscribe,
        "enter": on_enter,
        "leave": on_leave,
        "chat.post": on_chat_post,
    }

    # --- database work (in a thread) ----------------------------------------------------------

    @database_sync_to_async  # type: ignore[untyped-decorator]
    def _load(self, slug: str) -> tuple[Event, str] | None:
        event = Event.objects.filter(slug=slug).first()
        if event is None:
            return None
        shown = ""
        if getattr(self.user, "is_authenticated", False):
            registration = Registration.objects.filter(
                event=event, user=self.user, status=RegistrationStatus.CONFIRMED
            ).first()
            if registration is not None and registration.public_listing:
                shown = registration.name
        return event, shown

    def _language(self) -> str:
        query: bytes = self.scope.get("query_string", b"")
        for part in query.decode().split("&"):
            if part in ("lang=en", "lang=de"):
                return part[5:]
        return str(getattr(self.user, "language", None) or "de")

    def _room(self, stream: str) -> Room | None:
        room_id = int(stream.split(".")[1])
        return Room.objects.filter(pk=room_id, event=self.event).first()

    def _room_exists(self, room_id: int) -> bool:
        return Room.objects.filter(pk=room_id, event=self.event).exists()

    def _may_read(self, stream: str) -> bool:
        event_id = self.event.pk
        if stream == groups.event_stream(event_id):
            return True
        if stream == groups.lobby_chat_stream(event_id):
            return can_read_chat(self.user, self.event)
        if stream.startswith("room."):
            return self._room(stream) is not None and can_read_chat(self.user, self.event)
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
