import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve } from '../../test/fakeServer';
import { FakeSocket } from '../../test/fakeSocket';
import { NOW, agent, baseRoutes, owner, todo } from '../../test/todoFixtures';
import { setCsrfToken } from '../../api/client';

const H = 3_600_000;
const later = todo({ id: 1, title: '补发发票', due_at: NOW + 48 * H, priority: 'urgent' });
const overdue = todo({ id: 2, title: '回访张三', due_at: NOW - 2 * H, priority: 'normal', lateness: 'overdue' });
const undated = todo({ id: 3, title: '整理资料', due_at: null, priority: 'urgent' });
const soon = todo({ id: 4, title: '确认退款', due_at: NOW + 48 * H, priority: 'low', lateness: 'due_soon' });

const context = {
  todo: overdue,
  contact: {
    id: 7,
    name: '张三',
    email: 'zhang@example.com',
    phone: null,
    tags: ['vip'],
    attributes: { plan: 'pro' },
    conversations: 3,
    returning: true,
    owner_id: 2,
    trail: [{ url: 'https://shop.example.com/pay', title: '支付页', at: NOW - 30 * H }],
  },
  conversation: {
    conversation: { id: 30, number: 1024, status: 'open', tags: ['未决'] },
    summary: [{ from: 'contact', text: '发票什么时候寄出？', at: NOW - 25 * H }],
    at_creation: { conversation: { tags: [] }, summary: [] },
  },
  ticket: null,
  chain: null,
};

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  setCsrfToken('tok');
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('TodosPage', () => {
  it('lists my to-dos by due time then priority, coloured by lateness, and completes one in a click', async () => {
    const patches: unknown[] = [];
    const lists: string[] = [];
    serve(
      ...baseRoutes(
        agent,
        on('GET', '/api/v1/todos', (req) => {
          lists.push(new URL(req.url).search);
          return jsonResponse(200, { items: [later, undated, overdue, soon] });
        }),
        on('PATCH', '/api/v1/todos/2', (req) => {
          void req.json().then((b) => patches.push(b));
          return jsonResponse(200, { ...overdue, status: 'done' });
        }),
      ),
    );
    renderApp('/todos');
    const list = await screen.findByRole('list', { name: '待办列表' }, { timeout: 10_000 });
    const titles = within(list).getAllByRole('listitem').map((li) => li.getAttribute('data-testid'));
    // Overdue first, then the two due together (urgent before low), undated last.
    expect(titles).toEqual(['todo-2', 'todo-1', 'todo-4', 'todo-3']);
    expect(screen.getByTestId('todo-2')).toHaveAttribute('data-lateness', 'overdue');
    expect(within(screen.getByTestId('todo-2')).getByText(/已逾期/)).toBeInTheDocument();
    expect(within(screen.getByTestId('todo-4')).getByText(/即将到期/)).toBeInTheDocument();
    expect(lists[0]).toContain('view=mine');
    expect(lists[0]).toContain('status=open');
    // Agents get no "all" view: the API would answer 403.
    expect(screen.getByRole('tab', { name: '我的' })).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: '团队' })).toBeInTheDocument();
    expect(screen.queryByRole('tab', { name: '全部' })).not.toBeInTheDocument();

    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: '完成“回访张三”' }));
    await waitFor(() => expect(patches).toEqual([{ status: 'done' }]));
  });

  it('shows supervisors every view, and opens a to-do with its context from one call', async () => {
    const contextCalls: string[] = [];
    serve(
      ...baseRoutes(
        owner,
        on('GET', '/api/v1/todos', () => jsonResponse(200, { items: [overdue] })),
        on('GET', '/api/v1/todos/2/context', (req) => {
          contextCalls.push(req.url);
          return jsonResponse(200, context);
        }),
      ),
    );
    renderApp('/todos');
    expect(await screen.findByRole('tab', { name: '全部' }, { timeout: 10_000 })).toBeInTheDocument();
    await userEvent.setup({ delay: null }).click(await screen.findByText('回访张三'));
    const panel = await screen.findByTestId('todo-context', {}, { timeout: 10_000 });
    expect(within(panel).getByText('张三')).toBeInTheDocument();
    expect(within(panel).getByText('vip')).toBeInTheDocument();
    expect(within(panel).getByText('支付页')).toBeInTheDocument();
    expect(within(panel).getByText('发票什么时候寄出？')).toBeInTheDocument();
    expect(within(panel).getByText('会话 #1024')).toBeInTheDocument();
    expect(within(panel).getByText('pro')).toBeInTheDocument();
    expect(contextCalls).toHaveLength(1);
  });

  it('creates a to-do with times read in the account zone', async () => {
    const posts: Array<Record<string, unknown>> = [];
    serve(
      ...baseRoutes(
        agent,
        on('GET', '/api/v1/todos', () => jsonResponse(200, { items: [] })),
        on('POST', '/api/v1/todos', (req) => {
          void req.json().then((b) => posts.push(b as Record<string, unknown>));
          return jsonResponse(201, todo({ id: 9, title: '寄样品' }));
        }),
      ),
    );
    renderApp('/todos');
    const typist = userEvent.setup({ delay: null });
    await typist.click(await screen.findByRole('button', { name: /新建待办/ }, { timeout: 10_000 }));
    const drawer = await screen.findByRole('dialog');
    await typist.type(within(drawer).getByLabelText('标题'), '寄样品');
    const due = within(drawer).getByLabelText('截止时间');
    await typist.type(due, '2026-12-01T09:30');
    await typist.click(within(drawer).getByRole('button', { name: '创建' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    // 09:30 in Asia/Shanghai (the account's zone) is 01:30 UTC.
    expect(posts[0]).toMatchObject({ title: '寄样品', owner_id: 2, priority: 'normal', due_at: Date.UTC(2026, 11, 1, 1, 30) });
  });

  it("sets the agent's own shift start for the daily list, and filters team lists by owner", async () => {
    const puts: unknown[] = [];
    const lists: string[] = [];
    serve(
      ...baseRoutes(
        owner,
        on('GET', '/api/v1/todos', (req) => {
          lists.push(new URL(req.url).search);
          return jsonResponse(200, { items: [] });
        }),
        on('PUT', '/api/v1/me/schedule', (req) => {
          void req.json().then((b) => puts.push(b));
          return jsonResponse(200, { schedule: { weekdays: [1, 2, 3, 4, 5], start: '08:30' } });
        }),
      ),
    );
    renderApp('/todos');
    const typist = userEvent.setup({ delay: null });
    await typist.click(await screen.findByText('上班时间：按公司日历', {}, { timeout: 10_000 }));
    const time = await screen.findByLabelText('上班时间');
    await typist.clear(time);
    await typist.type(time, '08:30');
    await typist.click(screen.getByText('保存'));
    await waitFor(() => expect(puts).toEqual([{ schedule: { weekdays: [1, 2, 3, 4, 5], start: '08:30' } }]));
    expect(await screen.findByText('上班 一二三四五 08:30')).toBeInTheDocument();

    await typist.click(screen.getByRole('tab', { name: '全部' }));
    await waitFor(() => expect(lists.at(-1)).toContain('view=all'));
    expect(screen.getByLabelText('负责人')).toBeInTheDocument();
  });
});
