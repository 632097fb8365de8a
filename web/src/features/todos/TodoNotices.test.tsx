import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve } from '../../test/fakeServer';
import { FakeSocket } from '../../test/fakeSocket';
import { NOW, agent, baseRoutes, todo } from '../../test/todoFixtures';
import { setCsrfToken } from '../../api/client';

const patches: Array<{ url: string; body: unknown }> = [];
const posts: unknown[] = [];
let listCalls = 0;

beforeEach(() => {
  FakeSocket.all = [];
  patches.length = 0;
  posts.length = 0;
  listCalls = 0;
  vi.stubGlobal('WebSocket', FakeSocket);
  setCsrfToken('tok');
  serve(
    ...baseRoutes(
      agent,
      on('GET', '/api/v1/todos', () => {
        listCalls++;
        return jsonResponse(200, { items: [] });
      }),
      on('PATCH', '/api/v1/todos/5', (req) => {
        void req.json().then((body) => patches.push({ url: req.url, body }));
        return jsonResponse(200, todo({ id: 5, status: 'done' }));
      }),
      on('POST', '/api/v1/todos', (req) => {
        void req.json().then((b) => posts.push(b));
        return jsonResponse(201, todo({ id: 8, title: '跟进：未决' }));
      }),
    ),
  );
});
afterEach(() => vi.unstubAllGlobals());

async function signedInSocket() {
  renderApp('/todos');
  await screen.findByText('没有待办', {}, { timeout: 10_000 });
  await waitFor(() => expect(FakeSocket.all.length).toBeGreaterThan(0));
  const ws = FakeSocket.live();
  act(() => ws.accept());
  return ws;
}

const notice = (kind: string, subject: string, params: Record<string, unknown>) => ({ type: 'notice', kind, notice: { subject, params } });

describe('TodoNotices', () => {
  it('pops up a strong reminder with snooze / done / open, and completes from it', async () => {
    const ws = await signedInSocket();
    act(() => ws.frame(notice('todo_reminder', '回访张三', { todo_id: 5, strength: 'strong', priority: 'urgent', due_at: NOW })));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('重要待办提醒')).toBeInTheDocument();
    expect(within(dialog).getByText('回访张三')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: '1 小时后提醒' })).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: '打开' })).toBeInTheDocument();
    await userEvent.setup({ delay: null }).click(within(dialog).getByRole('button', { name: '完成' }));
    await waitFor(() => expect(patches.map((p) => p.body)).toEqual([{ status: 'done' }]));
  });

  it('shows a light reminder as a toast, not a pop-up', async () => {
    const ws = await signedInSocket();
    act(() => ws.frame(notice('todo_reminder', '寄样品', { todo_id: 6, strength: 'light', priority: 'normal', due_at: null })));
    expect(await screen.findByText('待办提醒')).toBeInTheDocument();
    expect(screen.getByText('寄样品')).toBeInTheDocument();
    expect(screen.queryByText('重要待办提醒')).not.toBeInTheDocument();
  });

  it("opens today's list at shift start", async () => {
    const ws = await signedInSocket();
    act(() =>
      ws.frame(
        notice('todo_digest', '今日待办 2 项', {
          todos: [
            { todo_id: 1, title: '整理资料', priority: 'low', due_at: null, lateness: 'on_time' },
            { todo_id: 2, title: '回访李四', priority: 'normal', due_at: NOW - 1000, lateness: 'overdue' },
          ],
        }),
      ),
    );
    const list = await screen.findByRole('list', { name: '今日待办清单' });
    const items = within(list).getAllByRole('listitem').map((li) => li.textContent);
    expect(items[0]).toContain('回访李四');
    expect(items[1]).toContain('整理资料');
  });

  it('offers to create a to-do when a prompting tag is added, and refreshes lists on to-do changes', async () => {
    const ws = await signedInSocket();
    act(() => ws.frame(notice('todo_prompt', '未决', { conversation_id: 30, tag: '未决', template: null })));
    expect(await screen.findByText('会话被打上“未决”标签，要为它创建一条待办吗？')).toBeInTheDocument();
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: '创建待办' }));
    await waitFor(() => expect(posts).toEqual([{ conversation_id: 30, title: '跟进：未决' }]));

    const before = listCalls;
    act(() => ws.frame({ type: 'notice', kind: 'todo_created', notice: { todo_id: 9, title: 'x', priority: 'normal', status: 'open', due_at: null } }));
    await waitFor(() => expect(listCalls).toBeGreaterThan(before));
  });
});
