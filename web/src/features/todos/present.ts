import type { Todo } from './types';

const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** Orders to-dos as the agent works through them: by due time (undated last), then priority. */
export function compareTodos(a: Pick<Todo, 'due_at' | 'priority' | 'id'>, b: Pick<Todo, 'due_at' | 'priority' | 'id'>): number {
  const ad = a.due_at ?? Number.POSITIVE_INFINITY;
  const bd = b.due_at ?? Number.POSITIVE_INFINITY;
  if (ad !== bd) return ad < bd ? -1 : 1;
  const ap = PRIORITY_RANK[a.priority] ?? 2;
  const bp = PRIORITY_RANK[b.priority] ?? 2;
  if (ap !== bp) return ap - bp;
  return a.id - b.id;
}

export function sortTodos<T extends Pick<Todo, 'due_at' | 'priority' | 'id'>>(todos: readonly T[]): T[] {
  return [...todos].sort(compareTodos);
}

/** antd tag colours of the priorities. */
export const PRIORITY_COLOR: Record<string, string> = {
  urgent: 'magenta',
  high: 'volcano',
  normal: 'blue',
  low: 'default',
};

/** antd tag colours of the lateness the server computes: overdue red, due soon amber. */
export const LATENESS_COLOR: Record<string, string> = {
  overdue: 'red',
  due_soon: 'gold',
  on_time: 'green',
  closed: 'default',
};

/** The stripe beside a to-do: its own colour if it has one, else its lateness, else its priority. */
export function stripeColor(todo: Pick<Todo, 'colour' | 'lateness' | 'priority'>): string {
  if (todo.lateness === 'overdue') return '#f5222d';
  if (todo.lateness === 'due_soon') return '#faad14';
  if (todo.colour) return todo.colour;
  if (todo.priority === 'urgent') return '#eb2f96';
  if (todo.priority === 'high') return '#fa541c';
  if (todo.priority === 'low') return '#d9d9d9';
  return '#1677ff';
}

export function isOpen(todo: Pick<Todo, 'status'>): boolean {
  return todo.status === 'open' || todo.status === 'snoozed';
}
