import { describe, expect, it } from 'vitest';
import { sortTodos, stripeColor } from './present';
import { fromZonedInput, toZonedInput } from './zonedTime';

describe('sortTodos', () => {
  it('orders by due time with undated last, then by priority', () => {
    const sorted = sortTodos([
      { id: 1, due_at: null, priority: 'urgent' },
      { id: 2, due_at: 2000, priority: 'low' },
      { id: 3, due_at: 2000, priority: 'urgent' },
      { id: 4, due_at: 1000, priority: 'normal' },
    ]);
    expect(sorted.map((t) => t.id)).toEqual([4, 3, 2, 1]);
  });
});

describe('stripeColor', () => {
  it('shows lateness before the own colour', () => {
    expect(stripeColor({ colour: '#00ff00', lateness: 'overdue', priority: 'low' })).toBe('#f5222d');
    expect(stripeColor({ colour: '#00ff00', lateness: 'due_soon', priority: 'low' })).toBe('#faad14');
    expect(stripeColor({ colour: '#00ff00', lateness: 'on_time', priority: 'low' })).toBe('#00ff00');
  });
});

describe('zoned inputs', () => {
  it('reads and writes wall-clock times in the account zone', () => {
    const ms = Date.UTC(2026, 10, 21, 1, 30); // 09:30 in Shanghai
    expect(toZonedInput(ms, 'Asia/Shanghai')).toBe('2026-11-21T09:30');
    expect(fromZonedInput('2026-11-21T09:30', 'Asia/Shanghai')).toBe(ms);
    expect(fromZonedInput('2026-07-01T09:30', 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 1, 7, 30));
    expect(fromZonedInput('', 'Asia/Shanghai')).toBeNull();
  });
});
