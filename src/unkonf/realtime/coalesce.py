"""Coalesce bursts of small changes into a few messages a second.

During the pitch a thousand people may tap "interested" within ten seconds. Sending a message
per tap to every screen would cost a thousand deliveries per connected client; instead every
change is noted here and one message per stream goes out at most every ``interval`` seconds,
carrying the newest value of everything that changed. The first change after a quiet moment
goes out at once, so a single tap still shows within a blink.

Values carry a version (growing with every change, assigned under the database row lock), so
the newest value wins here and in the browser, whichever process or message brought it.
Nothing is stored: a screen that reconnects fetches the current counts with the page state.
"""

from __future__ import annotations

import logging
import threading
import time

from unkonf.realtime.broadcast import broadcast_now
from unkonf.realtime.messages import InterestChanged

logger = logging.getLogger(__name__)


class Coalescer:
    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self._pending: dict[str, dict[str, list[int]]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_flush = 0.0

    def add(self, stream: str, key: int, value: int, version: int) -> None:
        """Note a new value; safe from any thread (call it after commit)."""
        with self._lock:
            values = self._pending.setdefault(stream, {})
            old = values.get(str(key))
            if old is None or old[1] < version:
                values[str(key)] = [value, version]
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="unkonf-coalesce", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def flush(self) -> None:
        """Send everything noted so far, now."""
        with self._lock:
            pending, self._pending = self._pending, {}
            self._last_flush = time.monotonic()
        for stream, values in pending.items():
            try:
                broadcast_now(stream, InterestChanged(counts=values))
            except Exception:  # the thread must survive a bad moment of Redis or the loop
                logger.exception("realtime: coalesced message for %s not sent", stream)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            wait = self._last_flush + self.interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self.flush()


_interest = Coalescer()


def note_interest(stream: str, proposal_id: int, count: int, version: int) -> None:
    _interest.add(stream, proposal_id, count, version)
