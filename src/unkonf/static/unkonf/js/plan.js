/**
 * The plan's pages, live: by day, a room, now and next, my plan.
 *
 * Hook: `[data-plan]` with `data-stream` (the barcamp's stream), `data-since` (its seq when the
 * page was made), `data-fragment` (the same address with `?fragment=1`: the live part alone)
 * and, on the team's preview of an unpublished plan, `data-grid-stream`/`data-grid-since`.
 * Inside it, `[data-plan-state]` is the part that is swapped.
 *
 * - `plan.changed` (or `grid.changed` on the preview) fetches the fragment again and swaps it:
 *   the socket says what changed, HTTP shows it. Many people have the plan open, so each page
 *   waits a random moment of up to 1.5 s first; the server is not asked by everyone at once.
 *   Sessions named in the message's `moved` are marked for a while (`is-just-moved`, with the
 *   server's "moved from …" text in them), and the polite region `[data-plan-news]` says that
 *   the plan has been updated.
 * - `timer.changed`: countdown.js updates the countdowns from the message; the fragment is
 *   fetched again too (spread), because an extended session stays "now" past its planned end.
 * - After a reconnect the fragment is fetched once (what changed meanwhile).
 * - `data-next-change` (Unix ms) on the state: when a slot begins or ends, "now" and "next"
 *   change without any message, so the fragment is fetched again at that moment.
 * - A star (htmx swaps its own form) is followed by a fetch too, so the session's other copy
 *   on the page (table and list) and "my plan" agree.
 * - Focus stays on the element with the same id after a swap (else on the page's heading).
 * - A 404 means the plan was taken back: the page reloads and says so.
 */

import { onOpen, subscribe } from "./realtime.js";

const SPREAD = 1_500; // ms: fetches after a change are spread over this time
const MARK_FOR = 60_000; // ms: how long a moved session stays marked
const BOUNDARY_DELAY = 1_000; // ms after a slot boundary (the server decides what runs)

function parseSince(value) {
  const since = Number.parseInt(value ?? "", 10);
  return Number.isNaN(since) ? null : since;
}

const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

/** What makes a control the same after a swap: its id, else its kind, session, target and name. */
function focusKey(el) {
  if (el.id) return `#${el.id}`;
  const session = el.closest("[data-session]")?.getAttribute("data-session") || "";
  const target = el.getAttribute("href") || el.getAttribute("name") || "";
  const name = el.getAttribute("aria-label") || (el.textContent || "").trim().slice(0, 80);
  return [el.tagName, session, target, name].join("|");
}

class LivePlan {
  constructor(root) {
    this.root = root;
    this.asked = 0; // number of the latest fetch
    this.shown = 0; // number of the fetch whose answer is shown
    this.pending = null; // timer of a spread fetch
    this.boundaryTimer = null;
    this.moved = new Set();
    this.announceNext = false;
    this.news = document.querySelector("[data-plan-news]");
  }

  start() {
    this.follow(this.root.dataset.stream, this.root.dataset.since, ["plan.changed", "timer.changed"]);
    this.follow(this.root.dataset.gridStream, this.root.dataset.gridSince, ["grid.changed"]);
    let first = true;
    onOpen(() => {
      if (!first) this.later({ spread: true });
      first = false;
    });
    document.addEventListener("htmx:afterSwap", (event) => {
      const form = event.detail?.requestConfig?.elt;
      if (form instanceof Element && form.matches("[data-star]")) this.refresh();
    });
    this.watchBoundary();
  }

  follow(stream, since, kinds) {
    if (!stream) return;
    subscribe(
      stream,
      (frame) => {
        if (!kinds.includes(frame.type)) return;
        if (frame.type === "timer.changed") {
          this.later({ spread: true }); // nothing to announce: the countdowns say it
          return;
        }
        for (const id of frame.data?.moved || []) this.moved.add(String(id));
        this.later({ spread: true, announce: true });
      },
      { since: parseSince(since) },
    );
  }

  later({ spread = false, announce = false } = {}) {
    if (announce) this.announceNext = true;
    if (this.pending !== null) return; // one fetch is coming anyway
    const delay = spread ? Math.random() * SPREAD : 0;
    this.pending = window.setTimeout(() => {
      this.pending = null;
      this.refresh();
    }, delay);
  }

  watchBoundary() {
    window.clearTimeout(this.boundaryTimer);
    const state = this.root.querySelector("[data-plan-state]");
    const at = Number(state?.dataset.nextChange || "");
    if (!Number.isFinite(at) || at <= 0) return;
    // setTimeout takes at most about 24 days; a later boundary is looked at again then.
    // spread like the fetches after a change, so a full hall does not ask in the same second
    const wait = Math.min(
      Math.max(at - Date.now(), 0) + BOUNDARY_DELAY + Math.random() * SPREAD,
      2 ** 31 - 1,
    );
    this.boundaryTimer = window.setTimeout(() => this.refresh(), wait);
  }

  async refresh() {
    const ticket = ++this.asked;
    let response;
    try {
      response = await fetch(this.root.dataset.fragment, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
    } catch {
      return; // offline: the reconnect fetches again
    }
    if (response.status === 404) {
      window.location.reload(); // the plan was taken back (or the barcamp is gone)
      return;
    }
    if (!response.ok) return;
    const html = await response.text();
    if (ticket < this.shown) return; // an answer that came after a newer one
    this.shown = ticket;
    this.swap(html);
  }

  swap(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.querySelector("[data-plan-state]");
    const old = this.root.querySelector("[data-plan-state]");
    if (!fresh || !old) return;
    const active = document.activeElement;
    const hadFocus = active instanceof HTMLElement && old.contains(active);
    const key = hadFocus ? focusKey(active) : "";
    old.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    this.mark(fresh);
    if (hadFocus) {
      // the same control in the new content (by id, or by what it is and where it points),
      // so a live update never throws keyboard and screen-reader users back to the top
      const same = [...fresh.querySelectorAll(FOCUSABLE)].find((el) => focusKey(el) === key);
      const target = same || document.querySelector("main h1");
      if (target) {
        if (!same) target.setAttribute("tabindex", "-1");
        target.focus();
      }
    }
    if (this.announceNext && this.news) {
      this.announceNext = false;
      const text = this.news.dataset.text || "";
      // emptied first, so the same words are read again after the next change
      this.news.textContent = "";
      window.setTimeout(() => {
        this.news.textContent = text;
      }, 150);
    }
    document.dispatchEvent(new CustomEvent("unkonf:content")); // countdowns look again
    this.watchBoundary();
  }

  mark(state) {
    for (const id of this.moved) {
      for (const session of state.querySelectorAll(`[data-session="${CSS.escape(id)}"]`)) {
        session.classList.add("is-just-moved");
      }
    }
    const marked = [...this.moved];
    window.setTimeout(() => {
      for (const id of marked) this.moved.delete(id);
      for (const session of document.querySelectorAll(".is-just-moved")) {
        if (!this.moved.has(session.dataset.session)) session.classList.remove("is-just-moved");
      }
    }, MARK_FOR);
  }
}

function start() {
  for (const root of document.querySelectorAll("[data-plan][data-fragment]")) {
    new LivePlan(root).start();
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
