/**
 * The grid editor: choose a session, then a cell (keyboard and touch); drag and drop (mouse);
 * the plain forms posted in the background; other moderators' changes shown live.
 *
 * Hooks (scheduling/grid_editor.html, _grid_state.html):
 * - `[data-grid-editor]`: `data-stream` (the grid's stored stream), `data-since` (its seq when
 *   the page was made), `data-fragment` (the URL of the editor's state), `data-place-url`,
 *   `data-unplace-url`, and the translated texts `data-text-*` ({title}, {name}, {titles}).
 * - `[data-grid-state]` (`data-version`, `data-feedback`, `data-feedback-ok`): everything that
 *   changes. Every answer to a POST and every live update replaces it as a whole.
 * - `[data-choose="<id>"]` (`data-version`, `data-title`, `aria-pressed`): choose a session.
 *   Then each cell `[data-cell]` (`data-room`, `data-slot`) shows its `[data-target]` button,
 *   "Place here" or "Swap here"; Escape or `[data-cancel]` cancels, `[data-to-backlog]` takes
 *   a chosen session out of the grid.
 * - `[data-draggable="<id>"]`: dragged with a mouse onto a `[data-cell]` (an occupied cell:
 *   swap) or onto `[data-backlog]` (out of the grid).
 * - `form[data-grid-form]`: posted with fetch and the header `HX-Request`; the server answers
 *   with the state (200 done, 409 refused, 400 bad input) and its outcome in `data-feedback`.
 * - `[data-grid-feedback]` (role="status") reads out what happened, also "changed by …".
 *
 * Every POST carries the version of the session the page showed, so the server refuses a
 * change when someone else changed that session meanwhile. A live update that arrives while a
 * POST is under way or a drag is in progress waits until it is over. The chosen session stays
 * chosen across live updates while it is unchanged; if someone else changed it, the choice is
 * dropped with a word why. Focus stays on the same control (`data-focus-key`) after a swap.
 */

import { onOpen, subscribe } from "./realtime.js";

const root = document.querySelector("[data-grid-editor]");

let chosen = null; // {id, version, title, inGrid}
let dragging = null; // the same, for the session being dragged
let busy = 0; // POSTs under way
let stale = false; // a live update waits until the POST or the drag is over
let pending = []; // grid.changed messages that came meanwhile

function text(name, values = {}) {
  let result = root.dataset[name] || "";
  for (const [key, value] of Object.entries(values)) {
    result = result.replaceAll(`{${key}}`, value);
  }
  return result;
}

function state() {
  return root.querySelector("[data-grid-state]");
}

function shownVersion() {
  return Number(state()?.dataset.version || 0);
}

function csrfToken() {
  return root.querySelector('input[name="csrfmiddlewaretoken"]')?.value || "";
}

let feedbackTimer = null;

function announce(message, { error = false } = {}) {
  const region = document.querySelector("[data-grid-feedback]");
  if (!region || !message) return;
  region.classList.toggle("error", error);
  clearTimeout(feedbackTimer);
  if (region.textContent !== message) {
    region.textContent = message;
    return;
  }
  // The same words again: empty the region first, or a screen reader hears nothing.
  region.textContent = "";
  feedbackTimer = setTimeout(() => {
    region.textContent = message;
  }, 150);
}

function isShown(element) {
  return element instanceof HTMLElement && !element.disabled && element.getClientRects().length > 0;
}

/** Focus the first control of `keys` that is there and visible, else the grid's heading. */
function focusFirst(keys) {
  const current = state();
  if (!current) return;
  for (const key of keys) {
    if (!key) continue;
    const element = current.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (isShown(element)) {
      element.focus();
      return;
    }
  }
  current.querySelector("#grid-heading")?.focus();
}

function itemOf(element) {
  const button = element.querySelector("[data-choose]");
  return {
    id: Number(element.dataset.draggable || button?.dataset.choose),
    version: Number(button?.dataset.version || 0),
    title: button?.dataset.title || "",
    inGrid: Boolean(element.closest("[data-cell]")),
  };
}

/** Show the choice (or none) in the state: pressed button, targets, the selection bar. */
function showChoice() {
  const current = state();
  if (!current) return;
  for (const button of current.querySelectorAll("[data-choose]")) {
    button.hidden = false; // they need this script, so the page starts without them
    const on = chosen !== null && button.dataset.choose === String(chosen.id);
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.closest("[data-entry]")?.classList.toggle("is-chosen", on);
  }
  const own = chosen
    ? current.querySelector(`[data-cell] [data-entry="${chosen.id}"]`)?.closest("[data-cell]")
    : null;
  for (const target of current.querySelectorAll("[data-target]")) {
    target.hidden = chosen === null || target.closest("[data-cell]") === own;
  }
  const bar = current.querySelector("[data-selection]");
  if (bar) {
    bar.hidden = chosen === null;
    const line = bar.querySelector("[data-selection-text]");
    if (line) line.textContent = chosen ? text("textChosen", { title: chosen.title }) : "";
    const back = bar.querySelector("[data-to-backlog]");
    if (back) back.hidden = !(chosen && chosen.inGrid);
  }
  current.classList.toggle("is-choosing", chosen !== null);
}

function choose(button) {
  if (chosen && button.dataset.choose === String(chosen.id)) {
    cancel();
    return;
  }
  chosen = itemOf(button.closest("[data-entry]"));
  showChoice();
  // The selection bar says what to do next; from there Tab leads into the grid.
  state().querySelector("[data-selection-text]")?.focus();
}

function cancel() {
  if (!chosen) return;
  const id = chosen.id;
  chosen = null;
  showChoice();
  announce(text("textCancelled"));
  focusFirst([`choose-${id}`]);
}

/** Replace the state with `html`. `force`: also when its version is the one shown (an answer
 * to this page's own POST); `own`: the answer to this page's own POST, which says itself what
 * happened. Returns whether it was swapped and the title of a choice that someone else's
 * change ended. */
function swap(html, { force = false, focus = null, own = false } = {}) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const fresh = template.content.querySelector("[data-grid-state]");
  const old = state();
  if (!fresh || !old) return { swapped: false, lost: "" };
  if (!force && Number(fresh.dataset.version) <= Number(old.dataset.version)) {
    return { swapped: false, lost: "" };
  }
  const active = document.activeElement;
  const focusKey = active instanceof HTMLElement && old.contains(active) ? active.dataset.focusKey : null;
  const hadFocus = active instanceof HTMLElement && old.contains(active);
  // forms "room and time" that someone has open stay open
  const open = new Set(
    [...old.querySelectorAll("details[open]")].map((d) => d.closest("[data-entry]")?.dataset.entry),
  );
  old.replaceWith(fresh);
  for (const details of fresh.querySelectorAll("details")) {
    if (open.has(details.closest("[data-entry]")?.dataset.entry)) details.open = true;
  }
  let lost = "";
  if (chosen) {
    const button = fresh.querySelector(`[data-choose="${chosen.id}"]`);
    if (!button || Number(button.dataset.version) !== chosen.version) {
      if (!own) lost = chosen.title;
      chosen = null;
    } else {
      chosen.inGrid = Boolean(button.closest("[data-cell]"));
    }
  }
  showChoice();
  if (focus) {
    focusFirst(focus);
  } else if (hadFocus) {
    focusFirst([focusKey, chosen ? "selection" : null]);
  }
  return { swapped: true, lost };
}

/** Is someone filling in a field of the grid (the form "choose room and time")? A live
 * update then waits until the focus leaves it, so the choice being made is not reset. */
function editing() {
  const active = document.activeElement;
  return (
    active instanceof HTMLElement &&
    root.contains(active) &&
    active.matches("select, textarea, input:not([type=hidden]):not([type=submit])")
  );
}

function settle() {
  if (busy > 0 || dragging || editing()) return;
  const queued = pending;
  pending = [];
  const wasStale = stale;
  stale = false;
  const newer = queued.filter((data) => Number(data.version) > shownVersion());
  if (newer.length > 0 || wasStale) refresh({ changes: newer });
}

/** Post `body` to `url` and show the answer. A change of the chosen session (or one without
 * a session: undo, publish) ends the choice; a refused one keeps it, to try another cell. `ok`,
 * `refused`: the controls (`data-focus-key`) to focus after it, the first one that is there. */
async function post(url, body, { ok = null, refused = null } = {}) {
  body.set("csrfmiddlewaretoken", csrfToken());
  busy += 1;
  let response = null;
  let html = "";
  try {
    response = await fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "HX-Request": "true", Accept: "text/html" },
    });
    html = await response.text();
  } catch {
    response = null;
  }
  busy -= 1;
  const known = response && [200, 400, 409].includes(response.status);
  if (!known || !html.includes("data-grid-state")) {
    announce(text("textFailed"), { error: true });
    stale = true;
    settle();
    return;
  }
  const done = response.status === 200;
  const subject = body.get("proposal");
  if (done && chosen && (!subject || subject === String(chosen.id))) chosen = null;
  // The answer says what happened (also when the chosen session was changed meanwhile).
  swap(html, { force: true, focus: done ? ok : refused, own: true });
  announce(state()?.dataset.feedback || "", { error: !done });
  settle();
}

function postValues(url, values, focus) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) body.append(key, String(value));
  return post(url, body, focus);
}

/** Put `item` into `cell` (a swap if someone is there). */
function placeInto(cell, item, { keyboard = false } = {}) {
  const occupant = cell.querySelector("[data-entry]");
  if (occupant && occupant.dataset.entry === String(item.id)) return; // its own cell
  const values = {
    proposal: item.id,
    room: cell.dataset.room,
    slot: cell.dataset.slot,
    expected_version: item.version,
  };
  if (occupant) values.swap = "1";
  const target = `target-${cell.dataset.room}-${cell.dataset.slot}`;
  postValues(root.dataset.placeUrl, values, {
    ok: keyboard ? [`choose-${item.id}`] : null,
    refused: keyboard ? [target, "selection"] : null,
  });
}

function unplace(item, { keyboard = false } = {}) {
  postValues(
    root.dataset.unplaceUrl,
    { proposal: item.id, expected_version: item.version },
    { ok: keyboard ? [`choose-${item.id}`] : null, refused: keyboard ? ["selection"] : null },
  );
}

/** A live update after the POST or the drag: the messages, or a fetch all the same. */
function wait(changes) {
  if (changes.length > 0) {
    pending.push(...changes);
  } else {
    stale = true;
  }
}

/** Fetch the state as it is now and show it; say what changed (`changes`: the messages). */
async function refresh({ again = false, changes = [] } = {}) {
  if (busy > 0 || dragging || editing()) {
    wait(changes);
    return;
  }
  let html = "";
  try {
    const response = await fetch(root.dataset.fragment, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    if (!response.ok) return;
    html = await response.text();
  } catch {
    return; // offline: the reconnect fetches again
  }
  if (busy > 0 || dragging || editing()) {
    wait(changes);
    return;
  }
  const { swapped, lost } = swap(html, { force: again });
  if (!swapped) return;
  const words = changes.map(describe).filter(Boolean);
  if (lost) words.push(text("textLost", { title: lost }));
  if (words.length > 0) announce(words.join(" "));
}

function describe(data) {
  if (data.action === "publish") return text("textPublished");
  if (data.action === "unpublish") return text("textUnpublished");
  const current = state();
  const titles = (data.proposals || [])
    .map((id) => current?.querySelector(`[data-choose="${id}"]`)?.dataset.title)
    .filter(Boolean)
    .map((title) => `“${title}”`)
    .join(", ");
  return data.actor
    ? text("textChangedBy", { name: data.actor, titles })
    : text("textChanged", { titles });
}

function onMessage(frame) {
  if (frame.type !== "grid.changed") return;
  const data = frame.data || {};
  if (Number(data.version) <= shownVersion()) return; // shown already (our own answer)
  refresh({ changes: [data] });
}

// --- choosing with buttons -----------------------------------------------------------------

function onClick(event) {
  const element = event.target instanceof Element ? event.target : null;
  if (!element) return;
  const chooseButton = element.closest("[data-choose]");
  if (chooseButton) {
    choose(chooseButton);
    return;
  }
  const target = element.closest("[data-target]");
  if (target && chosen) {
    placeInto(target.closest("[data-cell]"), chosen, { keyboard: true });
    return;
  }
  if (element.closest("[data-cancel]")) {
    cancel();
    return;
  }
  if (element.closest("[data-to-backlog]") && chosen) unplace(chosen, { keyboard: true });
}

function onSubmit(event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("[data-grid-form]")) return;
  event.preventDefault();
  const submitter = event.submitter instanceof HTMLElement ? event.submitter : null;
  const body = new URLSearchParams(new FormData(form, submitter));
  const proposal = body.get("proposal");
  const keys = [submitter?.dataset.focusKey, proposal ? `choose-${proposal}` : null];
  // getAttribute: an input called "action" (publish) would shadow `form.action`
  post(form.getAttribute("action"), body, { ok: [...keys, "publication"], refused: [...keys, "publication"] });
}

function onKey(event) {
  if (event.key === "Escape" && chosen) {
    event.preventDefault();
    cancel();
  }
}

// --- drag and drop -------------------------------------------------------------------------

function dropZone(element) {
  if (!dragging || !(element instanceof Element)) return null;
  const cell = element.closest("[data-cell]");
  if (cell) return cell;
  const backlog = element.closest("[data-backlog]");
  return backlog && dragging.inGrid ? backlog : null;
}

function clearDropMarks() {
  for (const marked of root.querySelectorAll(".is-drop-target")) {
    marked.classList.remove("is-drop-target");
  }
}

function endDrag() {
  if (!dragging) return;
  dragging = null;
  clearDropMarks();
  for (const item of root.querySelectorAll(".is-dragging")) item.classList.remove("is-dragging");
  settle();
}

function onDragStart(event) {
  const item = event.target instanceof Element ? event.target.closest("[data-draggable]") : null;
  if (!item || !root.contains(item)) return;
  dragging = itemOf(item);
  item.classList.add("is-dragging");
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", String(dragging.id));
}

function onDragOver(event) {
  const zone = dropZone(event.target);
  if (!zone) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = "move";
  if (!zone.classList.contains("is-drop-target")) {
    clearDropMarks();
    zone.classList.add("is-drop-target");
  }
}

function onDrop(event) {
  const zone = dropZone(event.target);
  const item = dragging;
  if (zone && item) {
    event.preventDefault();
    if (zone.matches("[data-backlog]")) {
      unplace(item);
    } else {
      placeInto(zone, item);
    }
  }
  endDrag();
}

// --- start -----------------------------------------------------------------------------------

function start() {
  if (!root) return;
  showChoice();
  root.addEventListener("click", onClick);
  root.addEventListener("submit", onSubmit);
  root.addEventListener("dragstart", onDragStart);
  root.addEventListener("dragover", onDragOver);
  root.addEventListener("dragleave", (event) => {
    if (event.target instanceof Element && event.target.matches(".is-drop-target")) {
      if (!event.target.contains(event.relatedTarget)) event.target.classList.remove("is-drop-target");
    }
  });
  root.addEventListener("drop", onDrop);
  // what waited while a field was being filled in is shown once the focus leaves it
  root.addEventListener("focusout", () => window.setTimeout(settle, 0));
  root.addEventListener("dragend", endDrag);
  document.addEventListener("keydown", onKey);
  const since = Number.parseInt(root.dataset.since || "", 10);
  subscribe(root.dataset.stream, onMessage, { since: Number.isInteger(since) ? since : null });
  let first = true;
  onOpen(() => {
    if (!first) refresh({ again: true }); // back after a break: show what is now
    first = false;
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
