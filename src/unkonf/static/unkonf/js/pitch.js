/**
 * The pitch, live: the participants' phones, the big screen and the moderators' page.
 *
 * Hook: `data-pitch` with `data-stream` (the pitch's stored stream), `data-since` (its seq when
 * the page was made) and `data-fragment` (a URL that renders the current state). Each
 * `pitch.changed` message (and each reconnect) fetches the fragment again and swaps the
 * element with `data-pitch-state` inside: the socket says what changed, HTTP shows it.
 *
 * Timers (`data-timer`) count down in server time: `data-ends-at` (Unix seconds) while running,
 * else `data-remaining`; `data-server-now` (ms) is the server's clock when it rendered, so the
 * offset to this device's clock is taken out — every screen shows the same second.
 *
 * On the moderators' page, focus stays on the button that was used (`data-focus-key`) after a
 * swap, and the outcome (`data-feedback`) is read out in the `data-pitch-feedback` region.
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

function restoreFocus(key) {
  if (!key) return;
  const target = document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
  if (target && !target.disabled) {
    target.focus();
  } else {
    document.querySelector("[data-pitch]")?.querySelector("h2")?.setAttribute("tabindex", "-1");
    document.querySelector("[data-pitch] h2")?.focus();
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

function showFeedback(fresh) {
  const region = document.querySelector("[data-pitch-feedback]");
  if (region && fresh.dataset.feedback) {
    region.textContent = fresh.dataset.feedback;
    region.classList.toggle("error", fresh.dataset.feedbackOk === "0");
  }
}

async function refresh(root) {
  if (root.dataset.dragging === "1") {
    root.dataset.stale = "1";
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
  if (Number(fresh.dataset.version) < Number(old.dataset.version)) return; // an older answer
  const focusKey = document.activeElement?.dataset?.focusKey;
  old.replaceWith(fresh);
  if (window.htmx) window.htmx.process(fresh);
  readClock(root);
  announce(root, fresh, old);
  tick();
  if (focusKey) restoreFocus(focusKey);
}

function start() {
  for (const root of document.querySelectorAll("[data-pitch][data-stream]")) {
    readClock(root);
    const since = Number.parseInt(root.dataset.since || "", 10);
    subscribe(
      root.dataset.stream,
      (frame) => {
        if (frame.type === "pitch.changed") refresh(root);
      },
      { since: Number.isInteger(since) ? since : null },
    );
    let first = true;
    onOpen(() => {
      if (!first) refresh(root); // back after a break: show what is now
      first = false;
    });
    root.addEventListener("pitch:refresh", () => refresh(root));
  }
  tick();
  window.setInterval(tick, 250);
}

// htmx swaps on the moderators' page: focus and feedback.
document.addEventListener("htmx:beforeRequest", (event) => {
  const key = document.activeElement?.dataset?.focusKey;
  if (key) event.detail.elt.dataset.pendingFocus = key;
});
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
