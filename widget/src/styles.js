// Styles live inside the widget's shadow root, so the clinic's site CSS and
// ours never clash. System fonts only: no web fonts, no external requests.

export function css(t) {
  return `
:host { all: initial; }
*, *::before, *::after { box-sizing: border-box; }
.root {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 16px; line-height: 1.45; color: ${t.text};
}
.sr-only {
  position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;
}
[hidden] { display: none !important; }
button, input { font: inherit; }
button { cursor: pointer; }
button:disabled { cursor: not-allowed; opacity: 0.6; }
:focus-visible { outline: 3px solid ${t.focus}; outline-offset: 2px; }
.launcher {
  position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  display: inline-flex; align-items: center; gap: 8px;
  min-height: 48px; padding: 12px 20px; border: 2px solid transparent; border-radius: 999px;
  background: ${t.primary}; color: ${t.onPrimary};
  font-weight: 600; box-shadow: 0 4px 14px rgba(0, 0, 0, 0.25);
}
.launcher svg { width: 22px; height: 22px; fill: currentColor; flex: none; }
.launcher { overflow: visible; }
.unread {
  position: absolute; top: -5px; right: -5px; width: 20px; height: 20px; border-radius: 50%;
  background: #c81e1e; border: 3px solid #ffffff; box-shadow: 0 0 0 1px rgba(0, 0, 0, 0.35);
}
.panel {
  position: fixed; right: 20px; bottom: 20px; z-index: 2147483001;
  width: 380px; max-width: calc(100vw - 40px);
  height: 600px; max-height: calc(100vh - 40px);
  display: flex; flex-direction: column; overflow: hidden;
  background: #ffffff; color: ${t.text};
  border-radius: 14px; border: 1px solid #c9d1cf;
  box-shadow: 0 10px 36px rgba(0, 0, 0, 0.28);
}
.header {
  display: flex; align-items: flex-start; gap: 8px; padding: 12px 12px 12px 16px;
  background: ${t.primary}; color: ${t.onPrimary};
}
.header .titles { flex: 1; min-width: 0; }
.title { margin: 0; font-size: 17px; font-weight: 700; line-height: 1.3; }
.subtitle { margin: 2px 0 0; font-size: 13px; }
.restart {
  flex: none; min-height: 44px; padding: 6px 10px; border-radius: 8px; font-size: 14px;
  font-weight: 600; border: 2px solid ${t.onPrimary}; background: transparent; color: ${t.onPrimary};
  white-space: nowrap;
}
.restart:hover:not(:disabled) { background: rgba(127, 127, 127, 0.25); }
.close {
  flex: none; width: 44px; height: 44px; border: 0; border-radius: 8px;
  background: transparent; color: ${t.onPrimary}; font-size: 26px; line-height: 1;
}
.close:hover { background: rgba(127, 127, 127, 0.25); }
.header :focus-visible { outline-color: ${t.onPrimary}; outline-offset: -3px; }
.status {
  padding: 8px 16px; font-size: 14px; font-weight: 600;
  background: #fff4e5; color: #5c3200; border-bottom: 1px solid #f0c58a;
}
.status:empty { display: none; }
.log {
  flex: 1; overflow-y: auto; padding: 16px 12px 8px; background: #ffffff;
  overscroll-behavior: contain;
}
.row { display: flex; flex-direction: column; margin: 0 0 10px; }
.row.user { align-items: flex-end; }
.row.bot { align-items: flex-start; }
.bubble {
  max-width: 85%; padding: 9px 13px; border-radius: 14px;
  white-space: pre-wrap; overflow-wrap: break-word;
}
a.contact { white-space: nowrap; }
.bot .bubble { background: ${t.botBg}; color: ${t.text}; border-bottom-left-radius: 4px; }
.user .bubble { background: ${t.primary}; color: ${t.onPrimary}; border-bottom-right-radius: 4px; }
.bubble a { color: ${t.link}; text-decoration: underline; font-weight: 600; }
.user .bubble a { color: ${t.onPrimary}; }
.replies { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; max-width: 95%; }
.reply {
  min-height: 44px; padding: 8px 14px; border-radius: 999px;
  border: 2px solid ${t.link}; background: #ffffff; color: ${t.link};
  font-weight: 600; text-align: left; text-decoration: none;
  display: inline-flex; align-items: center;
}
.reply:hover:not(:disabled) { background: ${t.botBg}; }
.cta {
  display: flex; flex-direction: column; align-items: flex-start; gap: 2px; margin-top: 8px;
  min-height: 48px; max-width: 95%; padding: 10px 18px; border-radius: 12px;
  background: ${t.primary}; color: ${t.onPrimary}; border: 2px solid ${t.primary};
  text-decoration: none; box-shadow: 0 2px 6px rgba(0, 0, 0, 0.2);
}
.cta-title { font-weight: 700; font-size: 17px; }
.cta-title::after { content: " \\2197"; }
.cta-note { font-size: 13px; }
.cta:hover { text-decoration: underline; }
.meta {
  display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-top: 3px;
  font-size: 12px; color: #4b5563;
}
.delivery.sending { font-style: italic; }
.user .meta { justify-content: flex-end; }
.retry {
  min-height: 44px; padding: 6px 12px; border-radius: 10px; font-size: 14px; font-weight: 700;
  border: 2px solid #9b1c1c; background: #fdf2f2; color: #9b1c1c; text-align: left;
}
.notice {
  margin: 0 0 12px; padding: 8px 12px; border-radius: 10px; font-size: 13px; line-height: 1.4;
  background: #f6f8f7; color: #374151; border: 1px solid #d5dcda;
}
.notice a { color: ${t.link}; font-weight: 600; }
.offline-help { background: #fff4e5; color: #5c3200; border-color: #f0c58a; font-size: 15px; }
.offline-help a { color: #5c3200; }
.typing { display: flex; align-items: center; gap: 4px; padding: 0 16px 8px; min-height: 24px; }
.typing .dot {
  width: 8px; height: 8px; border-radius: 50%; background: #5f6b69;
  animation: blink 1.2s infinite ease-in-out;
}
.typing .dot:nth-child(3) { animation-delay: 0.2s; }
.typing .dot:nth-child(4) { animation-delay: 0.4s; }
@keyframes blink { 0%, 80%, 100% { opacity: 0.25; } 40% { opacity: 1; } }
@media (prefers-reduced-motion: reduce) { .typing .dot { animation: none; } }
.composer {
  display: flex; gap: 8px; padding: 10px 12px; border-top: 1px solid #d5dcda; background: #ffffff;
}
.input {
  flex: 1; min-width: 0; min-height: 44px; padding: 8px 12px;
  border: 2px solid #6b7775; border-radius: 10px; color: ${t.text}; background: #ffffff;
}
.input::placeholder { color: #5f6b69; }
.input:disabled { background: #f1f3f3; }
.send {
  flex: none; min-height: 44px; min-width: 64px; padding: 8px 14px; border-radius: 10px;
  border: 2px solid transparent; background: ${t.primary}; color: ${t.onPrimary}; font-weight: 700;
}
.footer { margin: 0; padding: 0 12px 8px; font-size: 12px; color: #4b5563; background: #ffffff; }
@media (max-width: 480px) {
  .panel {
    right: 0; bottom: 0; left: 0; top: 0; width: 100%; max-width: 100%;
    height: 100%; max-height: 100%; border-radius: 0; border: 0;
  }
  .launcher { right: 12px; bottom: 12px; }
}
`;
}
