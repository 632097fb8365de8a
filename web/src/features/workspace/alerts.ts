// New-assignment alerts for the signed-in agent: the unread count in the tab title, a chime,
// and a desktop notification (Notification API; permission is asked from a click, as browsers
// require). The live socket of the inbox feeds them.

import type { Conversation } from '../../api/types';
import type { ConversationEvent } from '../../realtime/frames';

const PREFS_KEY = 'yingke.alerts';

/** Conversations assigned to me, still being worked on, with messages no agent has read. */
export function unreadMine(conversations: Iterable<Conversation>, meId: number): number {
  let n = 0;
  for (const c of conversations) {
    if (c.assignee_id === meId && (c.status === 'open' || c.status === 'pending') && c.last_seq > c.agent_read_seq) n++;
  }
  return n;
}

/** "(3) 迎客" — the count first, so it stays visible in a narrow tab. */
export function titleWithCount(base: string, count: number): string {
  if (count <= 0) return base;
  return `(${count > 99 ? '99+' : count}) ${base}`;
}

/**
 * A conversation frame that gives me a conversation I did not have: it is now assigned to me
 * and, as far as this inbox knew, it was not before.
 */
export function isNewAssignmentToMe(
  known: Conversation | undefined,
  incoming: Conversation,
  event: ConversationEvent,
  meId: number,
): boolean {
  if (incoming.assignee_id !== meId) return false;
  if (event !== 'assigned' && event !== 'created') return false;
  if (incoming.status === 'resolved' || incoming.status === 'closed') return false;
  return known?.assignee_id !== meId;
}

export type AlertPrefs = { enabled: boolean };

export function readAlertPrefs(): AlertPrefs {
  try {
    const saved = JSON.parse(globalThis.localStorage?.getItem(PREFS_KEY) ?? 'null') as Partial<AlertPrefs> | null;
    return { enabled: saved?.enabled === true };
  } catch {
    return { enabled: false };
  }
}

export function saveAlertPrefs(prefs: AlertPrefs): void {
  try {
    globalThis.localStorage?.setItem(PREFS_KEY, JSON.stringify(prefs));
  } catch {
    // Not remembered: alerts stay on for this page only.
  }
}

/** What this browser allows: 'unsupported' when it has no Notification API. */
export function notificationPermission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

let audio: AudioContext | null = null;

/**
 * Prepares the chime. Call from a click: browsers only let a page start audio after a gesture,
 * and an AudioContext created then stays usable for later alerts.
 */
export function unlockSound(): void {
  const Ctor = globalThis.AudioContext ?? (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return;
  audio ??= new Ctor();
  void audio.resume().catch(() => {});
}

/** A short two-note chime, synthesised (no audio file to load). */
export function playChime(): void {
  if (!audio || audio.state !== 'running') return;
  const start = audio.currentTime;
  [880, 1320].forEach((frequency, i) => {
    const ctx = audio as AudioContext;
    const oscillator = ctx.createOscillator();
    const gain = ctx.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = frequency;
    const at = start + i * 0.16;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.3);
    oscillator.connect(gain).connect(ctx.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.32);
  });
}

/**
 * A desktop notification for a conversation, when allowed and the agent is not looking at the
 * page; clicking it brings the workspace forward on that conversation.
 */
export function notifyDesktop(title: string, body: string, conversationId: number, open: (id: number) => void): boolean {
  if (notificationPermission() !== 'granted') return false;
  if (document.visibilityState === 'visible' && document.hasFocus()) return false;
  const notification = new Notification(title, {
    body,
    tag: `conversation-${conversationId}`,
    icon: '/icons/icon-192.png',
  });
  notification.onclick = () => {
    window.focus();
    open(conversationId);
    notification.close();
  };
  return true;
}
