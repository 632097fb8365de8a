import { jsonResponse } from './renderApp';
import { on, sessionOf, user, type Route } from './fakeServer';

export const owner = user();
export const agent = user({ id: 2, email: 'agent@example.com', name: 'Li Lei', role: 'agent' });

const H = 3_600_000;
export const NOW = Date.now();

/** A to-do as the API answers it. */
export const todo = (overrides: Record<string, unknown> = {}) => ({
  id: 1,
  title: '回访张三',
  note: '',
  owner_id: 2,
  collaborators: [],
  status: 'open',
  priority: 'normal',
  colour: null,
  due_at: NOW + 5 * H,
  remind_at: null,
  snoozed_until: null,
  repeat: null,
  contact_id: 7,
  conversation_id: 30,
  ticket_id: null,
  context: {},
  source: 'conversation',
  rule_id: null,
  template_key: null,
  chain_id: null,
  chain_step: null,
  waits: false,
  created_by: 2,
  created_at: NOW - 24 * H,
  updated_at: NOW - 24 * H,
  completed_at: null,
  cancelled_at: null,
  lateness: 'on_time',
  reminder: 'light',
  ...overrides,
});

/** The routes every signed-in page needs (session, users, teams, the agent's own state). */
export function baseRoutes(me: ReturnType<typeof user>, ...more: Route[]): Route[] {
  return [
    ...more,
    on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(me))),
    on('GET', '/api/v1/users', () => jsonResponse(200, { items: [owner, agent], next_cursor: null })),
    on('GET', '/api/v1/teams', () => jsonResponse(200, { items: [], next_cursor: null })),
    on('GET', '/api/v1/agents', () => jsonResponse(200, { items: [] })),
    on('GET', '/api/v1/todo-templates', () => jsonResponse(200, { items: [] })),
    on('GET', '/api/v1/me/schedule', () => jsonResponse(200, { schedule: null })),
  ];
}
