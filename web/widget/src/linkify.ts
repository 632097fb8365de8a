// Splits untrusted text into plain-text and link segments. The UI renders segments as text nodes
// and <a> elements; nothing is ever parsed as HTML.

export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const URL_RE = /\bhttps?:\/\/[^\s<>"'`，。！？；：、（）【】《》「」]+/gi;
const TRAILING = /[.,;:!?)\]}'"’”]+$/;

/** The URL if it is http(s), else null. */
export function safeHttpUrl(raw: string, base?: string): string | null {
  try {
    const url = base ? new URL(raw, base) : new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.href;
  } catch {
    return null;
  }
}

export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let index = 0;
  for (const match of text.matchAll(URL_RE)) {
    let raw = match[0];
    const start = match.index ?? 0;
    const trail = raw.match(TRAILING);
    if (trail) raw = raw.slice(0, raw.length - trail[0].length);
    const href = safeHttpUrl(raw);
    if (!href) continue;
    if (start > index) out.push({ kind: 'text', text: text.slice(index, start) });
    out.push({ kind: 'link', text: raw, href });
    index = start + raw.length;
  }
  if (index < text.length) out.push({ kind: 'text', text: text.slice(index) });
  return out;
}
