/**
 * Client-side hints mirroring the server's checks on canned responses (crates/app/src/canned.rs and
 * crates/core/src/template.rs). The server stays the judge: its errors are shown on the fields too.
 */

/** Variables a canned response may use, in the server's order (`template::VARIABLES`). */
export const CANNED_VARIABLES = [
  'contact.name',
  'contact.email',
  'contact.phone',
  'agent.name',
  'conversation.number',
  'account.name',
  'channel.name',
] as const;

export type CannedVariable = (typeof CANNED_VARIABLES)[number];

/** The i18n key of a variable's description (`canned.vars.contact_name`). */
export function variableLabelKey(name: CannedVariable): string {
  return `canned.vars.${name.replace('.', '_')}`;
}

/** What is typed after "/" in the composer: 1–40 of a-z, 0-9, _ and - (`channels::is_key`). */
export const SHORT_CODE_PATTERN = /^[a-z0-9_-]{1,40}$/;
export const SHORT_CODE_MAX = 40;

/** The server counts characters (Unicode scalar values), not UTF-16 units. */
export const CONTENT_MAX = 5000;

export function charCount(text: string): number {
  return [...text].length;
}

export type TemplateProblem = { kind: 'unclosed' } | { kind: 'unknown'; name: string };

/** The first problem the server would refuse in a template: a `{{` never closed, or an unknown variable. */
export function templateProblem(text: string): TemplateProblem | null {
  let rest = text;
  for (;;) {
    const open = rest.indexOf('{{');
    if (open < 0) return null;
    const after = rest.slice(open + 2);
    const close = after.indexOf('}}');
    if (close < 0) return { kind: 'unclosed' };
    const name = after.slice(0, close).trim();
    if (!(CANNED_VARIABLES as readonly string[]).includes(name)) return { kind: 'unknown', name };
    rest = after.slice(close + 2);
  }
}

export type TemplatePart = { text: string } | { variable: CannedVariable };

/** The template cut into text and known variables, for a preview (anything else stays text). */
export function templateParts(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  const pattern = /{{\s*([^{}]*?)\s*}}/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const name = match[1];
    if (!(CANNED_VARIABLES as readonly string[]).includes(name)) continue;
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ variable: name as CannedVariable });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** A short code as typed: without the "/" the composer uses, nor surrounding spaces. */
export function normalizeShortCode(value: string | undefined): string {
  return (value ?? '').trim().replace(/^\/+/, '');
}

/** Responses whose short code or content contains `query` (case-insensitive; a leading "/" is ignored). */
export function filterCanned<T extends { short_code: string; content: string }>(items: T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  if (!q) return items;
  const code = q.replace(/^\/+/, '');
  return items.filter(
    (item) => (code !== '' && item.short_code.toLowerCase().includes(code)) || item.content.toLowerCase().includes(q),
  );
}
