/**
 * The timekeeper's countdowns, in server time, on any page of a barcamp.
 *
 * Hook: `[data-countdown]` (rendered by scheduling/_countdown.html) inside a
 * `[data-countdown-box]` that holds the translated texts. Each countdown says which clock it
 * shows: `data-slot`, `data-room` ("" for all rooms), `data-first-slot` (the first slot of a
 * two-slot session that runs through this one), and that clock's state: `data-started-at`,
 * `data-ends-at`, `data-ended-at` (Unix seconds of the server, "" when not set), `data-rank`
 * (3 the room's own clock, 2 the two-slot session's clock, 1 the slot's clock for all rooms,
 * 0 none yet), `data-key` and `data-version` of that clock.
 *
 * Server time, not this device's clock: the offset between the two is sampled from
 * `data-server-now` (the server's time when it made the countdown), from every `timer.changed`
 * message (its `now`) and from every `pong` of the socket. A sample can only be late (it
 * travelled), never early, so the largest sample of the last ten minutes is the best guess: a
 * message replayed after a reconnect (an old `now`) does not pull the clock back. Seconds left
 * are `Math.floor(ends_at - server now)`, and the display is updated right after each change
 * of that number, so two windows show the same second.
 *
 * At 10 and 5 minutes left and at the end a signal is shown (text, not colour only) and
 * announced once, through one polite live region for the page (never every second). Extending
 * the time resets the signals that are no longer due. `timer.changed` for the countdown's slot
 * (and its room, or all rooms unless the room has its own clock) updates it at once.
 */

import { on, subscribe } from "./realtime.js";

const GLOBAL = Symbol.for("unkonf.countdown");
const SAMPLE_WINDOW = 10 * 60; // seconds of this device's clock a sample stays trusted
const UP_SHOWN_FOR = 15 * 60; // an ended clock says "time is up" this long
const TEN = 600;
const FIVE = 300;
const ORDER = { "": 0, ten: 1, five: 2, up: 3 };
const SAME_WORDS_QUIET = 5_000; // ms: the same signal from several countdowns is said once

/** This device's clock in seconds, steady (not moved by clock changes while the page is open). */
function localNow() {
  return (performance.timeOrigin + performance.now()) / 1000;
}

class ServerClock {
  constructor() {
    this.samples = []; // [local time, offset]
    this.offset = null;
  }

  sample(serverSeconds) {
    const server = Number(serverSeconds);
    if (!Number.isFinite(server) || server <= 0) return;
    const local = localNow();
    this.samples.push([local, server - local]);
    const recent = this.samples.filter(([at]) => local - at <= SAMPLE_WINDOW);
    this.samples = recent.length > 0 ? recent : this.samples.slice(-1);
    this.offset = Math.max(...this.samples.map(([, offset]) => offset));
  }

  now() {
    return localNow() + (this.offset ?? 0);
  }
}

function minutesSeconds(seconds) {
  const whole = Math.max(0, seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function timeText(seconds, timeZone) {
  const date = new Date(seconds * 1000);
  const language = document.documentElement.lang || "de";
  const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  try {
    return new Intl.DateTimeFormat(language, { ...options, timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(language, options).format(date);
  }
}

function seconds(value) {
  if (value === undefined || value === null || value === "") return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

function setText(element, text) {
  if (element && element.textContent !== text) element.textContent = text;
}

class Countdowns {
  constructor() {
    this.clock = new ServerClock();
    this.timer = null;
    this.phases = new WeakMap(); // countdown -> phase shown (announced when it rises)
    this.seen = new WeakSet();
    this.streams = new Set();
    this.announcer = null;
    this.lastWords = "";
    this.lastWordsAt = 0;
    on("pong", (frame) => this.clock.sample(frame.time));
    document.addEventListener("visibilitychange", () => this.tick());
    // Countdowns swapped in (htmx, or a live refresh that says so): show them at once.
    document.addEventListener("htmx:afterSettle", () => this.tick());
    document.addEventListener("unkonf:content", () => this.tick());
  }

  all() {
    return document.querySelectorAll("[data-countdown]");
  }

  /** New countdowns (the page, or a fragment swapped in): sample the clock, follow the stream. */
  adopt() {
    for (const element of this.all()) {
      if (this.seen.has(element)) continue;
      this.seen.add(element);
      this.clock.sample(element.dataset.serverNow);
      const stream = element.dataset.stream;
      if (stream && !this.streams.has(stream)) {
        this.streams.add(stream);
        const since = Number.parseInt(element.dataset.since || "", 10);
        subscribe(stream, (frame) => this.received(frame), {
          since: Number.isInteger(since) ? since : null,
        });
      }
    }
  }

  received(frame) {
    if (frame.type !== "timer.changed" || !frame.data) return;
    const data = frame.data;
    this.clock.sample(data.now);
    const slot = String(data.slot);
    const room = data.room === null || data.room === undefined ? "" : String(data.room);
    for (const element of this.all()) {
      const set = element.dataset;
      let rank = 0;
      if (room === "") {
        if (set.slot === slot) rank = 1;
      } else if (room === set.room) {
        if (set.slot === slot) rank = 3;
        else if (set.firstSlot === slot) rank = 2;
      }
      if (rank === 0 || rank < Number(set.rank || 0)) continue; // another clock counts here
      const key = `${slot}:${room}`;
      if (key === set.key && Number(data.version) <= Number(set.version || 0)) continue; // old
      set.rank = String(rank);
      set.key = key;
      set.version = String(data.version);
      set.startedAt = data.started_at === null ? "" : String(data.started_at);
      set.endsAt = data.ends_at === null ? "" : String(data.ends_at);
      set.endedAt = data.ended_at === null ? "" : String(data.ended_at);
    }
    this.tick();
  }

  /** Show one countdown now; returns the seconds until its number changes next (or null). */
  show(element, now) {
    const box = element.closest("[data-countdown-box]");
    if (!box) return null;
    const set = element.dataset;
    const startedAt = seconds(set.startedAt);
    const endsAt = seconds(set.endsAt);
    const endedAt = seconds(set.endedAt);
    if (startedAt === null || endsAt === null) {
      if (!this.phases.has(element)) this.phases.set(element, ""); // not started: the page says so
      return null;
    }
    let phase = "";
    let next = null;
    let note;
    if (endedAt !== null) {
      set.state = "ended";
      setText(element, minutesSeconds(0));
      note = (box.dataset.textEnded || "").replace("%(time)s", timeText(endedAt, box.dataset.timezone));
      if (now - endedAt < UP_SHOWN_FOR) phase = "up";
    } else {
      const exact = endsAt - now;
      const left = Math.floor(exact);
      set.state = left <= 0 ? "overrun" : "running";
      setText(element, minutesSeconds(left));
      note = (box.dataset.textEnds || "").replace("%(time)s", timeText(endsAt, box.dataset.timezone));
      if (left <= 0) phase = "up";
      else if (left <= FIVE) phase = "five";
      else if (left <= TEN) phase = "ten";
      if (left > 0) next = exact - left; // until the next whole second
    }
    element.hidden = false;
    setText(box.querySelector("[data-countdown-label]"), box.dataset.textLeft || "");
    setText(box.querySelector("[data-countdown-note]"), note);
    this.signal(element, box, phase);
    return next;
  }

  signal(element, box, phase) {
    const words = phase ? box.dataset[`text${phase[0].toUpperCase()}${phase.slice(1)}`] || "" : "";
    const region = box.querySelector("[data-countdown-signal]");
    if (region) {
      region.hidden = phase === "";
      setText(region.querySelector("[data-countdown-signal-text]"), words);
    }
    if (box.dataset.phase !== phase) {
      for (const name of ["ten", "five", "up"]) box.classList.toggle(`countdown-${name}`, name === phase);
      box.dataset.phase = phase;
    }
    const before = this.phases.get(element);
    this.phases.set(element, phase);
    // Said when a signal becomes due while the page is open, not when the page opens with it.
    if (before !== undefined && ORDER[phase] > ORDER[before] && words) this.announce(words);
  }

  announce(words) {
    const now = Date.now();
    if (words === this.lastWords && now - this.lastWordsAt < SAME_WORDS_QUIET) return;
    this.lastWords = words;
    this.lastWordsAt = now;
    if (!this.announcer) return;
    // Empty first: the same words again are otherwise not read out.
    this.announcer.textContent = "";
    window.setTimeout(() => {
      this.announcer.textContent = words;
    }, 100);
  }

  ensureAnnouncer() {
    if (this.announcer || this.all().length === 0) return;
    const region = document.createElement("div");
    region.className = "visually-hidden";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    region.dataset.countdownAnnouncer = "";
    (document.querySelector("main") || document.body).append(region);
    this.announcer = region;
  }

  tick() {
    window.clearTimeout(this.timer);
    this.adopt();
    this.ensureAnnouncer();
    const now = this.clock.now();
    let wait = 1;
    for (const element of this.all()) {
      const next = this.show(element, now);
      if (next !== null) wait = Math.min(wait, next);
    }
    // Just after the next change of a shown number (at most a second from now).
    this.timer = window.setTimeout(() => this.tick(), Math.max(30, wait * 1000 + 15));
  }
}

function start() {
  if (globalThis[GLOBAL] !== undefined) return;
  const countdowns = new Countdowns();
  globalThis[GLOBAL] = countdowns;
  countdowns.tick();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
