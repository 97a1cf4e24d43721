/**
 * Personal notices, live on every page of a barcamp: "a session you marked has moved".
 *
 * Hook: `[data-plan-notices]` (only rendered for logged-in people) with `data-stream` (the
 * person's own stream `user.<id>`), `data-since` (its seq when the page was made, so a notice
 * sent in between is not missed), and the translated `data-label`, `data-link`, `data-dismiss`.
 *
 * A `plan.session_moved` message (`{id, title, text, url}`, `text` already in the person's
 * language) shows a notice in the visible list `[data-notice-list]`: the text, a link to the
 * session and a "dismiss" button. A newer notice about the same session replaces the older one.
 * The text is also put into the polite status region `[data-notice-news]` once, so a screen
 * reader says it without reading the buttons. Dismissing moves the focus to the next notice,
 * or back to the page.
 */

import { subscribe } from "./realtime.js";

function safePath(url) {
  // only a path on this site: "/…", never "//host" or another scheme
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : null;
}

function render(region, data) {
  const item = document.createElement("li");
  item.className = "plan-notice";
  item.dataset.noticeId = String(data.id);
  const text = document.createElement("p");
  text.className = "plan-notice-text";
  const label = document.createElement("strong");
  label.textContent = region.dataset.label || "";
  text.append(label, " ", String(data.text || ""));
  const path = safePath(data.url);
  if (path) {
    const link = document.createElement("a");
    link.href = path;
    link.textContent = region.dataset.link || "";
    text.append(" ", link);
  }
  const dismiss = document.createElement("button");
  dismiss.type = "button";
  dismiss.className = "button-secondary plan-notice-dismiss";
  dismiss.textContent = region.dataset.dismiss || "";
  const hidden = document.createElement("span");
  hidden.className = "visually-hidden";
  hidden.textContent = `: ${String(data.title || "")}`;
  dismiss.append(hidden);
  item.append(text, dismiss);
  return item;
}

function setUp(region) {
  const list = region.querySelector("[data-notice-list]");
  const news = region.querySelector("[data-notice-news]");
  if (!list) return;

  list.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("button") : null;
    const item = button?.closest(".plan-notice");
    if (!item) return;
    const next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    list.hidden = list.children.length === 0;
    const target = next?.querySelector("button") || document.getElementById("main");
    target?.focus();
  });

  const since = Number.parseInt(region.dataset.since ?? "", 10);
  subscribe(
    region.dataset.stream,
    (frame) => {
      if (frame.type !== "plan.session_moved" || !frame.data) return;
      const item = render(region, frame.data);
      const older = list.querySelector(`[data-notice-id="${CSS.escape(String(frame.data.id))}"]`);
      if (older) {
        older.replaceWith(item);
      } else {
        list.prepend(item);
      }
      list.hidden = false;
      if (news) {
        news.textContent = "";
        window.setTimeout(() => {
          news.textContent = `${region.dataset.label || ""}: ${String(frame.data.text || "")}`;
        }, 100);
      }
    },
    { since: Number.isNaN(since) ? null : since },
  );
}

const region = document.querySelector("[data-plan-notices]");
if (region) setUp(region);
