/**
 * The hallway screen: now and next per room, for a TV that nobody touches all day.
 *
 * Hook: `[data-screen]` with `data-stream`/`data-since` (the barcamp's stream; on the team's
 * preview also `data-grid-stream`/`data-grid-since`), `data-fragment` (the screen's live part)
 * and `data-unavailable` (the text shown while the plan cannot be had). Inside it,
 * `[data-plan-state]` carries `data-server-now` (the server's clock, Unix ms, when it was made)
 * and `data-next-change` (Unix ms of the next slot boundary).
 *
 * It stays up to date by three ways, each enough on its own:
 * - `plan.changed` on the stream (realtime.js reconnects by itself, and after a reconnect the
 *   screen fetches once);
 * - a fetch every 60 seconds, whatever happens on the socket;
 * - a fetch at each slot boundary (now and next change without any message).
 * A fetch that fails keeps the last good content and shows "no connection since …"
 * (`[data-screen-offline]`) until a fetch works again. A 404 (the plan was taken back) shows
 * `data-unavailable` and goes on asking. The clock (`[data-screen-clock]`) runs on the
 * server's time. timer.changed: countdown.js updates the countdowns, and the screen fetches
 * again (an extended session stays "now" past its planned end).
 */

import { onOpen, subscribe } from "./realtime.js";

const EVERY = 60_000;
const BOUNDARY_DELAY = 1_000;

let offset = 0; // server clock minus this device's clock, ms

function serverNow() {
  return Date.now() + offset;
}

function clockText(ms, timeZone) {
  const language = document.documentElement.lang || "de";
  const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  try {
    return new Intl.DateTimeFormat(language, { ...options, timeZone }).format(new Date(ms));
  } catch {
    return new Intl.DateTimeFormat(language, options).format(new Date(ms));
  }
}

class Screen {
  constructor(root) {
    this.root = root;
    this.clock = document.querySelector("[data-screen-clock]");
    this.offline = document.querySelector("[data-screen-offline]");
    this.failedSince = null;
    this.asked = 0;
    this.shown = 0;
    this.boundaryTimer = null;
  }

  start() {
    this.readClock(this.state());
    this.follow(this.root.dataset.stream, this.root.dataset.since, [
      "plan.changed",
      "timer.changed",
    ]);
    this.follow(this.root.dataset.gridStream, this.root.dataset.gridSince, ["grid.changed"]);
    let first = true;
    onOpen(() => {
      if (!first) this.refresh();
      first = false;
    });
    window.setInterval(() => this.refresh(), EVERY);
    window.setInterval(() => this.tick(), 1_000);
    this.watchBoundary();
    this.tick();
  }

  state() {
    return this.root.querySelector("[data-plan-state]");
  }

  follow(stream, since, kinds) {
    if (!stream) return;
    const start = Number.parseInt(since ?? "", 10);
    subscribe(
      stream,
      (frame) => {
        if (kinds.includes(frame.type)) this.refresh();
      },
      { since: Number.isNaN(start) ? null : start },
    );
  }

  readClock(state) {
    const at = Number(state?.dataset.serverNow || "");
    if (Number.isFinite(at) && at > 0) offset = at - Date.now();
  }

  tick() {
    if (!this.clock) return;
    const text = clockText(serverNow(), this.clock.dataset.timezone || undefined);
    if (this.clock.textContent !== text) this.clock.textContent = text;
  }

  watchBoundary() {
    window.clearTimeout(this.boundaryTimer);
    const at = Number(this.state()?.dataset.nextChange || "");
    if (!Number.isFinite(at) || at <= 0) return;
    const wait = Math.min(Math.max(at - serverNow(), 0) + BOUNDARY_DELAY, 2 ** 31 - 1);
    this.boundaryTimer = window.setTimeout(() => this.refresh(), wait);
  }

  async refresh() {
    const ticket = ++this.asked;
    let response;
    try {
      response = await fetch(this.root.dataset.fragment, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
        cache: "no-store",
      });
    } catch {
      this.failed();
      return;
    }
    if (response.status === 404) {
      this.worked();
      this.unavailable();
      return;
    }
    if (!response.ok) {
      this.failed();
      return;
    }
    let html;
    try {
      html = await response.text();
    } catch {
      this.failed();
      return;
    }
    if (ticket < this.shown) return;
    this.shown = ticket;
    this.worked();
    this.swap(html);
  }

  swap(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.querySelector("[data-plan-state]");
    const old = this.state();
    if (!fresh || !old) return;
    old.replaceWith(fresh);
    this.readClock(fresh);
    this.tick();
    document.dispatchEvent(new CustomEvent("unkonf:content")); // countdowns look again
    this.watchBoundary();
  }

  unavailable() {
    const old = this.state();
    if (!old) return;
    const fresh = document.createElement("div");
    fresh.className = "screen-state";
    fresh.dataset.planState = "";
    const text = document.createElement("p");
    text.className = "screen-nothing";
    text.textContent = this.root.dataset.unavailable || "";
    fresh.append(text);
    old.replaceWith(fresh);
  }

  failed() {
    if (this.failedSince === null) this.failedSince = serverNow();
    if (!this.offline) return;
    const time = clockText(this.failedSince, this.clock?.dataset.timezone || undefined);
    this.offline.textContent = (this.offline.dataset.text || "").replace("%(time)s", time);
    this.offline.hidden = false;
  }

  worked() {
    this.failedSince = null;
    if (this.offline) {
      this.offline.hidden = true;
      this.offline.textContent = "";
    }
  }
}

function start() {
  const root = document.querySelector("[data-screen][data-fragment]");
  if (root) new Screen(root).start();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
