// Running Solutions chat widget for Rasa's `socketio` channel.
//
// Embed:
//   <script>window.ClinicChatConfig = { serverUrl: "https://bot.example", bookingUrl: "https://..." };</script>
//   <script src="https://site.example/clinic-chat.js" defer></script>
//
// Rasa protocol (rasa/core/channels/socketio.py, session_persistence: true):
//   emit  session_request {session_id}    -> receive session_confirm <session_id>
//   emit  user_uttered   {message, session_id}
//   receive bot_uttered  {text?, quick_replies?|buttons?, attachment?}
//
// Safety: every piece of text is inserted as text nodes (no innerHTML anywhere).

import { io } from "socket.io-client";
import { appendRichText, makeLink, safeHref } from "./richtext.js";
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
  initPayload: "", // e.g. "/greet": sent silently on first open to get a welcome
  welcomeMessage: "", // shown locally on first open when no initPayload
  footer: "",
  storageKey: "clinic-chat",
  maxStoredMessages: 200,
  replyTimeoutMs: 30000,
};

const TEXT = {
  connecting: "Connecting…",
  lost: "Connection lost, reconnecting…",
  you: "You: ",
  bot: "Assistant: ",
  typing: "Assistant is typing…",
  inputLabel: "Your message",
  send: "Send",
  close: "Close chat",
  replies: "Suggested answers",
  image: "View image",
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
  for (const c of children || []) if (c) el.appendChild(c);
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

function init() {
  if (window.__clinicChatLoaded) return;
  window.__clinicChatLoaded = true;

  const cfg = Object.assign({}, DEFAULTS, window.ClinicChatConfig || {});
  const doc = document;
  const store = makeStore(cfg.storageKey + ":" + cfg.serverUrl);
  const saved = store.load();
  const state = {
    sessionId: typeof saved.sessionId === "string" ? saved.sessionId : null,
    messages: Array.isArray(saved.messages) ? saved.messages : [],
    open: saved.open === true,
    greeted: saved.greeted === true,
  };
  const persist = () => {
    if (state.messages.length > cfg.maxStoredMessages) {
      state.messages = state.messages.slice(-cfg.maxStoredMessages);
    }
    store.save(state);
  };

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

  const launcher = h(doc, "button", {
    type: "button",
    className: "launcher",
    "aria-expanded": "false",
    "aria-controls": "clinic-chat-panel",
    "aria-label": "Open chat: " + cfg.title,
  }, [chatIcon(doc), h(doc, "span", { text: cfg.launcherLabel })]);

  const closeBtn = h(doc, "button", {
    type: "button", className: "close", "aria-label": TEXT.close, text: "×",
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
  const scrollDown = () => {
    log.scrollTop = log.scrollHeight;
  };

  function renderEntry(entry, index) {
    const row = h(doc, "div", { className: "row " + (entry.from === "user" ? "user" : "bot") });
    if (entry.text || entry.attachment) {
      const bubble = h(doc, "div", { className: "bubble" });
      bubble.appendChild(h(doc, "span", {
        className: "sr-only", text: entry.from === "user" ? TEXT.you : TEXT.bot,
      }));
      if (entry.text) {
        if (entry.from === "user") bubble.appendChild(doc.createTextNode(entry.text));
        else appendRichText(doc, bubble, entry.text, cfg.bookingUrl);
      }
      if (entry.attachment) {
        const href = safeHref(entry.attachment, cfg.bookingUrl);
        if (entry.text) bubble.appendChild(doc.createTextNode("\n"));
        // Images are linked, never loaded: no third-party requests.
        if (href) bubble.appendChild(makeLink(doc, href, TEXT.image));
        else bubble.appendChild(doc.createTextNode(entry.attachment));
      }
      row.appendChild(bubble);
    }
    if (entry.buttons && entry.buttons.length) {
      const group = h(doc, "div", { className: "replies", role: "group", "aria-label": TEXT.replies });
      for (const b of entry.buttons) {
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
    row.dataset.index = String(index);
    log.appendChild(row);
  }

  function renderAll() {
    log.textContent = "";
    state.messages.forEach(renderEntry);
    scrollDown();
  }

  function addEntry(entry) {
    state.messages.push(entry);
    persist();
    renderEntry(entry, state.messages.length - 1);
    scrollDown();
  }

  const isLinkButton = (b) => !!safeHref(b.url || b.payload, cfg.bookingUrl);

  /** Quick replies are answered once: drop them when the user says anything.
   *  Link buttons (e.g. the booking link) stay. */
  function clearReplies() {
    let changed = false;
    for (const m of state.messages) {
      if (m.buttons && m.buttons.some((b) => !isLinkButton(b))) {
        m.buttons = m.buttons.filter(isLinkButton);
        changed = true;
      }
    }
    if (!changed) return;
    for (const g of log.querySelectorAll(".replies")) {
      for (const b of g.querySelectorAll("button")) b.remove();
      if (!g.firstChild) g.remove();
    }
  }

  // ---- typing indicator ----
  let typingTimer = null;
  function showTyping() {
    typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, cfg.replyTimeoutMs);
    scrollDown();
  }
  function hideTyping() {
    typing.hidden = true;
    clearTimeout(typingTimer);
  }

  // ---- connection ----
  let socket = null;
  let connected = false; // session confirmed: ready to send

  function setConnected(on) {
    // The input stays usable (type-ahead while connecting); sending waits.
    connected = on;
    sendBtn.disabled = !on;
    for (const b of log.querySelectorAll(".replies button")) b.disabled = !on;
    panel.setAttribute("aria-busy", on ? "false" : "true");
  }

  function setStatus(text) {
    statusEl.textContent = text || "";
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
      timeout: 10000,
      withCredentials: false,
    });
    socket.on("connect", () => {
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", (data) => {
      const id = typeof data === "string" ? data : data && data.session_id;
      if (typeof id === "string" && id) state.sessionId = id;
      persist();
      setStatus("");
      setConnected(true);
      if (!state.greeted && state.messages.length === 0) {
        state.greeted = true;
        persist();
        if (cfg.initPayload) {
          showTyping();
          emitMessage(cfg.initPayload);
        } else if (cfg.welcomeMessage) {
          addEntry({ from: "bot", text: cfg.welcomeMessage });
        }
      }
    });
    socket.on(cfg.botMessageEvent, (msg) => {
      hideTyping();
      for (const entry of botEntries(msg)) addEntry(entry);
    });
    socket.on("disconnect", (reason) => {
      setConnected(false);
      hideTyping();
      setStatus(TEXT.lost);
      // A server-side disconnect is not retried by socket.io itself.
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("connect_error", () => {
      setConnected(false);
      setStatus(TEXT.lost);
    });
  }

  function emitMessage(text) {
    socket.emit(cfg.userMessageEvent, { message: text, session_id: state.sessionId });
  }

  function send(payload, shown) {
    const text = String(payload || "").trim();
    if (!text || !connected) return false;
    const hadReplyFocus = shadow.activeElement && shadow.activeElement.classList.contains("reply");
    clearReplies();
    addEntry({ from: "user", text: shown != null ? String(shown) : text });
    emitMessage(text);
    showTyping();
    if (hadReplyFocus) input.focus();
    return true;
  }

  // ---- open / close ----
  function open(focus) {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    state.open = true;
    persist();
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
    launcher.focus();
  }

  launcher.addEventListener("click", () => open(true));
  closeBtn.addEventListener("click", close);
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
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
