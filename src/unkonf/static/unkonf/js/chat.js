/**
 * A chat page, live: new messages appear in the log (role="log", read out politely), deleted
 * ones disappear, the form posts over the websocket, the presence line stays current.
 *
 * Hooks (rendered by chat/chat.html):
 *   [data-chat]            data-stream, data-since (absent on older pages), data-room,
 *                          data-user-id, data-moderator, data-timezone
 *   [data-chat-log]        the log; [data-chat-empty] the "no messages yet" line in it
 *   [data-chat-template]   a <template> with one message, id 0, every action in it
 *   [data-chat-form]       the form; it posts normally when the socket is not open
 *   [data-chat-feedback]   role="status" for the outcome of actions
 *   [data-presence-count]  data-one / data-other with {count}; [data-presence-names]
 *   form[data-chat-action] delete / report / pause, sent with fetch (they work without, too)
 */

import { isOpen, on, onOpen, send, subscribe } from "./realtime.js";

const ACK_TIMEOUT = 10_000;
const NEAR_BOTTOM = 80; // px: a reader this close to the end follows new messages

const root = document.querySelector("[data-chat]");

function language() {
  return document.documentElement.lang || "de";
}

function clockTime(iso, timeZone) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const options = { hour: "2-digit", minute: "2-digit", hour12: false };
  try {
    return new Intl.DateTimeFormat(language(), { ...options, timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(language(), options).format(date);
  }
}

function setUpLog(chat) {
  const log = chat.querySelector("[data-chat-log]");
  const template = chat.querySelector("[data-chat-template]");
  const feedback = chat.querySelector("[data-chat-feedback]");
  const userId = chat.dataset.userId;
  const moderator = chat.hasAttribute("data-moderator");

  const nearBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < NEAR_BOTTOM;
  const toBottom = () => {
    log.scrollTop = log.scrollHeight;
  };
  toBottom();

  function build(data) {
    const id = String(data.id);
    const article = template.content.firstElementChild.cloneNode(true);
    article.id = `message-${id}`;
    article.dataset.messageId = id;
    for (const element of article.querySelectorAll("[id]")) {
      element.id = element.id.replace(/^m0-/, `m${id}-`);
    }
    for (const label of article.querySelectorAll("label[for]")) {
      label.htmlFor = label.htmlFor.replace(/^m0-/, `m${id}-`);
    }
    for (const form of article.querySelectorAll("form")) {
      form.action = form.getAttribute("action").replace("/messages/0/", `/messages/${id}/`);
    }
    const own = data.author_id !== undefined && String(data.author_id) === userId;
    if (own) article.classList.add("chat-message-own");
    const drop = (kind) => article.querySelector(`[data-chat-action="${kind}"]`)?.remove();
    if (!own && !moderator) drop("delete");
    if (own) {
      drop("report");
      drop("pause");
    }
    article.querySelector(".chat-author").textContent = String(data.author ?? "");
    const time = article.querySelector("time");
    time.dateTime = String(data.created ?? "");
    time.textContent = clockTime(data.created, chat.dataset.timezone || undefined);
    article.querySelector(".chat-text").innerHTML = String(data.html ?? ""); // sanitised by nh3
    return article;
  }

  function posted(data) {
    if (document.getElementById(`message-${data.id}`)) return; // already on the page
    if (data.html === "") return; // replayed, but deleted since (its text is gone)
    const follow = nearBottom();
    log.querySelector("[data-chat-empty]")?.remove();
    log.append(build(data));
    if (follow) toBottom();
  }

  function deleted(data) {
    const article = document.getElementById(`message-${data.id}`);
    if (!article || !log.contains(article)) return;
    const hadFocus = article.contains(document.activeElement);
    article.remove();
    if (hadFocus) log.focus();
  }

  if (chat.dataset.stream) {
    const since = Number.parseInt(chat.dataset.since ?? "", 10);
    subscribe(
      chat.dataset.stream,
      (frame) => {
        if (!frame.data) return;
        if (frame.type === "chat.message_posted") posted(frame.data);
        else if (frame.type === "chat.message_deleted") deleted(frame.data);
      },
      { since: Number.isNaN(since) ? null : since },
    );
  }

  // Message actions: sent in the background, the outcome said in the status line.
  chat.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-chat-action]")) return;
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      });
      if (!(response.headers.get("Content-Type") || "").startsWith("text/plain")) {
        form.submit(); // not a short answer (a login page, a 404): let the browser show it
        return;
      }
      feedback.textContent = await response.text();
      if (response.ok) {
        const details = form.closest("details");
        if (details) {
          details.open = false;
          details.querySelector("summary")?.focus(); // the button just pressed is hidden now
        }
        if (form.dataset.chatAction === "delete") {
          const article = form.closest("[data-message-id]");
          if (article) deleted({ id: article.dataset.messageId });
        }
      }
    } catch {
      form.submit(); // no answer over fetch: let the browser post it the ordinary way
      return;
    } finally {
      if (button) button.disabled = false;
    }
  });
}

function setUpForm(chat) {
  const form = chat.querySelector("[data-chat-form]");
  if (!form || !chat.dataset.stream) return;
  const field = form.querySelector("textarea[name=text]");
  const fieldBox = field.closest(".field") ?? field.parentElement;
  const errorId = `${field.id}_error`;
  const pending = new Map(); // ref -> {text, timer}
  let counter = 0;

  function clearError() {
    document.getElementById(errorId)?.remove();
    fieldBox.classList.remove("field-invalid");
    field.removeAttribute("aria-invalid");
    const described = (field.getAttribute("aria-describedby") || "")
      .split(" ")
      .filter((id) => id && id !== errorId);
    if (described.length) field.setAttribute("aria-describedby", described.join(" "));
    else field.removeAttribute("aria-describedby");
  }

  function showError(text) {
    clearError();
    const error = document.createElement("p");
    error.className = "error";
    error.id = errorId;
    error.setAttribute("role", "alert");
    error.textContent = text;
    fieldBox.append(error);
    fieldBox.classList.add("field-invalid");
    field.setAttribute("aria-invalid", "true");
    const described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    field.setAttribute("aria-describedby", [...described, errorId].join(" "));
  }

  // What is being written survives a reload (the page reloads itself after a long absence).
  const draftKey = `unkonf.chatDraft:${chat.dataset.stream}`;
  let postedNormally = false; // the form went off the ordinary way: no draft to keep
  try {
    const draft = window.sessionStorage.getItem(draftKey);
    if (draft && !field.value.trim()) field.value = draft;
    window.sessionStorage.removeItem(draftKey);
  } catch {
    // storage may be off: nothing to restore
  }
  window.addEventListener("pagehide", () => {
    try {
      if (!postedNormally && field.value.trim()) {
        window.sessionStorage.setItem(draftKey, field.value);
      }
    } catch {
      // storage may be off: the draft is lost, as without this
    }
  });

  // A server-rendered error (no-JS post) is cleared as soon as the person types again.
  field.addEventListener("input", () => {
    if (document.getElementById(errorId)) clearError();
  });

  form.addEventListener("submit", (event) => {
    if (!isOpen()) {
      postedNormally = true; // posts the ordinary way
      return;
    }
    event.preventDefault();
    counter += 1;
    const ref = `c${counter}`;
    const text = field.value;
    if (!send({ type: "chat.post", stream: chat.dataset.stream, text, ref })) {
      postedNormally = true;
      form.submit();
      return;
    }
    const timer = setTimeout(() => {
      pending.delete(ref);
      showError(form.dataset.noAnswer || "");
    }, ACK_TIMEOUT);
    pending.set(ref, { text, timer });
  });

  on("ack", (frame) => {
    const sent = pending.get(frame.ref);
    if (!sent) return;
    clearTimeout(sent.timer);
    pending.delete(frame.ref);
    clearError();
    if (field.value === sent.text) field.value = "";
    field.focus();
  });

  on("error", (frame) => {
    const sent = pending.get(frame.ref);
    if (!sent) return;
    clearTimeout(sent.timer);
    pending.delete(frame.ref);
    showError(String(frame.message ?? ""));
    field.focus();
  });
}

function setUpPresence(chat) {
  const rules = new Intl.PluralRules(language());
  const counts = chat.querySelectorAll("[data-presence-count]");
  const names = chat.querySelector("[data-presence-names]");
  on("presence.changed", (frame) => {
    const data = frame.data;
    if (!data || typeof data.place !== "string") return;
    const count = Number(data.count) || 0;
    for (const element of counts) {
      if (element.dataset.presenceCount !== data.place) continue;
      const text = rules.select(count) === "one" ? element.dataset.one : element.dataset.other;
      element.textContent = (text || "{count}").replace("{count}", String(count));
    }
    if (names && names.dataset.presenceNames === data.place) {
      const shown = Array.isArray(data.names) ? data.names.map(String) : [];
      names.textContent = shown.length ? `${names.dataset.label} ${shown.join(", ")}` : "";
      names.hidden = shown.length === 0;
    }
  });
  const room = Number.parseInt(chat.dataset.room ?? "", 10);
  if (!Number.isNaN(room)) onOpen(() => send({ type: "enter", room }));
}

if (root) {
  setUpLog(root);
  setUpForm(root);
  setUpPresence(root);
}
