import { beforeEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { errorResponse, jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, user, type Route } from '../../test/fakeServer';
import { pageTests, ticketRoutes } from '../../test/ticketFixtures';
import { FakeSocket } from '../../test/fakeSocket';

const me = user({ id: 2, email: 'agent@example.com', name: 'Li Lei', role: 'agent' });

function notice(id: number, overrides: Record<string, unknown> = {}) {
  return {
    id,
    notice_key: `n${id}`,
    ticket_id: null,
    rule_id: null,
    notice_kind: 'automation',
    recipient_kind: 'agent',
    contact_id: null,
    user_id: 2,
    medium: 'in_app',
    channel_id: null,
    subject: `通知 ${id}`,
    body: `通知 ${id}`,
    params: {},
    important: false,
    status: 'delivered',
    skip_reason: null,
    attempts: 0,
    read_at: null as number | null,
    created_at: 1_763_700_000_000,
    ...overrides,
  };
}

/** The agent's notices and unread count, as state the test changes. */
function noticeServer(initial: ReturnType<typeof notice>[]) {
  const state = { items: initial, reads: [] as number[], readAll: 0 };
  const unread = () => state.items.filter((n) => n.read_at === null).length;
  const routes: Route[] = [
    on('GET', '/api/v1/me/notifications/unread', () => jsonResponse(200, { count: unread() })),
    on('GET', '/api/v1/me/notifications', () => jsonResponse(200, { items: state.items })),
    on('POST', '/api/v1/me/notifications/read-all', () => {
      const count = unread();
      state.readAll++;
      state.items = state.items.map((n) => ({ ...n, read_at: n.read_at ?? 1 }));
      return jsonResponse(200, { count });
    }),
    (request) => {
      const m = /^\/api\/v1\/me\/notifications\/(\d+)\/read$/.exec(new URL(request.url).pathname);
      if (!m || request.method !== 'POST') return undefined;
      const id = Number(m[1]);
      state.reads.push(id);
      state.items = state.items.map((n) => (n.id === id ? { ...n, read_at: 1 } : n));
      return new Response(null, { status: 204 });
    },
    on('GET', '/api/v1/todos/5', () => jsonResponse(200, { id: 5, conversation_id: null, ticket_id: 77 })),
    // The inbox a mention opens: its lookups are not this test's concern either.
    (request) => (/^\/api\/v1\/(conversations|channels|canned-responses)/.test(new URL(request.url).pathname) ? errorResponse(404, 'not_found') : undefined),
    on('GET', '/api/v1/tickets', () => jsonResponse(200, { items: [], next_cursor: null })),
    // The ticket a notice opens: the page's lookups are not this test's concern.
    (request) => (/^\/api\/v1\/tickets\/\d+/.test(new URL(request.url).pathname) ? errorResponse(404, 'not_found') : undefined),
  ];
  return { state, routes };
}

pageTests();

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
});

async function bell(count: number) {
  return screen.findByRole('button', { name: count > 0 ? `通知（${count} 条未读）` : '通知' }, { timeout: 10_000 });
}

describe('NotificationBell', () => {
  it('counts a notice frame at once and asks the server again once it has stored it', async () => {
    const server = noticeServer([notice(1)]);
    serve(...ticketRoutes(me, ...server.routes));
    renderApp('/tickets');
    await bell(1);
    const ws = FakeSocket.live();
    act(() => ws.accept());

    // The frame comes before the server has committed the notice: counted from the frame.
    act(() => ws.frame({ type: 'notice', kind: 'todo_reminder', notice: { subject: '回电客户', params: { todo_id: 5, strength: 'light' } } }));
    await bell(2);
    // Then the server's own count wins (here another notice came with it).
    server.state.items = [notice(3), notice(2), ...server.state.items];
    expect(await screen.findByRole('button', { name: '通知（3 条未读）' })).toBeInTheDocument();

    // Frames that are not kept in the list do not count.
    act(() => ws.frame({ type: 'notice', kind: 'todo_updated', notice: { subject: 'x', params: {} } }));
    await new Promise((r) => setTimeout(r, 100));
    expect(screen.getByRole('button', { name: '通知（3 条未读）' })).toBeInTheDocument();
  });

  it('lists notices as plain text, marks one read and opens its ticket', async () => {
    const server = noticeServer([
      notice(1, { subject: '<img src=x onerror=alert(1)>工单超时', body: '<script>bad()</script>请尽快处理', ticket_id: 31 }),
      notice(2, { read_at: 5, subject: '已读的通知' }),
    ]);
    const fetchMock = serve(...ticketRoutes(me, ...server.routes));
    renderApp('/tickets');
    const typist = userEvent.setup({ delay: null });
    await typist.click(await bell(1));
    const item = await screen.findByRole('button', { name: '<img src=x onerror=alert(1)>工单超时' });
    expect(within(item).getByText('<script>bad()</script>请尽快处理')).toBeInTheDocument();
    expect(item.querySelector('img, script')).toBeNull();
    expect(within(item).getByLabelText('未读')).toBeInTheDocument();
    expect(within(screen.getByRole('button', { name: '已读的通知' })).queryByLabelText('未读')).not.toBeInTheDocument();

    await typist.click(item);
    await waitFor(() => expect(server.state.reads).toEqual([1]));
    await waitFor(() =>
      expect(fetchMock.mock.calls.some(([r]) => new URL(r.url).pathname === '/api/v1/tickets/31')).toBe(true),
    );
    await bell(0);
  });

  it('opens a to-do reminder through its to-do and marks everything read', async () => {
    const server = noticeServer([
      notice(1, { notice_kind: 'todo_reminder', subject: '回电客户', params: { todo_id: 5, strength: 'strong' } }),
      notice(2),
    ]);
    const fetchMock = serve(...ticketRoutes(me, ...server.routes));
    renderApp('/tickets');
    const typist = userEvent.setup({ delay: null });
    await typist.click(await bell(2));
    await typist.click(await screen.findByRole('button', { name: '回电客户' }));
    await waitFor(() =>
      expect(fetchMock.mock.calls.some(([r]) => new URL(r.url).pathname === '/api/v1/tickets/77')).toBe(true),
    );
    await bell(1);

    await typist.click(await bell(1));
    await typist.click(await screen.findByRole('button', { name: '全部已读' }));
    await bell(0);
    expect(server.state.readAll).toBe(1);
  });

  it('shows a mention live as a toast with the note as text, and opens its conversation', async () => {
    const server = noticeServer([]);
    const fetchMock = serve(...ticketRoutes(me, ...server.routes));
    renderApp('/tickets');
    await bell(0);
    const ws = FakeSocket.live();
    act(() => ws.accept());

    act(() =>
      ws.frame({
        type: 'notice',
        kind: 'mention',
        notice: {
          subject: '王芳 在会话 #12 的备注中提到了你',
          params: { conversation_id: 12, conversation_number: 12, message_id: 40, by: 1, by_name: '王芳', excerpt: '@Li Lei 请看 <img src=x onerror=alert(1)>' },
        },
      }),
    );
    const title = await screen.findByText('王芳 提到了你');
    const toast = title.closest('.ant-notification-notice') as HTMLElement;
    expect(within(toast).getByText('@Li Lei 请看 <img src=x onerror=alert(1)>')).toBeInTheDocument();
    expect(toast.querySelector('img')).toBeNull();
    await bell(1);

    await userEvent.setup({ delay: null }).click(within(toast).getByRole('button', { name: '打开会话 #12' }));
    await waitFor(() =>
      expect(fetchMock.mock.calls.some(([r]) => new URL(r.url).pathname === '/api/v1/conversations/12')).toBe(true),
    );
  });

  it('lists a mention as who mentioned the agent over the note, and opens its conversation', async () => {
    const server = noticeServer([
      notice(1, {
        notice_kind: 'mention',
        subject: '王芳 在会话 #12 的备注中提到了你',
        body: '王芳 在会话 #12 的备注中提到了你',
        params: { conversation_id: 12, conversation_number: 12, message_id: 40, by: 1, by_name: '王芳', excerpt: '@Li Lei 客户要退款，请跟进' },
      }),
    ]);
    const fetchMock = serve(...ticketRoutes(me, ...server.routes));
    renderApp('/tickets');
    const typist = userEvent.setup({ delay: null });
    await typist.click(await bell(1));
    const item = await screen.findByRole('button', { name: '王芳 提到了你' });
    expect(within(item).getByText('@Li Lei 客户要退款，请跟进')).toBeInTheDocument();
    expect(within(item).getByText(/^提及 · /)).toBeInTheDocument();

    await typist.click(item);
    await waitFor(() => expect(server.state.reads).toEqual([1]));
    await waitFor(() =>
      expect(fetchMock.mock.calls.some(([r]) => new URL(r.url).pathname === '/api/v1/conversations/12')).toBe(true),
    );
  });
  it('shows a handed-over conversation live as a toast with the transfer note as text, and opens it', async () => {
    const server = noticeServer([]);
    const fetchMock = serve(...ticketRoutes(me, ...server.routes));
    renderApp('/tickets');
    await bell(0);
    const ws = FakeSocket.live();
    act(() => ws.accept());

    act(() =>
      ws.frame({
        type: 'notice',
        kind: 'assigned',
        notice: {
          subject: '王芳 把会话 #12 转给了你',
          params: { conversation_id: 12, conversation_number: 12, by: 1, by_name: '王芳', note: '<img src=x onerror=alert(1)> 客户要退款' },
        },
      }),
    );
    const title = await screen.findByText('王芳 把会话转给了你');
    const toast = title.closest('.ant-notification-notice') as HTMLElement;
    expect(within(toast).getByText('<img src=x onerror=alert(1)> 客户要退款')).toBeInTheDocument();
    expect(toast.querySelector('img')).toBeNull();
    await bell(1);

    // Without a note the toast is its title and the way to the conversation.
    act(() =>
      ws.frame({
        type: 'notice',
        kind: 'assigned',
        notice: { subject: '王芳 把会话 #13 转给了你', params: { conversation_id: 13, conversation_number: 13, by: 1, by_name: '王芳', note: null } },
      }),
    );
    const second = (await screen.findByRole('button', { name: '打开会话 #13' })).closest('.ant-notification-notice') as HTMLElement;
    expect(second.querySelector('.ant-notification-notice-description')?.textContent ?? '').toBe('');

    await userEvent.setup({ delay: null }).click(within(toast).getByRole('button', { name: '打开会话 #12' }));
    await waitFor(() =>
      expect(fetchMock.mock.calls.some(([r]) => new URL(r.url).pathname === '/api/v1/conversations/12')).toBe(true),
    );
  });

  it('lists a handed-over conversation as who handed it over, with the note, and opens it', async () => {
    const server = noticeServer([
      notice(1, {
        notice_kind: 'assigned',
        subject: '王芳 把会话 #12 转给了你',
        body: '王芳 把会话 #12 转给了你',
        params: { conversation_id: 12, conversation_number: 12, by: 1, by_name: '王芳', note: '<b>VIP</b> 客户，请优先处理' },
      }),
      notice(2, {
        notice_kind: 'assigned',
        read_at: 5,
        subject: '王芳 把会话 #14 转给了你',
        body: '王芳 把会话 #14 转给了你',
        params: { conversation_id: 14, conversation_number: 14, by: 1, by_name: '王芳', note: null },
      }),
    ]);
    const fetchMock = serve(...ticketRoutes(me, ...server.routes));
    renderApp('/tickets');
    const typist = userEvent.setup({ delay: null });
    await typist.click(await bell(1));
    const [item, withoutNote] = await screen.findAllByRole('button', { name: '王芳 把会话转给了你' });
    expect(within(item).getByText('<b>VIP</b> 客户，请优先处理')).toBeInTheDocument();
    expect(item.querySelector('b')).toBeNull();
    expect(within(item).getByText(/^转交 · /)).toBeInTheDocument();
    // Without a note the conversation's number stands under the title.
    expect(within(withoutNote).getByText('会话 #14')).toBeInTheDocument();

    await typist.click(item);
    await waitFor(() => expect(server.state.reads).toEqual([1]));
    await waitFor(() =>
      expect(fetchMock.mock.calls.some(([r]) => new URL(r.url).pathname === '/api/v1/conversations/12')).toBe(true),
    );
    await bell(0);
  });
});
