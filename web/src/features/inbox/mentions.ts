import type { User } from '../../api/types';

// @mentions in internal notes. The server decides who is mentioned (`mentioned` in
// crates/app/src/conversations.rs); the rules here are the same so that the composer inserts what
// the server recognises and a note highlights what it notified:
// - `@` starts a mention only at the start of a word (not inside an e-mail address in the text);
// - it names a user by display name or e-mail, ignoring ASCII case, and the longest that fits wins;
// - a name ending in a Latin letter or digit must end there ("@Ann" is not "@Anna"); a CJK name
//   needs no space after it ("@张三请看").

/** A letter or digit (Rust's `char::is_alphanumeric`) or `_`: a word goes on. */
const WORD = /^[\p{Alphabetic}\p{N}_]$/u;
const LATIN_END = /[A-Za-z0-9]$/;

const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The whole character (code point) that ends just before `index`. */
function charBefore(text: string, index: number): string {
  if (index <= 0) return '';
  const low = text.charCodeAt(index - 1);
  return low >= 0xdc00 && low <= 0xdfff && index >= 2 ? text.slice(index - 2, index) : text[index - 1];
}

/** The whole character (code point) that starts at `index`. */
function charAt(text: string, index: number): string {
  const code = text.codePointAt(index);
  return code === undefined ? '' : String.fromCodePoint(code);
}

/** Splits text into plain runs and mentions (`@name` or `@email` of one of `handles`). */
export function splitMentions(text: string, handles: readonly string[]): Array<{ text: string; mention: boolean }> {
  const names = [...new Set(handles.map((h) => asciiLower(h.trim())).filter(Boolean))];
  if (names.length === 0 || !text.includes('@')) return text ? [{ text, mention: false }] : [];
  // Lowering ASCII letters keeps every index where it was.
  const lower = asciiLower(text);
  const parts: Array<{ text: string; mention: boolean }> = [];
  let plainFrom = 0;
  let i = 0;
  while (i < text.length) {
    if (text[i] === '@' && !WORD.test(charBefore(text, i))) {
      let best = '';
      for (const name of names) {
        if (name.length <= best.length || !lower.startsWith(name, i + 1)) continue;
        const next = charAt(text, i + 1 + name.length);
        if (LATIN_END.test(name) && WORD.test(next)) continue;
        best = name;
      }
      if (best) {
        const end = i + 1 + best.length;
        if (i > plainFrom) parts.push({ text: text.slice(plainFrom, i), mention: false });
        parts.push({ text: text.slice(i, end), mention: true });
        plainFrom = i = end;
        continue;
      }
    }
    i++;
  }
  if (plainFrom < text.length) parts.push({ text: text.slice(plainFrom), mention: false });
  return parts;
}

/** Someone a note can mention, and what the composer writes after `@` to do it. */
export type MentionCandidate = { id: number; name: string; email: string; handle: string };

/**
 * The account's active users other than the author. A user is written by name, or by e-mail when
 * the name is missing or shared (the server would notify only one of those with the same name).
 */
export function mentionCandidates(users: readonly User[], me: number): MentionCandidate[] {
  const active = users.filter((u) => u.active);
  const named = new Map<string, number>();
  for (const u of active) {
    const key = asciiLower(u.name.trim());
    if (key) named.set(key, (named.get(key) ?? 0) + 1);
  }
  return active
    .filter((u) => u.id !== me)
    .map((u) => {
      const name = u.name.trim();
      const unique = name !== '' && named.get(asciiLower(name)) === 1;
      return { id: u.id, name, email: u.email.trim(), handle: unique ? name : u.email.trim() };
    })
    .filter((c) => c.handle !== '');
}

/** Whether what was typed after `@` finds this candidate (by name or e-mail, any case). */
export function matchesCandidate(candidate: MentionCandidate, query: string): boolean {
  const q = query.toLowerCase();
  return candidate.name.toLowerCase().includes(q) || candidate.email.toLowerCase().includes(q);
}

/** Names and e-mails that are highlighted as mentions in notes (everyone the account has had). */
export function mentionHandles(users: readonly User[]): string[] {
  return users.flatMap((u) => [u.name, u.email]).filter((h) => h.trim() !== '');
}
