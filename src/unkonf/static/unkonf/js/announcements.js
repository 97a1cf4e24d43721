/**
 * Announcements from the organisers, live: `announcement.sent` on the barcamp's stream goes into
 * the banner region (`data-announcements`, role="status", so screen readers read it out).
 *
 * The region says which stream to follow (`data-stream`) and from where (`data-since`: the
 * stream's position when the page was made, so nothing sent in between is missed). The "hide"
 * button sits outside the live region (changing it must not make the banner be read again);
 * hidden announcements stay hidden on the next pages (localStorage, this browser only).
 */

import { subscribe } from "./realtime.js";

const HIDDEN_KEY = "unkonf.hiddenAnnouncements";

function hiddenIds() {
  try {
    const ids = JSON.parse(window.localStorage.getItem(HIDDEN_KEY) || "[]");
    return Array.isArray(ids) ? ids.map(String) : [];
  } catch {
    return [];
  }
}

function remember(id) {
  try {
    const ids = [...hiddenIds().filter((known) => known !== id), id].slice(-20);
    window.localStorage.setItem(HIDDEN_KEY, JSON.stringify(ids));
  } catch {
    // storage may be off (private mode, policy): then it is hidden on this page only
  }
}

function timeText(iso, timeZone) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const language = document.documentElement.lang || "de";
  const options = { hour: "2-digit", minute: "2-digit" };
  try {
    return new Intl.DateTimeFormat(language, { ...options, timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(language, options).format(date);
  }
}

function render(region, data) {
  const banner = document.createElement("div");
  banner.className = "announcement";
  banner.dataset.announcementId = String(data.id);
  const label = document.createElement("p");
  label.className = "announcement-label";
  const strong = document.createElement("strong");
  strong.textContent = region.dataset.label || "";
  const time = document.createElement("time");
  time.dateTime = String(data.created || "");
  time.textContent = timeText(data.created, region.dataset.timezone || undefined);
  label.append(strong, " ", time);
  const text = document.createElement("div");
  text.className = "announcement-text";
  text.innerHTML = String(data.html || ""); // sanitised by the server (nh3)
  banner.append(label, text);
  return banner;
}

function setUp(region) {
  const hideButton = region.parentElement?.querySelector("[data-announcement-hide]");
  const current = () => region.querySelector(".announcement");
  const showButton = () => {
    if (hideButton) hideButton.hidden = current() === null;
  };

  const shown = current();
  if (shown && hiddenIds().includes(shown.dataset.announcementId)) shown.remove();
  showButton();

  hideButton?.addEventListener("click", () => {
    const banner = current();
    if (banner) remember(banner.dataset.announcementId);
    region.replaceChildren();
    showButton();
    document.getElementById("main")?.focus();
  });

  const since = Number.parseInt(region.dataset.since ?? "", 10);
  subscribe(
    region.dataset.stream,
    (frame) => {
      if (frame.type !== "announcement.sent" || !frame.data) return;
      region.replaceChildren(render(region, frame.data));
      showButton();
    },
    { since: Number.isNaN(since) ? null : since },
  );
}

const region = document.querySelector("[data-announcements]");
if (region) setUp(region);
