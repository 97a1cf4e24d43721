/**
 * The page's one websocket, shared by every live part of a barcamp page.
 *
 * Hook: `data-realtime-event="<slug>"` on <body> or <main>; the socket goes to
 * /ws/events/<slug>/?lang=<de|en> (the protocol is documented in realtime/consumers.py and
 * docs/realtime.md). The element gets `data-realtime-state="open"` or `"closed"`. An element with `data-realtime-status` (role="status") and the texts
 * `data-offline`, `data-online`, `data-reload` shows the connection state.
 *
 * - Stored streams carry sequence numbers. Per stream the last seq is kept; duplicates
 *   (seq <= last) are dropped, a gap (seq > last + 1) asks again with `since=last`.
 * - On close: reconnect with exponential back-off and full jitter (0.5 s doubling up to
 *   15 s, each wait a random time below that), then subscribe each stream with its last seq.
 *   While the browser says it is offline, it waits for it to come back.
 * - `resync`: subscribe everything again with its last seq. `reload`: too far behind, the page
 *   says so and reloads.
 * - A ping every 25 s; a connection that has been silent for a minute counts as dead.
 *
 * API for other modules:
 *   subscribe(stream, handler, {since}) -> unsubscribe()   stored messages of a stream, in order
 *   on(type, handler) -> off()                              every frame of that type
 *   onOpen(handler) -> off()                                now if open, and after each reconnect
 *   send(frame) -> boolean                                  false when not connected
 *   isOpen() -> boolean
 *
 * The state lives on `globalThis`, so the module loaded twice under two URLs (hashed and plain
 * static file names) still makes one connection.
 */

const GLOBAL = Symbol.for("unkonf.realtime");
const PING_EVERY = 25_000;
const SILENCE_LIMIT = 60_000;
const BACKOFF_START = 500;
const BACKOFF_CAP = 15_000;
const STABLE_AFTER = 10_000; // a connection that held this long resets the back-off
const OFFLINE_NOTICE_AFTER = 1_500;
const BACK_NOTICE_FOR = 5_000;
const RELOAD_AFTER = 4_000;
const MAX_GAP_RETRIES = 3;
const FINAL_CLOSE_CODES = new Set([4403, 4404]); // not allowed, no such barcamp

function report(error) {
  // A broken handler must not break the connection or the other handlers.
  setTimeout(() => {
    throw error;
  });
}

class Stream {
  constructor(name, since) {
    this.name = name;
    this.last = since; // last seq applied; null: not known yet
    this.handlers = new Set();
    this.buffer = new Map(); // seq -> frame that came too early
    this.pending = false; // a subscribe is on its way
    this.gapRetries = 0;
  }
}

class RealtimeClient {
  constructor(root) {
    this.root = root;
    this.slug = root.dataset.realtimeEvent;
    this.status = document.querySelector("[data-realtime-status]");
    this.streams = new Map();
    this.typeHandlers = new Map();
    this.openHandlers = new Set();
    this.socket = null;
    this.attempt = 0;
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.stableTimer = null;
    this.noticeTimer = null;
    this.lastHeard = 0;
    this.offlineShown = false;
    this.stopped = false; // the page is going away, or the server said no for good
    this.reloading = false;

    window.addEventListener("offline", () => this.wentOffline());
    window.addEventListener("online", () => this.cameOnline());
    window.addEventListener("pagehide", () => this.pause());
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) this.resume();
    });
    this.connect();
  }

  // --- API -------------------------------------------------------------------------------------

  subscribe(name, handler, { since = null } = {}) {
    let stream = this.streams.get(name);
    if (!stream) {
      const start = Number.isInteger(since) && since >= 0 ? since : null;
      stream = new Stream(name, start);
      this.streams.set(name, stream);
      if (this.isOpen()) this.requestStream(stream);
    }
    stream.handlers.add(handler);
    return () => stream.handlers.delete(handler);
  }

  on(type, handler) {
    if (!this.typeHandlers.has(type)) this.typeHandlers.set(type, new Set());
    this.typeHandlers.get(type).add(handler);
    return () => this.typeHandlers.get(type).delete(handler);
  }

  onOpen(handler) {
    this.openHandlers.add(handler);
    if (this.isOpen()) this.call(handler);
    return () => this.openHandlers.delete(handler);
  }

  send(frame) {
    if (!this.isOpen()) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  // --- connection ------------------------------------------------------------------------------

  url() {
    const language = document.documentElement.lang === "en" ? "en" : "de";
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const path = `/ws/events/${encodeURIComponent(this.slug)}/`;
    return `${scheme}//${window.location.host}${path}?lang=${language}`;
  }

  connect() {
    this.reconnectTimer = null;
    if (this.stopped || this.socket !== null) return;
    if (navigator.onLine === false) {
      // The "online" event brings us back; try now and then anyway, in case it never comes.
      this.reconnectTimer = setTimeout(() => this.connect(), BACKOFF_CAP);
      return;
    }
    let socket;
    try {
      socket = new WebSocket(this.url());
    } catch (error) {
      report(error);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => this.opened(socket));
    socket.addEventListener("message", (event) => this.received(socket, event));
    socket.addEventListener("close", (event) => this.closed(socket, event.code));
  }

  setState(state) {
    this.root.dataset.realtimeState = state; // "open" / "closed", for styles and tests
  }

  opened(socket) {
    if (socket !== this.socket) return;
    this.setState("open");
    // Reset the back-off only once the connection holds: a server that accepts and drops at
    // once must not be hammered.
    this.stableTimer = setTimeout(() => {
      this.attempt = 0;
    }, STABLE_AFTER);
    this.lastHeard = Date.now();
    this.pingTimer = setInterval(() => this.heartbeat(), PING_EVERY);
    for (const stream of this.streams.values()) {
      stream.pending = false;
      this.requestStream(stream);
    }
    this.showOnline();
    for (const handler of this.openHandlers) this.call(handler);
  }

  heartbeat() {
    if (Date.now() - this.lastHeard > SILENCE_LIMIT) {
      this.drop(); // nothing came back, not even a pong: the connection is dead
      return;
    }
    this.send({ type: "ping" });
  }

  closed(socket, code) {
    if (socket !== this.socket) return;
    this.socket = null;
    clearInterval(this.pingTimer);
    clearTimeout(this.stableTimer);
    this.setState("closed");
    if (this.stopped || this.reloading) return;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.stopped = true;
      return;
    }
    this.showOffline(OFFLINE_NOTICE_AFTER);
    this.scheduleReconnect();
  }

  /** Give up on the current socket at once (dead, or the browser went offline). */
  drop() {
    const socket = this.socket;
    if (socket === null) return;
    try {
      socket.close();
    } catch {
      // closing a broken socket may throw; it is gone either way
    }
    this.closed(socket, 1006);
  }

  scheduleReconnect() {
    if (this.reconnectTimer !== null || this.stopped) return;
    const ceiling = Math.min(BACKOFF_CAP, BACKOFF_START * 2 ** this.attempt);
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => this.connect(), Math.random() * ceiling);
  }

  wentOffline() {
    this.drop();
    this.showOffline(0);
  }

  cameOnline() {
    if (this.stopped || this.socket !== null) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.attempt = 0;
    // a little jitter: a whole office network comes back at the same moment
    this.reconnectTimer = setTimeout(() => this.connect(), Math.random() * BACKOFF_START);
  }

  pause() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = this.socket;
    this.socket = null;
    clearInterval(this.pingTimer);
    if (socket !== null) socket.close(1000);
  }

  resume() {
    this.stopped = false;
    this.attempt = 0;
    this.connect();
  }

  // --- frames ----------------------------------------------------------------------------------

  received(socket, event) {
    if (socket !== this.socket) return;
    this.lastHeard = Date.now();
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame === null || typeof frame !== "object" || typeof frame.type !== "string") return;
    switch (frame.type) {
      case "subscribed":
        this.subscribed(frame);
        return;
      case "resync":
        for (const stream of this.streams.values()) this.requestStream(stream);
        return;
      case "reload":
        this.reload();
        return;
      default:
        break;
    }
    const stream = typeof frame.stream === "string" ? this.streams.get(frame.stream) : undefined;
    if (stream && Number.isInteger(frame.seq)) {
      this.inOrder(stream, frame);
    } else {
      this.emit(frame);
    }
  }

  requestStream(stream) {
    stream.pending = true;
    this.send({ type: "subscribe", stream: stream.name, since: stream.last });
  }

  inOrder(stream, frame) {
    if (stream.last !== null && frame.seq <= stream.last) return; // seen already
    if (stream.last === null || frame.seq > stream.last + 1) {
      stream.buffer.set(frame.seq, frame);
      if (stream.last !== null && !stream.pending) this.requestStream(stream); // a gap
      return;
    }
    this.apply(stream, frame);
    this.drain(stream);
  }

  subscribed(frame) {
    const stream = this.streams.get(frame.stream);
    if (!stream || !Number.isInteger(frame.seq)) return;
    stream.pending = false;
    if (stream.last === null) stream.last = frame.seq;
    this.drain(stream);
    if (stream.buffer.size === 0) {
      stream.gapRetries = 0;
    } else if (stream.gapRetries < MAX_GAP_RETRIES) {
      stream.gapRetries += 1;
      this.requestStream(stream);
    } else {
      // what is missing is not coming: go on with what is here
      stream.gapRetries = 0;
      stream.last = Math.min(...stream.buffer.keys()) - 1;
      this.drain(stream);
    }
  }

  drain(stream) {
    for (const seq of stream.buffer.keys()) {
      if (seq <= stream.last) stream.buffer.delete(seq);
    }
    while (stream.buffer.has(stream.last + 1)) {
      const next = stream.buffer.get(stream.last + 1);
      stream.buffer.delete(stream.last + 1);
      this.apply(stream, next);
    }
  }

  apply(stream, frame) {
    stream.last = frame.seq;
    for (const handler of stream.handlers) this.call(handler, frame);
    this.emit(frame);
  }

  emit(frame) {
    const handlers = this.typeHandlers.get(frame.type);
    if (!handlers) return;
    for (const handler of handlers) this.call(handler, frame);
  }

  call(handler, ...args) {
    try {
      handler(...args);
    } catch (error) {
      report(error);
    }
  }

  reload() {
    if (this.reloading) return;
    this.reloading = true;
    this.say(this.status?.dataset.reload);
    setTimeout(() => window.location.reload(), RELOAD_AFTER);
  }

  // --- the quiet banner ------------------------------------------------------------------------

  say(text) {
    if (!this.status || !text) return;
    this.status.textContent = text;
  }

  showOffline(delay) {
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      if (this.isOpen() || this.reloading) return;
      this.offlineShown = true;
      this.status?.classList.add("connection-status-offline");
      this.say(this.status?.dataset.offline);
    }, delay);
  }

  showOnline() {
    clearTimeout(this.noticeTimer);
    if (!this.offlineShown || !this.status) return;
    this.offlineShown = false;
    this.status.classList.remove("connection-status-offline");
    this.say(this.status.dataset.online);
    this.noticeTimer = setTimeout(() => {
      if (this.isOpen()) this.status.textContent = "";
    }, BACK_NOTICE_FOR);
  }
}

function client() {
  if (globalThis[GLOBAL] === undefined) {
    const root = document.querySelector("[data-realtime-event]");
    globalThis[GLOBAL] = root ? new RealtimeClient(root) : null;
  }
  return globalThis[GLOBAL];
}

export function subscribe(stream, handler, options = {}) {
  return client()?.subscribe(stream, handler, options) ?? (() => {});
}

export function on(type, handler) {
  return client()?.on(type, handler) ?? (() => {});
}

export function onOpen(handler) {
  return client()?.onOpen(handler) ?? (() => {});
}

export function send(frame) {
  return client()?.send(frame) ?? false;
}

export function isOpen() {
  return client()?.isOpen() ?? false;
}

client();
