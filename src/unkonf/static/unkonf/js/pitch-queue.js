/**
 * Drag and drop in the pitch queue (for a mouse or touch pad). Everything here can also be
 * done with the "Up" / "Down" buttons of each entry, by keyboard.
 *
 * Hook: `ol[data-queue]` with `data-move-url`; entries `li[data-queue-item="<id>"]` with
 * `data-position`. A drop posts `proposal` and `position` like the buttons do and swaps
 * the moderators' state with the answer (htmx).
 */

function csrfToken() {
  return document.querySelector('input[name="csrfmiddlewaretoken"]')?.value || "";
}

let dragged = null;

document.addEventListener("dragstart", (event) => {
  const item = event.target instanceof Element ? event.target.closest("[data-queue-item]") : null;
  if (!item) return;
  dragged = item;
  item.classList.add("is-dragging");
  item.closest("[data-pitch]")?.setAttribute("data-dragging", "1");
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", item.dataset.queueItem);
});

document.addEventListener("dragover", (event) => {
  if (!dragged) return;
  const item = event.target instanceof Element ? event.target.closest("[data-queue-item]") : null;
  if (!item || item.closest("[data-queue]") !== dragged.closest("[data-queue]")) return;
  event.preventDefault();
  for (const other of item.parentElement.children) other.classList.remove("drop-before", "drop-after");
  const box = item.getBoundingClientRect();
  item.classList.add(event.clientY < box.top + box.height / 2 ? "drop-before" : "drop-after");
});

function finish() {
  if (!dragged) return;
  const root = dragged.closest("[data-pitch]");
  dragged.classList.remove("is-dragging");
  for (const item of document.querySelectorAll(".drop-before, .drop-after")) {
    item.classList.remove("drop-before", "drop-after");
  }
  dragged = null;
  if (root) {
    root.removeAttribute("data-dragging");
    if (root.dataset.stale === "1") {
      root.dataset.stale = "0";
      root.dispatchEvent(new CustomEvent("pitch:refresh"));
    }
  }
}

document.addEventListener("drop", (event) => {
  if (!dragged) return;
  const item = event.target instanceof Element ? event.target.closest("[data-queue-item]") : null;
  const list = dragged.closest("[data-queue]");
  if (!item || !list || item.closest("[data-queue]") !== list) return finish();
  event.preventDefault();
  const box = item.getBoundingClientRect();
  const after = event.clientY >= box.top + box.height / 2;
  const from = Number(dragged.dataset.position);
  let position = Number(item.dataset.position) + (after ? 1 : 0);
  if (from < position) position -= 1; // the dragged entry leaves its old place first
  const proposal = dragged.dataset.queueItem;
  finish();
  if (position === from || !window.htmx) return;
  window.htmx.ajax("POST", list.dataset.moveUrl, {
    target: "#pitch-moderator",
    swap: "outerHTML",
    values: { proposal, position, csrfmiddlewaretoken: csrfToken() },
  });
});

document.addEventListener("dragend", finish);
