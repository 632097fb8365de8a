import { useCallback, useSyncExternalStore } from 'react';

/**
 * One ticking clock per period, shared by every component that shows a live time (queue waits,
 * SLA countdowns): a table of fifty countdowns runs one interval, not fifty, and they all turn
 * over together.
 */
type Clock = { now: number; listeners: Set<() => void>; timer: ReturnType<typeof setInterval> | null };

const clocks = new Map<number, Clock>();

function clockOf(everyMs: number): Clock {
  let clock = clocks.get(everyMs);
  if (!clock) {
    clock = { now: Date.now(), listeners: new Set(), timer: null };
    clocks.set(everyMs, clock);
  }
  return clock;
}

function subscribe(everyMs: number, listener: () => void): () => void {
  const clock = clockOf(everyMs);
  clock.listeners.add(listener);
  if (clock.timer === null) {
    // Idle until now: start from the current time (one extra render for the first subscriber).
    clock.now = Date.now();
    clock.timer = setInterval(() => {
      clock.now = Date.now();
      for (const notify of clock.listeners) notify();
    }, everyMs);
  }
  return () => {
    clock.listeners.delete(listener);
    if (clock.listeners.size === 0 && clock.timer !== null) {
      clearInterval(clock.timer);
      clock.timer = null;
    }
  };
}

/** The current time (epoch ms), renewed every `everyMs` by a clock shared with every other caller. */
export function useNow(everyMs = 1000): number {
  // A stable subscription: a new one on every render would stop and restart the clock each time.
  const subscribeToClock = useCallback((listener: () => void) => subscribe(everyMs, listener), [everyMs]);
  return useSyncExternalStore(subscribeToClock, () => clockOf(everyMs).now);
}
