/**
 * Live interest counts, and the "I'm in" button over the websocket.
 *
 * Hook: an element with `data-live-interest` and `data-stream="event.<id>.pitch"`. The
 * server sends `proposal.interest_changed` on that stream, coalesced to a few messages a
 * second: `{counts: {"<proposal id>": [count, version]}}`. Every element with
 * `data-interest-count="<id>"` shows the count; it keeps the highest version it has seen
 * (`data-version`), because messages from several server processes may arrive in any order.
 *
 * The button: forms with `data-interest-form` post with htmx (and without JavaScript as a
 * plain form). While the websocket is open, a tap goes over it instead (`interest.set`),
 * which is lighter for the server when a whole hall taps at once; the button shows the
 * new state at once and goes back if the server refuses (its message is shown).
 */

import { isOpen, on, send, subscribe } from "./realtime.js";

const followed = new Set();

/** The proposals this person marked, for the whole page (pitch.js reads it too). */
function interestedSet() {
  const key = Symbol.for("unkonf.interested");
  if (!globalThis[key]) globalThis[key] = new Set();
  return globalThis[key];
}

function remember(id, want) {
  if (want) {
    interestedSet().add(Number(id));
  } else {
    interestedSet().delete(Number(id));
  }
}
let nextRef = 1;
const waiting = new Map(); // ref -> {form, want}

function follow(root) {
  const stream = root.dataset.stream;
  if (stream && !followed.has(stream)) {
    followed.add(stream);
    subscribe(stream, () => {});
  }
}

function showCount(id, count, version) {
  for (const element of document.querySelectorAll(`[data-interest-count="${id}"]`)) {
    const known = Number(element.dataset.version || "0");
    if (version < known) continue;
    element.dataset.version = String(version);
    element.textContent = String(count);
  }
}

on("proposal.interest_changed", (frame) => {
  const counts = frame.data && frame.data.counts;
  if (!counts || typeof counts !== "object") return;
  for (const [id, value] of Object.entries(counts)) {
    if (Array.isArray(value) && value.length === 2) showCount(id, Number(value[0]), Number(value[1]));
  }
});

function setPressed(form, want) {
  const button = form.querySelector("button");
  const wantField = form.querySelector('input[name="want"]');
  if (!button || !wantField) return;
  // The label stays; the state is aria-pressed, with a check mark that is not read out.
  button.setAttribute("aria-pressed", want ? "true" : "false");
  const check = button.querySelector(".interest-check");
  if (want && !check) {
    const mark = document.createElement("span");
    mark.className = "interest-check";
    mark.setAttribute("aria-hidden", "true");
    mark.textContent = "✓";
    button.firstChild?.after(" ", mark);
  } else if (!want && check) {
    const space = check.previousSibling;
    if (space?.nodeType === Node.TEXT_NODE && space.textContent === " ") space.remove();
    check.remove();
  }
  wantField.value = want ? "0" : "1";
}

function feedback(form, text) {
  const region = form.closest("[data-interest]")?.querySelector(".interest-feedback");
  if (!region) return;
  region.textContent = "";
  if (text) {
    const span = document.createElement("span");
    span.className = "error";
    span.textContent = text;
    region.append(span);
  }
}

document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-interest-form]")) return;
    if (!isOpen()) return; // htmx (or the plain form) does it
    const container = form.closest("[data-interest]");
    const id = Number(container?.dataset.interest);
    if (!Number.isInteger(id)) return;
    const want = form.querySelector('input[name="want"]')?.value === "1";
    const ref = `i${nextRef++}`;
    if (!send({ type: "interest.set", proposal: id, want, ref })) return;
    event.preventDefault();
    event.stopPropagation();
    waiting.set(ref, { form, want, id });
    setPressed(form, want);
    remember(id, want);
    feedback(form, "");
  },
  true,
);

on("ack", (frame) => {
  const tap = waiting.get(frame.ref);
  if (!tap) return;
  waiting.delete(frame.ref);
  const data = frame.data;
  if (data && Number.isInteger(data.count)) showCount(data.proposal, data.count, data.version);
});

on("error", (frame) => {
  const tap = waiting.get(frame.ref);
  if (!tap) return;
  waiting.delete(frame.ref);
  setPressed(tap.form, !tap.want);
  remember(tap.id, !tap.want);
  feedback(tap.form, frame.message || "");
});

// Without the websocket, htmx posts and swaps the button: remember what it says now.
document.addEventListener("htmx:afterSwap", (event) => {
  const block = event.detail?.target;
  if (!(block instanceof Element)) return;
  const fresh = document.getElementById(block.id) || block;
  const id = fresh.dataset?.interest;
  const button = fresh.querySelector?.("[data-interest-form] button[aria-pressed]");
  if (id && button) remember(id, button.getAttribute("aria-pressed") === "true");
});

function start() {
  for (const root of document.querySelectorAll("[data-live-interest][data-stream]")) follow(root);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
