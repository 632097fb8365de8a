import type { QueueState } from '../controller';
import type { Locale, Translate } from '../i18n';

export function parseTime(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatTime(d: Date, locale: Locale): string {
  try {
    return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
  } catch {
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  }
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

export function formatDay(d: Date, locale: Locale, t: Translate, now = new Date()): string {
  if (sameDay(d, now)) return t('today');
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (sameDay(d, yesterday)) return t('yesterday');
  const opts: Intl.DateTimeFormatOptions = { month: 'long', day: 'numeric' };
  if (d.getFullYear() !== now.getFullYear()) opts.year = 'numeric';
  try {
    return new Intl.DateTimeFormat(locale, opts).format(d);
  } catch {
    return d.toDateString();
  }
}

export function dayKey(d: Date): string {
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function formatSize(bytes: number, t: Translate): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024 * 1024) return t('file_size_kb', { size: Math.max(1, Math.round(bytes / 1024)) });
  return t('file_size_mb', { size: (bytes / (1024 * 1024)).toFixed(1) });
}

/** The queue banner: "you're next", or how many wait ahead and, when known, about how long. */
export function queueText(q: Pick<QueueState, 'position' | 'estimated_wait_secs'>, t: Translate): string {
  if (q.position <= 1) return t('queue_next');
  const count = q.position - 1;
  const ahead = t(count === 1 ? 'queue_ahead_one' : 'queue_ahead', { count });
  const wait = q.estimated_wait_secs;
  return wait == null ? ahead : ahead + t('queue_wait', { minutes: Math.max(1, Math.ceil(wait / 60)) });
}
