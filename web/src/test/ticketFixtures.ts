import { afterEach, beforeEach, vi } from 'vitest';
import { on, sessionOf, user, type Route } from './fakeServer';
import { jsonResponse } from './renderApp';
import { setLocale } from '../i18n';
import { setCsrfToken } from '../api/client';

/** The usual page-test frame: Chinese UI, fresh storage, the fake fetch and fake timers undone after each test. */
export function pageTests(): void {
  beforeEach(async () => {
    localStorage.clear();
    await setLocale('zh-CN');
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
    setCsrfToken(null);
  });
  // antd pages in jsdom are slow on a busy machine.
  vi.setConfig({ testTimeout: 60_000 });
}

/** The default workflow as the server answers GET /ticket-workflow. */
export const WORKFLOW = {
  states: [
    { key: 'new', name: '待分配', kind: 'new' },
    { key: 'open', name: '处理中', kind: 'open' },
    { key: 'pending_customer', name: '等待客户', kind: 'pending' },
    { key: 'resolved', name: '已解决', kind: 'resolved' },
    { key: 'closed', name: '已关闭', kind: 'closed' },
  ],
  transitions: {
    new: ['open', 'pending_customer', 'resolved', 'closed'],
    open: ['pending_customer', 'resolved', 'closed'],
    pending_customer: ['open', 'resolved', 'closed'],
    resolved: ['open', 'closed'],
    closed: ['open'],
  },
};

export const CATEGORY = {
  id: 4,
  key: 'refund',
  name: '退款',
  fields: [
    { key: 'amount', label: '退款金额', kind: 'number', required: true, options: [] },
    { key: 'reason', label: '退款原因', kind: 'list', required: false, options: ['质量问题', '物流'] },
  ],
};

export const MARKER = { id: 9, name: '已联系客户' };

const MIN = 60_000;

/** An SLA document as the server stores it on a ticket: resolution running, due and warning times relative to `now`. */
export function slaDoc(now: number, dueInMin: number, warnInMin: number) {
  return {
    policy_id: 1,
    policy: '标准 SLA',
    calendar_id: 1,
    fired: [],
    metrics: [
      {
        metric: 'resolution',
        target_ms: 240 * MIN,
        warn_ms: 192 * MIN,
        warn_source: 'static',
        started_at: now - 60 * MIN,
        due_at: now + dueInMin * MIN,
        warn_at: now + warnInMin * MIN,
        stopped_at: null,
        elapsed_ms: 60 * MIN,
        paused: false,
        status: 'running',
      },
    ],
  };
}

export function ticket(overrides: Record<string, unknown> = {}) {
  return {
    id: 31,
    number: 'T-2026031',
    title: '打印机无法连接',
    description: '客户的打印机连不上 Wi-Fi',
    category_id: null,
    priority: 'p3',
    status: 'new',
    status_kind: 'new',
    order_number: null,
    requested_by: null,
    contact_id: null,
    conversation_id: null,
    team_id: null,
    assignee_id: null,
    deadline: null,
    custom: {},
    tags: [],
    attachments: [],
    channel: 'agent',
    source: {},
    sla: { fired: [] },
    first_response_at: null,
    resolved_at: null,
    closed_at: null,
    created_by: 1,
    created_at: '2026-11-21T05:00:00.000Z',
    updated_at: '2026-11-21T05:10:00.000Z',
    ...overrides,
  };
}

export function detail(overrides: Record<string, unknown> = {}) {
  return { ...ticket(overrides), status_name: '待分配', category_key: null, collaborators: [], ...overrides };
}

/** What every page behind the layout asks for, plus the ticket lookups. */
export function ticketRoutes(me: ReturnType<typeof user>, ...more: Route[]): Route[] {
  const agent = user({ id: 2, email: 'agent@example.com', name: 'Li Lei', role: 'agent' });
  return [
    ...more,
    on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(me))),
    on('GET', '/api/v1/users', () => jsonResponse(200, { items: [user(), agent], next_cursor: null })),
    on('GET', '/api/v1/teams', () =>
      jsonResponse(200, { items: [{ id: 5, name: '售后组', description: '', member_count: 1, created_at: '2026-11-21T05:00:00.000Z' }], next_cursor: null }),
    ),
    on('GET', '/api/v1/agents', () => jsonResponse(200, { items: [] })),
    on('GET', '/api/v1/ticket-workflow', () => jsonResponse(200, WORKFLOW)),
    on('GET', '/api/v1/ticket-categories', () => jsonResponse(200, { items: [CATEGORY] })),
    on('GET', '/api/v1/ticket-markers', () => jsonResponse(200, { items: [MARKER] })),
  ];
}
