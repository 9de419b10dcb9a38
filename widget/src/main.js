// Running Solutions chat widget for Rasa's `socketio` channel.
//
// Embed:
//   <script>window.ClinicChatConfig = { serverUrl: "https://bot.example", bookingUrl: "https://..." };</script>
//   <script src="https://site.example/clinic-chat.js" defer></script>
//
// Protocol (rasa/core/channels/socketio.py with session_persistence: true, plus the
// delivery receipts of clinic_assistant/channels/safe.py SafeSocketIOInput):
//   emit  session_request {session_id}                -> receive session_confirm <session_id>
//   emit  user_uttered {message, session_id, message_id}  -> ack {message_id, status}
//   receive bot_uttered {text?, quick_replies?, attachment?, reply_to, reply_index}
//   receive message_handled {message_id, replies}      (all replies to it were sent)
//   emit  replay_request {session_id, message_id}     -> the replies to it again
//   emit  heartbeat                                    -> ack (a dead connection shows within seconds)
//
// Safety: every piece of text is inserted as text nodes (no innerHTML anywhere).
// Privacy: sessionStorage holds only the session id, the id of the last message
// (not its text) and whether the panel is open; never the conversation.

import { io } from "socket.io-client";
import { appendRichText, makeContactLink, makeLink, safeHref, telHref } from "./richtext.js";
import { css } from "./styles.js";
import { contrast, ensureContrast, parseHex, textOn, toHex } from "./colors.js";

const DEFAULTS = {
  serverUrl: "http://localhost:5005",
  socketPath: "/socket.io",
  userMessageEvent: "user_uttered",
  botMessageEvent: "bot_uttered",
  // Websocket needs no CORS on Rasa's side; polling is the fallback for
  // networks that block websockets (needs `rasa run --cors <site origin>`).
  transports: ["websocket", "polling"],
  title: "Chat with us",
  subtitle: "Automated assistant",
  launcherLabel: "Chat",
  placeholder: "Type your question…",
  primaryColor: "#0b5d4b",
  bookingUrl: "",
  // The clinic's facts (clinic/clinic.yml): shown when the chat cannot connect,
  // in the privacy line, and as tap-to-call / tap-to-mail links.
  clinicName: "",
  clinicPhone: "",
  clinicEmail: "",
  clinicHours: "",
  privacyUrl: "",
  retentionDays: "",
  initPayload: "", // e.g. "/greet": sent silently on first open to get a welcome
  restartPayload: "/restart", // sent by "Start over" (same session id: erasure still covers all)
  welcomeMessage: "", // shown locally on first open when no initPayload
  footer: "",
  storageKey: "clinic-chat",
  replyTimeoutMs: 60000, // typing dots give up after this long without message_handled
  ackTimeoutMs: 8000, // a message not acknowledged by then is "not delivered"
  heartbeatIntervalMs: 2000,
  heartbeatTimeoutMs: 3500, // no heartbeat ack by then: the connection is dead, reconnect
  connectTimeoutMs: 8000,
};

const TEXT = {
  connecting: "Connecting…",
  lost: "Connection lost, reconnecting…",
  cannotConnect: "The chat can't connect right now. Still trying…",
  you: "You: ",
  bot: "Assistant: ",
  typing: "Assistant is typing…",
  inputLabel: "Your message",
  send: "Send",
  close: "Close chat",
  startOver: "Start over",
  startOverLabel: "Start over: clear this chat and begin a new conversation",
  replies: "Suggested answers",
  image: "View image",
  sending: "Sending…",
  sent: "Delivered",
  failed: "Not delivered – tap to retry",
  failedWaiting: "Not delivered – will retry when the connection is back",
  unread: " (new reply)",
  booking: "Book an appointment",
  bookingNote: "Opens the booking page in a new tab",
  reloaded: "Earlier messages are not kept on this device.",
  privacyLink: "Privacy notice",
};

function h(doc, tag, attrs, children) {
  const el = doc.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === false || v == null) continue;
      if (k === "text") el.textContent = v;
      else if (k === "className") el.className = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const c of children || []) if (c) el.appendChild(typeof c === "string" ? doc.createTextNode(c) : c);
  return el;
}

function chatIcon(doc) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = doc.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = doc.createElementNS(ns, "path");
  path.setAttribute(
    "d",
    "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z"
  );
  svg.appendChild(path);
  return svg;
}

function makeStore(key) {
  let storage = null;
  try {
    storage = window.sessionStorage;
    const probe = key + ":probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
  } catch (_) {
    storage = null; // storage blocked: the widget still works, without persistence
  }
  return {
    load() {
      if (!storage) return {};
      try {
        const v = JSON.parse(storage.getItem(key) || "{}");
        return v && typeof v === "object" ? v : {};
      } catch (_) {
        return {};
      }
    },
    save(state) {
      if (!storage) return;
      try {
        storage.setItem(key, JSON.stringify(state));
      } catch (_) {
        /* quota exceeded: keep going without persistence */
      }
    },
  };
}

function newId() {
  const bytes = new Uint8Array(12);
  (window.crypto || window.msCrypto).getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function normaliseButtons(msg) {
  const list = Array.isArray(msg.quick_replies) && msg.quick_replies.length
    ? msg.quick_replies
    : Array.isArray(msg.buttons)
      ? msg.buttons
      : [];
  return list
    .filter((b) => b && (typeof b.title === "string" || typeof b.payload === "string"))
    .slice(0, 12)
    .map((b) => ({
      title: String(b.title != null ? b.title : b.payload),
      payload: String(b.payload != null ? b.payload : b.title),
      url: typeof b.url === "string" ? b.url : undefined,
    }));
}

/** Turn one bot_uttered payload into transcript entries (plain data only). */
function botEntries(msg) {
  if (!msg || typeof msg !== "object") {
    return typeof msg === "string" ? [{ from: "bot", text: msg }] : [];
  }
  const entries = [];
  const buttons = normaliseButtons(msg);
  if (typeof msg.text === "string" && msg.text.trim()) {
    entries.push({ from: "bot", text: msg.text, buttons });
  } else if (buttons.length) {
    entries.push({ from: "bot", text: "", buttons });
  }
  const att = msg.attachment;
  if (att && typeof att === "object") {
    const payload = att.payload || {};
    if (att.type === "template" && payload.elements) {
      const els = Array.isArray(payload.elements) ? payload.elements : [payload.elements];
      for (const el of els.slice(0, 10)) {
        if (!el || typeof el !== "object") continue;
        const text = [el.title, el.subtitle].filter((x) => typeof x === "string").join("\n");
        entries.push({ from: "bot", text, buttons: normaliseButtons(el) });
      }
    } else {
      const src = payload.src || payload.url || att.url;
      if (typeof src === "string") entries.push({ from: "bot", text: "", attachment: src });
    }
  }
  return entries;
}

function clockTime(date) {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function init() {
  if (window.__clinicChatLoaded) return;
  window.__clinicChatLoaded = true;

  const cfg = Object.assign({}, DEFAULTS, window.ClinicChatConfig || {});
  const doc = document;
  const store = makeStore(cfg.storageKey + ":" + cfg.serverUrl);
  const saved = store.load();
  // Everything here is kept in sessionStorage; nothing a runner wrote or was told.
  const state = {
    sessionId: typeof saved.sessionId === "string" ? saved.sessionId : null,
    lastMessageId: typeof saved.lastMessageId === "string" ? saved.lastMessageId : null,
    open: saved.open === true,
  };
  const restored = !!state.sessionId;
  // Greeted already if any message of this session was acknowledged.
  let greeted = !!state.lastMessageId;
  const persist = () =>
    store.save({ sessionId: state.sessionId, lastMessageId: state.lastMessageId, open: state.open });

  // In memory only (gone with the page).
  let entries = []; // what the log shows
  const outbox = new Map(); // message id -> {payload, entry, acked, hidden, onHandled}
  const seenReplies = new Set(); // "<reply_to>:<reply_index>" already shown
  const dropped = new Set(); // ids of messages sent before "Start over": replies ignored
  let reloadNote = restored;

  // ---- theme (AA contrast whatever primaryColor is) ----
  const white = [255, 255, 255];
  const botBgRgb = [238, 242, 241];
  const primaryRgb = parseHex(cfg.primaryColor) || parseHex(DEFAULTS.primaryColor);
  const onPrimary = textOn(primaryRgb);
  const linkRgb = ensureContrast(primaryRgb, botBgRgb, 4.5);
  const focusRgb = ensureContrast(primaryRgb, white, 3);
  const theme = {
    primary: toHex(primaryRgb),
    onPrimary: toHex(onPrimary),
    text: "#1f2933",
    botBg: toHex(botBgRgb),
    link: toHex(linkRgb),
    focus: toHex(focusRgb),
  };
  // Exposed for tests / the clinic's own QA.
  window.ClinicChat = window.ClinicChat || {};
  window.ClinicChat.contrast = {
    primaryText: contrast(primaryRgb, onPrimary),
    link: contrast(linkRgb, botBgRgb),
    linkOnWhite: contrast(linkRgb, white),
  };

  // ---- DOM ----
  const host = h(doc, "div", { id: "clinic-chat", "data-clinic-chat": "" });
  const shadow = host.attachShadow({ mode: "open" });
  shadow.appendChild(h(doc, "style", { text: css(theme) }));

  const launcherLabel = "Open chat: " + cfg.title;
  const unreadDot = h(doc, "span", { className: "unread", hidden: true, "aria-hidden": "true" });
  const launcher = h(doc, "button", {
    type: "button",
    className: "launcher",
    "aria-expanded": "false",
    "aria-controls": "clinic-chat-panel",
    "aria-label": launcherLabel,
  }, [chatIcon(doc), h(doc, "span", { text: cfg.launcherLabel }), unreadDot]);

  const closeBtn = h(doc, "button", {
    type: "button", className: "close", "aria-label": TEXT.close, text: "×",
  });
  const restartBtn = h(doc, "button", {
    type: "button", className: "restart", "aria-label": TEXT.startOverLabel, text: TEXT.startOver,
  });
  const titleEl = h(doc, "h2", { className: "title", id: "clinic-chat-title", text: cfg.title });
  const subtitleEl = cfg.subtitle
    ? h(doc, "p", { className: "subtitle", text: cfg.subtitle })
    : null;
  const statusEl = h(doc, "div", { className: "status", id: "clinic-chat-status", role: "status" });
  const log = h(doc, "div", {
    className: "log",
    id: "clinic-chat-log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    "aria-label": "Conversation",
    tabindex: "0",
  });
  const typing = h(doc, "div", { className: "typing", hidden: true }, [
    h(doc, "span", { className: "sr-only", text: TEXT.typing }),
    h(doc, "span", { className: "dot", "aria-hidden": "true" }),
    h(doc, "span", { className: "dot", "aria-hidden": "true" }),
    h(doc, "span", { className: "dot", "aria-hidden": "true" }),
  ]);
  const input = h(doc, "input", {
    className: "input",
    id: "clinic-chat-input",
    type: "text",
    autocomplete: "off",
    maxlength: "1000",
    placeholder: cfg.placeholder,
    enterkeyhint: "send",
    "aria-describedby": "clinic-chat-status",
  });
  const label = h(doc, "label", { className: "sr-only", for: "clinic-chat-input", text: TEXT.inputLabel });
  const sendBtn = h(doc, "button", { type: "submit", className: "send", text: TEXT.send });
  const form = h(doc, "form", { className: "composer", novalidate: true }, [label, input, sendBtn]);
  const footer = cfg.footer ? h(doc, "p", { className: "footer", text: cfg.footer }) : null;
  const panel = h(doc, "section", {
    className: "panel",
    id: "clinic-chat-panel",
    role: "dialog",
    "aria-labelledby": "clinic-chat-title",
    hidden: true,
  }, [
    h(doc, "div", { className: "header" }, [
      h(doc, "div", { className: "titles" }, [titleEl, subtitleEl]),
      restartBtn,
      closeBtn,
    ]),
    statusEl,
    log,
    typing,
    form,
    footer,
  ]);
  shadow.appendChild(h(doc, "div", { className: "root" }, [launcher, panel]));
  doc.body.appendChild(host);

  // ---- rendering ----
  const bookingHref = cfg.bookingUrl ? safeHref(cfg.bookingUrl, cfg.bookingUrl) : null;
  const isBookingButton = (b) => !!bookingHref && safeHref(b.url || b.payload, cfg.bookingUrl) === bookingHref;
  const isLinkButton = (b) => !!safeHref(b.url || b.payload, cfg.bookingUrl);

  let stickToBottom = true;
  const atBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  const scrollDown = () => {
    log.scrollTop = log.scrollHeight;
    stickToBottom = true;
  };
  log.addEventListener("scroll", () => {
    stickToBottom = atBottom();
  });
  // When the status bar appears or the phone keyboard opens the log gets shorter:
  // keep the latest message and its answer buttons in view.
  if (window.ResizeObserver) {
    new ResizeObserver(() => {
      if (stickToBottom) log.scrollTop = log.scrollHeight;
    }).observe(log);
  }

  function contactLinks(parent) {
    const parts = [];
    const tel = telHref(cfg.clinicPhone);
    if (tel) parts.push(makeContactLink(doc, tel, cfg.clinicPhone));
    if (cfg.clinicEmail) parts.push(makeContactLink(doc, "mailto:" + cfg.clinicEmail, cfg.clinicEmail));
    parts.forEach((p, i) => {
      if (i) parent.appendChild(doc.createTextNode(" or "));
      parent.appendChild(p);
    });
    return parts.length > 0;
  }

  function privacyNotice() {
    const days = String(cfg.retentionDays || "").trim();
    const who = cfg.clinicName || "The clinic";
    const p = h(doc, "p", { className: "notice privacy" }, [
      h(doc, "strong", { text: "Privacy: " }),
      days
        ? `${who} keeps this conversation for ${days} days after your last message, then deletes it. `
        : `${who} keeps this conversation only as long as needed. `,
      "This device keeps only a chat ID, until you close the tab. Type “delete my data” " +
        "to erase the conversation at any time.",
    ]);
    const href = safeHref(cfg.privacyUrl, cfg.bookingUrl);
    if (href) {
      p.appendChild(doc.createTextNode(" "));
      p.appendChild(makeLink(doc, href, TEXT.privacyLink));
    }
    return p;
  }

  function connectionHelp() {
    const p = h(doc, "p", { className: "notice offline-help", id: "clinic-chat-offline-help" });
    p.appendChild(doc.createTextNode(
      "The chat isn't available at the moment. You can reach " + (cfg.clinicName || "the clinic") + " on "
    ));
    if (!contactLinks(p)) p.appendChild(doc.createTextNode("the contact details on this website"));
    p.appendChild(doc.createTextNode(cfg.clinicHours ? " (" + cfg.clinicHours + ")." : "."));
    return p;
  }

  function userMeta(entry) {
    const meta = h(doc, "div", { className: "meta" });
    if (entry.time) meta.appendChild(h(doc, "time", { text: clockTime(new Date(entry.time)) }));
    if (entry.status === "failed") {
      const retry = h(doc, "button", {
        type: "button",
        className: "retry",
        text: connected ? TEXT.failed : TEXT.failedWaiting,
      });
      retry.addEventListener("click", () => retryMessage(entry.id));
      meta.appendChild(retry);
    } else if (entry.status) {
      meta.appendChild(h(doc, "span", {
        className: "delivery " + entry.status,
        text: entry.status === "sent" ? TEXT.sent : TEXT.sending,
      }));
    }
    return meta;
  }

  function renderEntry(entry) {
    const row = h(doc, "div", { className: "row " + (entry.from === "user" ? "user" : "bot") });
    let text = entry.text || "";
    const buttons = entry.buttons || [];
    let cta = null;
    if (entry.from === "bot" && bookingHref) {
      // One call to action for the booking page: the address never shows as text.
      const bookingButton = buttons.find(isBookingButton);
      if (bookingButton || text.includes(cfg.bookingUrl)) {
        cta = { title: bookingButton ? bookingButton.title : TEXT.booking };
        text = text.split(cfg.bookingUrl).join("").replace(/[ \t]+$/gm, "").trim();
      }
    }
    if (text || entry.attachment) {
      const bubble = h(doc, "div", { className: "bubble" });
      bubble.appendChild(h(doc, "span", {
        className: "sr-only", text: entry.from === "user" ? TEXT.you : TEXT.bot,
      }));
      if (text) {
        if (entry.from === "user") bubble.appendChild(doc.createTextNode(text));
        else appendRichText(doc, bubble, text, cfg.bookingUrl, cfg.clinicPhone);
      }
      if (entry.attachment) {
        const href = safeHref(entry.attachment, cfg.bookingUrl);
        if (text) bubble.appendChild(doc.createTextNode("\n"));
        // Images are linked, never loaded: no third-party requests.
        if (href) bubble.appendChild(makeLink(doc, href, TEXT.image));
        else bubble.appendChild(doc.createTextNode(entry.attachment));
      }
      row.appendChild(bubble);
    }
    if (cta) {
      const a = makeLink(doc, bookingHref, "");
      a.className = "cta";
      a.appendChild(h(doc, "span", { className: "cta-title", text: cta.title }));
      a.appendChild(h(doc, "span", { className: "cta-note", text: TEXT.bookingNote }));
      row.appendChild(a);
    }
    const rest = buttons.filter((b) => !isBookingButton(b));
    if (rest.length) {
      const group = h(doc, "div", { className: "replies", role: "group", "aria-label": TEXT.replies });
      for (const b of rest) {
        const href = safeHref(b.url || b.payload, cfg.bookingUrl);
        if (href) {
          const a = makeLink(doc, href, b.title);
          a.className = "reply";
          group.appendChild(a);
        } else {
          const btn = h(doc, "button", { type: "button", className: "reply", text: b.title });
          btn.disabled = !connected;
          btn.addEventListener("click", () => send(b.payload, b.title));
          group.appendChild(btn);
        }
      }
      row.appendChild(group);
    }
    if (entry.from === "user") row.appendChild(userMeta(entry));
    else if (entry.time) {
      row.appendChild(h(doc, "div", { className: "meta" }, [
        h(doc, "time", { text: clockTime(new Date(entry.time)) }),
      ]));
    }
    entry.row = row;
    return row;
  }

  function renderAll() {
    log.textContent = "";
    log.appendChild(privacyNotice());
    if (reloadNote && !entries.length) log.appendChild(h(doc, "p", { className: "notice", text: TEXT.reloaded }));
    if (!everConnected && connectFailed) log.appendChild(connectionHelp());
    for (const e of entries) log.appendChild(renderEntry(e));
    scrollDown();
  }

  function addEntry(entry) {
    entries.push(entry);
    const wasAtBottom = stickToBottom || atBottom();
    log.appendChild(renderEntry(entry));
    if (entry.from !== "user" && !entries.some((e) => e.from === "user")) {
      // Until the runner writes, the privacy line at the top stays in view
      // (on a phone the greeting alone fills the screen).
      stickToBottom = false;
      return;
    }
    if (wasAtBottom || entry.from === "user") scrollDown();
  }

  function updateEntry(entry) {
    if (!entry.row) return;
    const old = log.contains(entry.row) ? entry.row : null;
    const fresh = renderEntry(entry);
    const hadFocus = old && old.contains(shadow.activeElement);
    if (old) old.replaceWith(fresh);
    entry.row = fresh;
    if (hadFocus) {
      const again = fresh.querySelector("button");
      (again || input).focus();
    }
  }

  /** Quick replies are answered once: drop them when the user says anything.
   *  Link buttons (e.g. the booking link) stay. */
  function clearReplies() {
    for (const m of entries) {
      if (m.buttons && m.buttons.some((b) => !isLinkButton(b))) {
        m.buttons = m.buttons.filter(isLinkButton);
        updateEntry(m);
      }
    }
  }

  // ---- typing indicator ----
  let typingTimer = null;
  function refreshTyping() {
    const waiting = [...outbox.values()].some((m) => !m.failed);
    if (!waiting) {
      typing.hidden = true;
      clearTimeout(typingTimer);
      return;
    }
    if (typing.hidden) {
      typing.hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => {
        typing.hidden = true;
      }, cfg.replyTimeoutMs);
      if (stickToBottom) scrollDown();
    }
  }

  // ---- unread mark ----
  function setUnread(on) {
    unreadDot.hidden = !on;
    launcher.setAttribute("aria-label", launcherLabel + (on ? TEXT.unread : ""));
    launcher.classList.toggle("has-unread", on);
  }

  // ---- connection ----
  let socket = null;
  let connected = false; // session confirmed: ready to send
  let everConnected = false;
  let connectFailed = false;
  let heartbeatTimer = null;

  function setConnected(on) {
    // The input stays usable (type-ahead while connecting); sending waits.
    connected = on;
    sendBtn.disabled = !on;
    restartBtn.disabled = !on;
    for (const b of log.querySelectorAll(".replies button")) b.disabled = !on;
    for (const b of log.querySelectorAll(".retry")) b.textContent = on ? TEXT.failed : TEXT.failedWaiting;
    panel.setAttribute("aria-busy", on ? "false" : "true");
  }

  function setStatus(text) {
    statusEl.textContent = text || "";
  }

  /** The socket looks open but passes nothing: close it so socket.io reconnects. */
  function dropDeadConnection() {
    if (!socket || !socket.io.engine) return;
    socket.io.engine.close();
  }

  function startHeartbeat() {
    clearInterval(heartbeatTimer);
    let inFlight = false;
    heartbeatTimer = setInterval(() => {
      if (!socket || !socket.connected || inFlight) return;
      inFlight = true;
      socket.timeout(cfg.heartbeatTimeoutMs).emit("heartbeat", {}, (err) => {
        inFlight = false;
        if (err && socket.connected) dropDeadConnection();
      });
    }, cfg.heartbeatIntervalMs);
  }

  function onConnectionLost() {
    setConnected(false);
    for (const [, m] of outbox) {
      if (!m.acked && !m.failed) markFailed(m);
    }
    refreshTyping();
    setStatus(everConnected ? TEXT.lost : TEXT.cannotConnect);
  }

  function connect() {
    if (socket) return;
    setStatus(TEXT.connecting);
    socket = io(cfg.serverUrl, {
      path: cfg.socketPath,
      transports: cfg.transports,
      tryAllTransports: true,
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      timeout: cfg.connectTimeoutMs,
      withCredentials: false,
    });
    socket.on("connect", () => {
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", (data) => {
      const id = typeof data === "string" ? data : data && data.session_id;
      if (typeof id === "string" && id) state.sessionId = id;
      persist();
      const first = !everConnected;
      everConnected = true;
      if (connectFailed) {
        connectFailed = false;
        const help = log.querySelector(".offline-help");
        if (help) help.remove();
      }
      setStatus("");
      setConnected(true);
      startHeartbeat();
      // Everything not confirmed handled goes again, with its id: the server
      // handles each id once and sends the replies we missed.
      for (const [messageId, m] of outbox) emitMessage(messageId, m);
      if (first && restored && !entries.length && state.lastMessageId) {
        socket.emit("replay_request", { session_id: state.sessionId, message_id: state.lastMessageId });
      }
      if (!greeted && !entries.length) greet();
    });
    socket.on(cfg.botMessageEvent, (msg) => {
      if (msg && typeof msg === "object" && typeof msg.reply_to === "string") {
        if (dropped.has(msg.reply_to)) return;
        const key = msg.reply_to + ":" + msg.reply_index;
        if (seenReplies.has(key)) return; // already shown (a retried message's replies)
        seenReplies.add(key);
      }
      const now = Date.now();
      const list = botEntries(msg);
      list.forEach((entry, i) => {
        if (i === 0 && !(msg && msg.reply_index > 0)) entry.time = now;
        addEntry(entry);
      });
      if (list.length && panel.hidden) setUnread(true);
    });
    socket.on("message_handled", (data) => {
      const m = data && outbox.get(data.message_id);
      if (!m) return;
      outbox.delete(data.message_id);
      if (m.entry && m.entry.status !== "sent") {
        m.entry.status = "sent";
        updateEntry(m.entry);
      }
      if (m.onHandled) m.onHandled();
      refreshTyping();
    });
    socket.on("disconnect", (reason) => {
      clearInterval(heartbeatTimer);
      onConnectionLost();
      // A server-side disconnect is not retried by socket.io itself.
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("connect_error", () => {
      if (!everConnected && !connectFailed) {
        connectFailed = true;
        log.appendChild(connectionHelp());
        if (stickToBottom) scrollDown();
      }
      onConnectionLost();
    });
  }

  function markFailed(m) {
    m.failed = true;
    if (m.entry) {
      m.entry.status = "failed";
      updateEntry(m.entry);
    }
  }

  function emitMessage(messageId, m) {
    m.failed = false;
    if (m.entry && m.entry.status !== "sending" && !m.acked) {
      m.entry.status = "sending";
      updateEntry(m.entry);
    }
    const attempt = (m.attempt || 0) + 1;
    m.attempt = attempt;
    socket
      .timeout(cfg.ackTimeoutMs)
      .emit(cfg.userMessageEvent, { message: m.payload, session_id: state.sessionId, message_id: messageId }, (err, ack) => {
        if (m.attempt !== attempt || !outbox.has(messageId)) return; // a newer attempt owns it
        if (err) {
          // No ack although the socket is up: "tap to retry". (A dead socket is the
          // heartbeat's business: it reconnects, and reconnecting sends it again.)
          if (!m.acked) markFailed(m);
          refreshTyping();
          return;
        }
        m.acked = true;
        state.lastMessageId = messageId;
        persist();
        if (ack && ack.status === "rejected") outbox.delete(messageId);
        if (m.entry && m.entry.status !== "sent") {
          m.entry.status = "sent";
          updateEntry(m.entry);
        }
        refreshTyping();
      });
    refreshTyping();
  }

  function queue(payload, entry, extra) {
    const messageId = newId();
    const m = Object.assign({ payload, entry, acked: false, failed: false }, extra || {});
    if (entry) entry.id = messageId;
    outbox.set(messageId, m);
    if (entry) addEntry(entry);
    emitMessage(messageId, m);
    return messageId;
  }

  function retryMessage(messageId) {
    const m = outbox.get(messageId);
    if (!m) return;
    if (connected) emitMessage(messageId, m);
    else if (socket && !socket.active) socket.connect();
    const again = m.entry && m.entry.row && m.entry.row.querySelector("button");
    if (!again) input.focus();
  }

  function greet() {
    greeted = true;
    if (cfg.initPayload) queue(cfg.initPayload, null);
    else if (cfg.welcomeMessage) addEntry({ from: "bot", text: cfg.welcomeMessage });
  }

  function send(payload, shown) {
    const text = String(payload || "").trim();
    if (!text || !connected) return false;
    const hadReplyFocus = shadow.activeElement && shadow.activeElement.classList.contains("reply");
    clearReplies();
    queue(text, {
      from: "user",
      text: shown != null ? String(shown) : text,
      status: "sending",
      time: Date.now(),
    });
    if (hadReplyFocus) input.focus();
    return true;
  }

  function startOver() {
    if (!connected) return;
    for (const messageId of outbox.keys()) dropped.add(messageId);
    outbox.clear();
    reloadNote = false;
    entries = [];
    state.lastMessageId = null;
    greeted = true;
    persist();
    renderAll();
    refreshTyping();
    // Same session id: the server keeps one conversation per runner, so
    // "delete my data" and retention still cover everything said before.
    queue(cfg.restartPayload, null, { onHandled: () => greet() });
    input.focus();
  }

  // ---- open / close (a modal dialog on phones) ----
  const phone = window.matchMedia ? window.matchMedia("(max-width: 480px)") : { matches: false };
  let savedOverflow = null;
  function lockPage(on) {
    const root = doc.documentElement;
    if (on && savedOverflow === null) {
      savedOverflow = [root.style.overflow, doc.body.style.overflow];
      root.style.overflow = "hidden";
      doc.body.style.overflow = "hidden";
    } else if (!on && savedOverflow !== null) {
      [root.style.overflow, doc.body.style.overflow] = savedOverflow;
      savedOverflow = null;
    }
  }
  function applyModal() {
    const modal = !panel.hidden && phone.matches;
    if (modal) panel.setAttribute("aria-modal", "true");
    else panel.removeAttribute("aria-modal");
    lockPage(modal);
  }
  if (phone.addEventListener) phone.addEventListener("change", applyModal);

  function open(focus) {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    setUnread(false);
    state.open = true;
    persist();
    applyModal();
    connect();
    scrollDown();
    if (focus !== false) input.focus();
  }
  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    persist();
    applyModal();
    launcher.focus();
  }

  function focusables() {
    return [...panel.querySelectorAll("button, a[href], input, [tabindex='0']")].filter(
      (el) => !el.disabled && el.getClientRects().length > 0
    );
  }

  launcher.addEventListener("click", () => open(true));
  closeBtn.addEventListener("click", close);
  restartBtn.addEventListener("click", startOver);
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
      return;
    }
    if (e.key === "Tab" && phone.matches) {
      // Full screen on a phone: Tab cycles inside the panel.
      const list = focusables();
      if (!list.length) return;
      const first = list[0];
      const last = list[list.length - 1];
      const active = shadow.activeElement;
      if (e.shiftKey && (active === first || !panel.contains(active))) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (active === last || !panel.contains(active))) {
        e.preventDefault();
        first.focus();
      }
    }
  });
  // Focus that still escapes (e.g. a screen reader's virtual cursor) is brought back.
  doc.addEventListener("focusin", (e) => {
    if (!panel.hidden && phone.matches && e.target !== host) input.focus();
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (send(input.value)) input.value = "";
  });

  setConnected(false);
  renderAll();
  window.ClinicChat.open = () => open(true);
  window.ClinicChat.close = close;
  if (state.open) open(false);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}
