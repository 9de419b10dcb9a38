// WCAG 2.x contrast helpers, so any primaryColor the clinic picks stays AA.

export function parseHex(value) {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(value || "").trim());
  if (!m) return null;
  let hex = m[1];
  if (hex.length === 3) hex = hex.replace(/./g, (c) => c + c);
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

export function toHex(rgb) {
  return "#" + rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("");
}

function luminance(rgb) {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Darken `fg` towards black until it reaches `ratio` against `bg`. */
export function ensureContrast(fg, bg, ratio) {
  let c = fg.slice();
  for (let i = 0; i < 40 && contrast(c, bg) < ratio; i++) {
    c = c.map((v) => v * 0.9);
  }
  return c;
}

/** White or near-black text, whichever contrasts more with `bg`. */
export function textOn(bg) {
  const white = [255, 255, 255];
  const dark = [17, 24, 39];
  return contrast(white, bg) >= contrast(dark, bg) ? white : dark;
}
