/**
 * The pitch, live: the participants' phones, the big screen and the moderators' page.
 *
 * Hook: `data-pitch` with `data-stream` (the pitch's stored stream), `data-since` (its seq when
 * the page was made) and `data-fragment` (a URL that renders the current state). Each
 * `pitch.changed` message (and each reconnect) fetches the fragment again and swaps the
 * element with `data-pitch-state` inside: the socket says what changed, HTTP shows it. A state
 * whose version is shown already is not swapped again, and no swap happens during a drag or
 * while an htmx request that swaps into the same root is under way (it follows afterwards).
 * Focus inside the swapped state stays on the same `data-focus-key` (else on its heading).
 *
 * Timers (`data-timer`) count down in server time: `data-ends-at` (Unix seconds) while running,
 * else `data-remaining`; `data-server-now` (ms) is the server's clock when it rendered, so the
 * offset to this device's clock is taken out — every screen shows the same second.
 *
 * On the moderators' page, focus stays on the button that was used (`data-focus-key`) after a
 * swap, and the outcome (`data-feedback`) is read out in the `data-pitch-feedback` region.
 *
 * Phones (`data-render="message"`) fetch nothing when the pitch moves on: a thousand phones
 * fetching a page in the same second would stall the server. The message carries what a phone
 * shows (title, timer, count, what comes next); the page's `<template data-phone-state="…">`
 * give the markup. Which proposals this person marked is kept in one set for the page
 * (`globalThis[Symbol.for("unkonf.interested")]`, kept up to date by interest.js). After a
 * reconnect a phone fetches its state once, at a random moment of the next few seconds.
 */

import { onOpen, subscribe } from "./realtime.js";

let offset = 0; // server clock minus this device's clock, ms

function formatSeconds(seconds) {
  const whole = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function readClock(root) {
  const timer = root.querySelector("[data-timer]");
  const serverNow = Number(timer?.dataset.serverNow);
  if (Number.isFinite(serverNow) && serverNow > 0) offset = serverNow - Date.now();
}

function tick() {
  for (const timer of document.querySelectorAll("[data-timer]")) {
    let left = Number(timer.dataset.remaining || "0");
    if (timer.dataset.running === "1" && timer.dataset.endsAt) {
      left = Number(timer.dataset.endsAt) - (Date.now() + offset) / 1000;
    }
    const up = left <= 0 && timer.dataset.running === "1";
    const text = up ? timer.dataset.timeUp || "0:00" : formatSeconds(left);
    if (timer.textContent !== text) timer.textContent = text;
    timer.classList.toggle("is-up", up);
    timer.classList.toggle("is-ending", !up && timer.dataset.running === "1" && left <= 10);
  }
}

/** Focus the element with `data-focus-key` = key (in `scope` first), else a neighbour, else
 * the heading of the state: focus never falls back to the start of the page. */
function restoreFocus(key, scope = document) {
  const selector = key ? `[data-focus-key="${CSS.escape(key)}"]` : null;
  const target = selector
    ? scope.querySelector(selector) || document.querySelector(selector)
    : null;
  if (target && !target.disabled) {
    target.focus();
    return;
  }
  // "Down" of the entry that is now last is disabled: stay with that entry ("Up" …).
  const sibling = target
    ?.closest("[data-queue-item]")
    ?.querySelector("button[data-focus-key]:not([disabled])");
  if (sibling) {
    sibling.focus();
    return;
  }
  const heading =
    (scope === document ? null : scope.querySelector("h1, h2")) ||
    document.querySelector("[data-pitch] h2");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

function announce(root, fresh, old) {
  const news = document.querySelector("[data-pitch-news]");
  const title = fresh.querySelector(".pitch-title");
  const before = old?.querySelector(".pitch-title")?.textContent;
  if (news && title && title.textContent !== before) {
    news.textContent = `${news.dataset.nowPitching || ""} ${title.textContent}`.trim();
  }
}

let feedbackTimer = null;

function showFeedback(fresh) {
  const region = document.querySelector("[data-pitch-feedback]");
  if (!region || !fresh.dataset.feedback) return;
  const text = fresh.dataset.feedback;
  region.classList.toggle("error", fresh.dataset.feedbackOk === "0");
  clearTimeout(feedbackTimer);
  if (region.textContent !== text) {
    region.textContent = text;
    return;
  }
  // The same words again ("… is now number 2"): empty the region first, or a screen reader
  // hears nothing, since nothing changed.
  region.textContent = "";
  feedbackTimer = setTimeout(() => {
    region.textContent = text;
  }, 150);
}

// htmx requests under way whose answer is swapped into a pitch root (a moderator's button, a
// phone's "I'm in"): a live refresh must not replace their target before the answer comes, or
// the answer (and its feedback and focus) is lost.
const busy = new Map(); // root -> number of requests
const requestRoots = new WeakMap(); // xhr -> root

function isBusy(root) {
  return root.dataset.dragging === "1" || (busy.get(root) || 0) > 0;
}

function requestStarted(event) {
  const target = event.detail?.target;
  const root = target instanceof Element ? target.closest("[data-pitch]") : null;
  if (!root || !event.detail.xhr) return;
  requestRoots.set(event.detail.xhr, root);
  busy.set(root, (busy.get(root) || 0) + 1);
}

function requestEnded(event) {
  const xhr = event.detail?.xhr;
  const root = xhr ? requestRoots.get(xhr) : null;
  if (!root) return;
  requestRoots.delete(xhr);
  busy.set(root, Math.max(0, (busy.get(root) || 0) - 1));
  if (!isBusy(root) && root.dataset.stale === "1") {
    root.dataset.stale = "0";
    refresh(root); // what came meanwhile, if the answer did not show it already
  }
}

/** Fetch and show the current state. `again`: also when its version is the one shown (after a
 * break, when interest counts may have changed without a new pitch version). */
async function refresh(root, { again = false } = {}) {
  if (isBusy(root)) {
    root.dataset.stale = "1"; // fetched once the drag or the request is over
    return;
  }
  let response;
  try {
    response = await fetch(root.dataset.fragment, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
  } catch {
    return; // offline: the reconnect fetches again
  }
  if (!response.ok) return;
  const html = await response.text();
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const fresh = template.content.firstElementChild;
  const old = root.querySelector("[data-pitch-state]");
  if (!fresh || !old) return;
  if (isBusy(root)) {
    root.dataset.stale = "1";
    return;
  }
  const [freshVersion, shownVersion] = [Number(fresh.dataset.version), Number(old.dataset.version)];
  // An older answer, or the state shown already (an htmx answer came first): swapping it again
  // would pull the buttons from under the pointer.
  if (freshVersion < shownVersion || (freshVersion === shownVersion && !again)) return;
  const active = document.activeElement;
  const hadFocus = active instanceof HTMLElement && old.contains(active);
  old.replaceWith(fresh);
  if (window.htmx) window.htmx.process(fresh);
  readClock(root);
  announce(root, fresh, old);
  tick();
  // Someone was on a button in there (e.g. "I'm in" on a phone): keep them in place.
  if (hadFocus) restoreFocus(active.dataset.focusKey, fresh);
}

function interestedSet() {
  const key = Symbol.for("unkonf.interested");
  if (!globalThis[key]) globalThis[key] = new Set();
  return globalThis[key];
}

function fill(element, selector, text) {
  const target = element.querySelector(selector);
  if (target) target.textContent = text;
}

/** Show the phone's state from a `pitch.changed` message, without asking the server. */
function renderFromMessage(root, data) {
  const old = root.querySelector("[data-pitch-state]");
  if (!old || Number(data.version) <= Number(old.dataset.version)) return;
  const kind = data.state === "open" ? (data.current ? "current" : "open") : data.state;
  const template = document.querySelector(`template[data-phone-state="${kind}"]`);
  if (!template) {
    refresh(root);
    return;
  }
  const fresh = template.content.firstElementChild.cloneNode(true);
  fresh.dataset.version = String(data.version);
  if (kind === "current") {
    const id = String(data.current);
    fill(fresh, '[data-slot="title"]', data.title || "");
    fill(fresh, '[data-slot="button-title"]', `: ${data.title || ""}`);
    const link = fresh.querySelector('[data-slot="link"]');
    if (link) link.href = link.dataset.url.replace(/\/0\/$/, `/${id}/`);
    const next = fresh.querySelector('[data-slot="next"]');
    if (next) {
      next.textContent = data.next_title || "";
      next.parentElement.hidden = !data.next_title;
    }
    const timer = fresh.querySelector("[data-timer]");
    timer.dataset.running = data.timer_running ? "1" : "0";
    timer.dataset.endsAt = data.ends_at === null ? "" : String(data.ends_at);
    timer.dataset.remaining = String(data.remaining);
    const interest = fresh.querySelector("[data-interest]");
    interest.dataset.interest = id;
    interest.id = `interest-${id}`;
    const count = fresh.querySelector("[data-interest-count]");
    count.dataset.interestCount = id;
    if (data.count === null || data.count === undefined) {
      count.closest(".interest-count")?.remove();
    } else {
      count.dataset.version = String(data.count_version || 0);
      count.textContent = String(data.count);
    }
    const form = fresh.querySelector("[data-interest-form]");
    if (form) {
      const url = form.dataset.url.replace(/\/0\/interest\/$/, `/${id}/interest/`);
      const mine = interestedSet().has(Number(id));
      form.action = url;
      form.setAttribute("hx-post", url);
      form.setAttribute("hx-target", `#interest-${id}`);
      form.setAttribute("hx-swap", "outerHTML");
      form.querySelector('input[name="want"]').value = mine ? "0" : "1";
      const button = form.querySelector("button");
      button.id = `interest-button-${id}`;
      button.setAttribute("aria-pressed", mine ? "true" : "false");
      if (mine) {
        const check = document.createElement("span");
        check.className = "interest-check";
        check.setAttribute("aria-hidden", "true");
        check.textContent = "✓";
        button.insertBefore(document.createTextNode(" "), button.lastChild);
        button.insertBefore(check, button.lastChild);
      }
    }
  }
  const active = document.activeElement;
  const hadFocus = active instanceof HTMLElement && old.contains(active);
  old.replaceWith(fresh);
  if (window.htmx) window.htmx.process(fresh);
  announce(root, fresh, old);
  tick();
  if (hadFocus) restoreFocus(active.dataset.focusKey, fresh);
}

function start() {
  for (const root of document.querySelectorAll("[data-pitch][data-render=message]")) {
    try {
      for (const id of JSON.parse(root.dataset.interested || "[]")) interestedSet().add(Number(id));
    } catch {
      // a page without the list: the set fills as the person taps
    }
  }
  for (const root of document.querySelectorAll("[data-pitch][data-stream]")) {
    readClock(root);
    const since = Number.parseInt(root.dataset.since || "", 10);
    subscribe(
      root.dataset.stream,
      (frame) => {
        if (frame.type !== "pitch.changed") return;
        // Shown already (the moderator's own action came back with its answer): swapping the
        // same state again would pull the buttons from under the pointer.
        const shown = Number(root.querySelector("[data-pitch-state]")?.dataset.version);
        if (Number(frame.data?.version) <= shown) return;
        if (root.dataset.render === "message") {
          renderFromMessage(root, frame.data);
        } else {
          refresh(root);
        }
      },
      { since: Number.isInteger(since) ? since : null },
    );
    let first = true;
    onOpen(() => {
      if (!first) {
        // Back after a break: show what is now. Phones spread their fetches over a few
        // seconds, so a restarted server is not asked by everyone at once.
        const delay = root.dataset.render === "message" ? Math.random() * 3000 : 0;
        window.setTimeout(() => refresh(root, { again: true }), delay);
      }
      first = false;
    });
    root.addEventListener("pitch:refresh", () => refresh(root, { again: true }));
  }
  tick();
  window.setInterval(tick, 250);
}

// htmx swaps on the moderators' page: focus and feedback.
document.addEventListener("htmx:beforeRequest", (event) => {
  requestStarted(event);
  const key = document.activeElement?.dataset?.focusKey;
  if (key) event.detail.elt.dataset.pendingFocus = key;
});
document.addEventListener("htmx:afterRequest", requestEnded);
document.addEventListener("htmx:afterSwap", (event) => {
  const fresh = document.querySelector("#pitch-moderator");
  if (!fresh) return;
  const root = fresh.closest("[data-pitch]");
  if (root) readClock(root);
  showFeedback(fresh);
  tick();
  const form = event.detail.requestConfig?.elt;
  if (form instanceof HTMLFormElement && form.matches("[data-reset-after]") && fresh.dataset.feedbackOk === "1") {
    form.reset();
    form.querySelector("input:not([type=hidden])")?.focus();
    return;
  }
  restoreFocus(form?.dataset?.pendingFocus || form?.querySelector("[data-focus-key]")?.dataset.focusKey);
});

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
