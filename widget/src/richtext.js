// Safe text rendering: everything the bot or the user wrote becomes text nodes.
// Only https: URLs (and the clinic's configured booking URL) become links;
// every other scheme (javascript:, data:, http:, ...) stays plain text.

const MD_LINK = /\[([^\]\n]{1,300})\]\(\s*<?([^()\s<>]{1,2048})>?\s*\)/g;
const BARE_URL = /\bhttps:\/\/[^\s<>"'`]+/gi;
const BOLD = /\*\*([^*\n]{1,500})\*\*/g;
const TRAILING = /[.,;:!?)\]}'"]+$/;

/**
 * Returns the normalised href if `raw` may become a link, else null.
 * @param {string} raw
 * @param {string|undefined} bookingUrl
 */
export function safeHref(raw, bookingUrl) {
  if (typeof raw !== "string") return null;
  const candidate = raw.trim();
  let url;
  try {
    url = new URL(candidate);
  } catch (_) {
    return null; // relative or malformed: never a link
  }
  if (url.protocol === "https:" && !url.username && !url.password) return url.href;
  if (bookingUrl) {
    try {
      const booking = new URL(bookingUrl);
      if (
        (booking.protocol === "https:" || booking.protocol === "http:") &&
        booking.href === url.href
      ) {
        return url.href;
      }
    } catch (_) {
      /* misconfigured bookingUrl: ignore */
    }
  }
  return null;
}

export function makeLink(doc, href, label) {
  const a = doc.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.textContent = label;
  return a;
}

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+/g;

/** `tel:` href for a phone number as written ("+44 20 7946 0958" -> "tel:+442079460958"). */
export function telHref(phone) {
  const digits = String(phone || "").replace(/[^\d+]/g, "");
  return /^\+?\d{3,20}$/.test(digits) ? "tel:" + digits : null;
}

/** A tap-to-call / tap-to-mail link (same tab: the phone or mail app opens). */
export function makeContactLink(doc, href, label) {
  const a = doc.createElement("a");
  a.href = href;
  a.className = "contact";
  const at = label.indexOf("@");
  if (at > 0) {
    // an address may break after the "@" on a narrow phone, never inside a word
    a.appendChild(doc.createTextNode(label.slice(0, at + 1)));
    a.appendChild(doc.createElement("wbr"));
    a.appendChild(doc.createTextNode(label.slice(at + 1)));
  } else {
    a.textContent = label;
  }
  return a;
}

/** Plain text with the clinic's phone number and any e-mail address as links. */
function appendContacts(doc, parent, text, phone) {
  const hits = [];
  if (phone && telHref(phone)) {
    for (let i = text.indexOf(phone); i !== -1; i = text.indexOf(phone, i + phone.length)) {
      hits.push({ index: i, raw: phone, href: telHref(phone) });
    }
  }
  EMAIL.lastIndex = 0;
  let m;
  while ((m = EMAIL.exec(text))) {
    const raw = m[0].replace(/\.+$/, "");
    hits.push({ index: m.index, raw, href: "mailto:" + raw });
  }
  hits.sort((a, b) => a.index - b.index);
  let last = 0;
  for (const hit of hits) {
    if (hit.index < last) continue;
    if (hit.index > last) appendBold(doc, parent, text.slice(last, hit.index));
    parent.appendChild(makeContactLink(doc, hit.href, hit.raw));
    last = hit.index + hit.raw.length;
  }
  if (last < text.length) appendBold(doc, parent, text.slice(last));
}

function appendBold(doc, parent, text) {
  let last = 0;
  BOLD.lastIndex = 0;
  let m;
  while ((m = BOLD.exec(text))) {
    if (m.index > last) parent.appendChild(doc.createTextNode(text.slice(last, m.index)));
    const strong = doc.createElement("strong");
    strong.textContent = m[1];
    parent.appendChild(strong);
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.appendChild(doc.createTextNode(text.slice(last)));
}

function appendBareUrls(doc, parent, text, bookingUrl, phone) {
  let last = 0;
  BARE_URL.lastIndex = 0;
  let m;
  while ((m = BARE_URL.exec(text))) {
    let raw = m[0];
    const trail = raw.match(TRAILING);
    if (trail) raw = raw.slice(0, raw.length - trail[0].length);
    const href = safeHref(raw, bookingUrl);
    if (!href || !raw) continue;
    if (m.index > last) appendContacts(doc, parent, text.slice(last, m.index), phone);
    parent.appendChild(makeLink(doc, href, raw));
    last = m.index + raw.length;
    BARE_URL.lastIndex = last;
  }
  if (last < text.length) appendContacts(doc, parent, text.slice(last), phone);
}

/**
 * Append `text` to `parent` as text nodes, turning safe links into <a>, the
 * clinic's phone number into a tel: link and e-mail addresses into mailto: links.
 * Never uses innerHTML.
 */
export function appendRichText(doc, parent, text, bookingUrl, phone) {
  const s = String(text == null ? "" : text);
  let last = 0;
  MD_LINK.lastIndex = 0;
  let m;
  while ((m = MD_LINK.exec(s))) {
    const href = safeHref(m[2], bookingUrl);
    if (!href) continue; // unsafe markdown link: left as literal text below
    if (m.index > last) appendBareUrls(doc, parent, s.slice(last, m.index), bookingUrl, phone);
    parent.appendChild(makeLink(doc, href, m[1]));
    last = m.index + m[0].length;
  }
  if (last < s.length) appendBareUrls(doc, parent, s.slice(last), bookingUrl, phone);
}
