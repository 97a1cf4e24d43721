/**
 * The timekeeper's page, live.
 *
 * Hook: `[data-timekeeper]` with `data-stream` (the barcamp's stream), `data-since` (its seq
 * when the page was made) and `data-fragment` (the page's URL: fetched with `HX-Request` it
 * answers the board alone). Every `timer.changed` (another timekeeper, another window) and
 * once a minute (late starts and overruns grow without a message) the board is fetched again
 * and swapped: the socket says what changed, HTTP shows what it looks like.
 *
 * The buttons are htmx forms that swap the board themselves; their answer carries the outcome
 * in `data-feedback` (read out in `[data-timekeeper-feedback]`, role="status") and the button
 * that was used in `data-focus`, which gets the focus back (or, if it is disabled now, the
 * first button of the same clock). A refused action answers 400 with the board: it is swapped
 * too. Open room lists (`<details data-details-key>`) stay open across swaps, and no live swap
 * happens while someone types minutes or while an action is on its way.
 */

import { onOpen, subscribe } from "./realtime.js";

const REFRESH_EVERY = 60_000;

function board() {
  return document.getElementById("timekeeper-board");
}

function openDetails(scope) {
  return new Set(
    [...(scope?.querySelectorAll("details[data-details-key]") || [])]
      .filter((details) => details.open)
      .map((details) => details.dataset.detailsKey),
  );
}

function reopen(scope, keys) {
  for (const details of scope.querySelectorAll("details[data-details-key]")) {
    if (keys.has(details.dataset.detailsKey)) details.open = true;
  }
}

function focusKey(key, scope) {
  if (!key) return;
  const selector = `[data-focus-key="${CSS.escape(key)}"]`;
  let target = scope.querySelector(selector);
  if (!target || target.disabled) {
    // "End" is disabled once the clock has ended: stay with the same clock ("Start again").
    const tail = key.replace(/^[a-z]+-/, "");
    target = scope.querySelector(`[data-focus-key="start-${CSS.escape(tail)}"]`);
  }
  if (target) {
    // a control inside a closed list of rooms opens it; the list's own summary leaves it as it is
    if (target.tagName !== "SUMMARY") target.closest("details")?.setAttribute("open", "");
    target.focus();
  }
}

let pending = 0; // htmx requests on their way into the board
let generation = 0; // counts swaps by htmx: a live fetch that started before one is stale
let stale = false;
let feedbackTimer = null;

function busy() {
  const active = document.activeElement;
  const typing = active instanceof HTMLInputElement && board()?.contains(active);
  return pending > 0 || typing;
}

function showFeedback(fresh) {
  const region = document.querySelector("[data-timekeeper-feedback]");
  const text = fresh.dataset.feedback;
  if (!region || !text) return;
  region.classList.toggle("error", fresh.dataset.feedbackOk === "0");
  window.clearTimeout(feedbackTimer);
  if (region.textContent !== text) {
    region.textContent = text;
    return;
  }
  region.textContent = ""; // the same words again: empty first, or nothing is read out
  feedbackTimer = window.setTimeout(() => {
    region.textContent = text;
  }, 150);
}

async function refresh(root) {
  if (busy()) {
    stale = true;
    return;
  }
  stale = false;
  const started = generation;
  let response;
  try {
    response = await fetch(root.dataset.fragment, {
      credentials: "same-origin",
      headers: { Accept: "text/html", "HX-Request": "true" },
    });
  } catch {
    return; // offline: the reconnect fetches again
  }
  if (!response.ok) return;
  const html = await response.text();
  if (started !== generation || busy()) {
    stale = true; // an action's answer came meanwhile, or someone started typing
    return;
  }
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const fresh = template.content.firstElementChild;
  const old = board();
  if (!fresh || !old) return;
  const keys = openDetails(old);
  const active = document.activeElement;
  const key = active instanceof HTMLElement && old.contains(active) ? active.dataset.focusKey : null;
  reopen(fresh, keys);
  old.replaceWith(fresh);
  if (window.htmx) window.htmx.process(fresh);
  document.dispatchEvent(new CustomEvent("unkonf:content")); // countdown.js shows the new ones
  if (key) focusKey(key, fresh);
}

function start() {
  const root = document.querySelector("[data-timekeeper]");
  if (!root) return;
  const since = Number.parseInt(root.dataset.since || "", 10);
  subscribe(
    root.dataset.stream,
    (frame) => {
      if (frame.type === "timer.changed") refresh(root);
    },
    { since: Number.isInteger(since) ? since : null },
  );
  let first = true;
  onOpen(() => {
    if (!first) refresh(root); // back after a break
    first = false;
  });
  window.setInterval(() => refresh(root), REFRESH_EVERY);
  document.addEventListener("focusout", () => {
    window.setTimeout(() => {
      if (stale && !busy()) refresh(root);
    }, 0);
  });

  let detailsBefore = new Set();
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail?.target?.id === "timekeeper-board") pending += 1;
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail?.target?.id !== "timekeeper-board") return;
    pending = Math.max(0, pending - 1);
    if (pending === 0 && stale) window.setTimeout(() => refresh(root), 0);
  });
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail?.target?.id !== "timekeeper-board") return;
    detailsBefore = openDetails(board());
    if (event.detail.xhr?.status === 400) {
      event.detail.shouldSwap = true; // a refusal: the board with its message
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSwap", () => {
    const fresh = board();
    if (!fresh || !fresh.dataset.feedback) return;
    generation += 1;
    reopen(fresh, detailsBefore);
    showFeedback(fresh);
    focusKey(fresh.dataset.focus, fresh);
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
