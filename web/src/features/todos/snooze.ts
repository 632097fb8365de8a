import { fromZonedInput, toZonedInput } from './zonedTime';

export const SNOOZE_CHOICES = ['1h', '4h', 'tomorrow'] as const;
export type SnoozeChoice = (typeof SNOOZE_CHOICES)[number];

/** When a snoozed to-do comes back: in an hour, in four, or tomorrow at 09:00 in the account's zone. */
export function snoozeUntil(choice: SnoozeChoice, now: number, timeZone: string): number {
  if (choice === '1h') return now + 3_600_000;
  if (choice === '4h') return now + 4 * 3_600_000;
  const tomorrow = toZonedInput(now + 86_400_000, timeZone).slice(0, 10);
  return fromZonedInput(`${tomorrow}T09:00`, timeZone) ?? now + 86_400_000;
}
