import type { TFunction } from 'i18next';

export const UNITS = ['d', 'h', 'm', 's'] as const;
export type Unit = (typeof UNITS)[number];
export const UNIT_SECONDS: Record<Unit, number> = { d: 86_400, h: 3600, m: 60, s: 1 };

/** The largest unit that divides `secs` evenly (minutes for zero). */
export function bestUnit(secs: number): Unit {
  if (secs === 0) return 'm';
  return UNITS.find((unit) => secs % UNIT_SECONDS[unit] === 0) ?? 's';
}

/**
 * A condition duration as the server accepts it: `"30d"`, `"12h"`, `"15m"`, `"45s"` or seconds.
 * `null` for anything else.
 */
export function parseDuration(value: unknown): { amount: number; unit: Unit } | null {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) {
    const unit = bestUnit(value);
    return { amount: value / UNIT_SECONDS[unit], unit };
  }
  if (typeof value === 'string') {
    const match = /^(\d+)([dhms])$/.exec(value.trim());
    if (match) return { amount: Number(match[1]), unit: match[2] as Unit };
  }
  return null;
}

/** A readable length of time: "2 天 3 小时", "5 分钟", "45 秒" (the two largest parts). */
export function formatDuration(t: TFunction, secs: number): string {
  let rest = Math.max(0, Math.round(secs));
  const parts: string[] = [];
  for (const unit of UNITS) {
    const size = UNIT_SECONDS[unit];
    if (rest >= size || (unit === 's' && parts.length === 0)) {
      const amount = Math.floor(rest / size);
      rest -= amount * size;
      parts.push(t(`routing.units.n_${unit}`, { n: amount }));
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** `HH:MM` (or `24:00` when `allowMidnight`). */
export function isClock(value: string, allowMidnight = false): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(value) || (allowMidnight && value === '24:00');
}

/** Minutes after midnight of `HH:MM`. */
export function clockToMinutes(value: string): number {
  const [h, m] = value.split(':').map(Number);
  return h * 60 + m;
}

export function minutesToClock(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}
