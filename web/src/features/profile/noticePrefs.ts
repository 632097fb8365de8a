// The signed-in agent's notice preferences: for each kind of notice, whether it is kept in the
// bell and shown live in the workspace (`in_app`), whether it is also web-pushed (`push`), and
// whether it goes into their e-mail digest when still unread 15 minutes later (`email`; needs
// `in_app`).

import type { NoticePref, NoticePrefs } from '../../api/types';

export type NoticePrefKind = keyof NoticePrefs;
export type NoticePrefField = keyof NoticePref;

/** Every kind the API has, in the order the profile page lists them: a new kind fails to compile until listed. */
const LISTED: Record<NoticePrefKind, true> = {
  assigned: true,
  mention: true,
  ticket: true,
  todo_reminder: true,
  todo_digest: true,
  todo_prompt: true,
  automation: true,
};

export const NOTICE_PREF_KINDS = Object.keys(LISTED) as readonly NoticePrefKind[];

/** One switch flipped: what the page saves at once. */
export type NoticePrefChange = { kind: NoticePrefKind; field: NoticePrefField; value: boolean };

/** The PUT body for one change: `{"mention": {"push": false}}`, `{"mention": {"email": true}}`. */
export function changeBody(change: NoticePrefChange): Record<string, Record<string, boolean>> {
  return { [change.kind]: { [change.field]: change.value } };
}

/** `prefs` with one change applied (a new object; `prefs` is left as it was). */
export function applyChange(prefs: NoticePrefs, change: NoticePrefChange): NoticePrefs {
  return { ...prefs, [change.kind]: { ...prefs[change.kind], [change.field]: change.value } };
}

export function sameChange(a: NoticePrefChange, b: NoticePrefChange): boolean {
  return a.kind === b.kind && a.field === b.field;
}
