type Style = 'short' | 'full';
const STYLES: Record<Style, Intl.DateTimeFormatOptions> = {
  short: { dateStyle: 'medium', timeStyle: 'short' },
  // Seconds and the zone: where "when exactly" is asked (an audit entry's tooltip).
  full: { dateStyle: 'full', timeStyle: 'long' },
};
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const zoned = new Map<string, Intl.DateTimeFormat>();

/** A date-and-time formatter of `style` for an IANA zone (the browser's when absent or unknown). */
function dateTimeIn(timeZone: string | undefined, style: Style = 'short'): Intl.DateTimeFormat {
  const key = `${style} ${timeZone ?? ''}`;
  let format = zoned.get(key);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(undefined, { ...STYLES[style], timeZone });
    } catch {
      format = new Intl.DateTimeFormat(undefined, STYLES[style]);
    }
    zoned.set(key, format);
  }
  return format;
}

/**
 * Formats an RFC 3339 time (or epoch milliseconds) in the browser's locale, in `timeZone` (the
 * account's, for times that matter across the team such as SLA due times) or the browser's zone.
 */
export function formatDateTime(value: string | number | null | undefined, timeZone?: string): string {
  if (value === null || value === undefined || value === '') return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : dateTimeIn(timeZone).format(date);
}

/** Like `formatDateTime`, with the weekday, seconds and the zone's name. */
export function formatFullDateTime(value: string | null | undefined, timeZone?: string): string {
  if (value === null || value === undefined || value === '') return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTimeIn(timeZone, 'full').format(date);
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateOnly.format(date);
}

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const monthDay = new Intl.DateTimeFormat(undefined, { month: 'numeric', day: 'numeric' });

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Hours and minutes only. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : timeOnly.format(date);
}

/** Compact time for lists: the time today, month and day this year, the date before. */
export function formatListTime(value: string | null | undefined, now: Date = new Date()): string {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  if (sameDay(date, now)) return timeOnly.format(date);
  if (date.getFullYear() === now.getFullYear()) return monthDay.format(date);
  return dateOnly.format(date);
}

/** Whether two times fall on the same local day. */
export function isSameDay(a: string, b: string): boolean {
  const x = new Date(a);
  const y = new Date(b);
  return !Number.isNaN(x.getTime()) && !Number.isNaN(y.getTime()) && sameDay(x, y);
}
