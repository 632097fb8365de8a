import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WidgetApi } from '../src/api';
import { NOTICE_POLL_MS } from '../src/controller';
import type { Notice } from '../src/types';
import { Widget } from '../src/ui/Widget';
import { FakeWebSocket, flush, msg, routedFetch, type FetchCall, type Route } from './fakes';
import { BASE, conversation, harness, type HarnessOptions } from './harness';

beforeEach(() => {
  history.replaceState(null, '', '/');
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function notice(partial: Partial<Notice> & { id: number }): Notice {
  return {
    ticket_id: 12,
    notice_kind: 'status',
    subject: `工单 #12 进展 ${partial.id}`,
    body: '您的工单状态已更新为：处理中',
    created_at: '2026-11-21T05:11:23Z',
    read_at: null,
    ticket_url: 'https://kf.example.com/t/abc.def',
    ...partial,
  };
}

/**
 * A server holding the visitor's notices: GET lists them (unread counted from read_at), POST
 * …/read marks one read unless `failReads` is set.
 */
function noticeServer(initial: Notice[]) {
  const server = { items: initial, failReads: false, failList: false };
  const routes: Route[] = [
    {
      method: 'GET',
      path: '/api/v1/widget/notices',
      respond: () =>
        server.failList
          ? { status: 500, body: { error: { code: 'internal', message: 'boom' } } }
          : { status: 200, body: { items: server.items, unread: server.items.filter((n) => !n.read_at).length } },
    },
    {
      method: 'POST',
      path: /^\/api\/v1\/widget\/notices\/\d+\/read$/,
      respond: ({ url }) => {
        if (server.failReads) return { status: 503, body: { error: { code: 'unavailable', message: 'later' } } };
        const id = Number(/notices\/(\d+)\/read/.exec(url)![1]);
        server.items = server.items.map((n) => (n.id === id ? { ...n, read_at: '2026-11-21T06:00:00Z' } : n));
        return { status: 204 };
      },
    },
  ];
  return { server, routes };
}

const lists = (calls: FetchCall[]) =>
  calls.filter((c) => c.method === 'GET' && c.url.endsWith('/api/v1/widget/notices'));
const reads = (calls: FetchCall[]) =>
  calls.filter((c) => c.method === 'POST' && /\/notices\/\d+\/read$/.test(c.url)).map((c) => c.url.replace(BASE, '/'));

describe('notices API', () => {
  it('lists and reads notices with the visitor token', async () => {
    const { fetch, calls } = routedFetch([
      { method: 'GET', path: '/api/v1/widget/notices', body: { items: [notice({ id: 3 })], unread: 1 } },
      { method: 'POST', path: '/api/v1/widget/notices/3/read', status: 204 },
    ]);
    const api = new WidgetApi(BASE, 'ck', fetch);
    api.token = 'vt_9';
    const res = await api.notices();
    expect(res.unread).toBe(1);
    expect(res.items[0].id).toBe(3);
    await expect(api.readNotice(3)).resolves.toBeUndefined();
    expect(calls.map((c) => [c.method, c.url, c.headers.Authorization])).toEqual([
      ['GET', 'https://kf.example.com/api/v1/widget/notices', 'Visitor vt_9'],
      ['POST', 'https://kf.example.com/api/v1/widget/notices/3/read', 'Visitor vt_9'],
    ]);
    expect(calls[1].body).toBeUndefined();
  });
});

describe('notices in the controller', () => {
  it('loads once the widget is ready, with the unread count', async () => {
    const { routes } = noticeServer([notice({ id: 2 }), notice({ id: 1, read_at: '2026-11-21T05:30:00Z' })]);
    const { controller, calls } = harness({ routes });
    expect(controller.getState().notices).toMatchObject({ items: [], unread: 0, loaded: false, open: false });
    await controller.start();
    await waitFor(() => expect(controller.getState().notices.loaded).toBe(true));
    const state = controller.getState().notices;
    expect(state.items.map((n) => n.id)).toEqual([2, 1]);
    expect(state.unread).toBe(1);
    expect(state.error).toBe(false);
    expect(lists(calls)[0].headers.Authorization).toBe('Visitor vt_1');
    // Nothing is read until the centre is shown.
    expect(reads(calls)).toEqual([]);
  });

  it('asks nothing without a visitor token', async () => {
    const { routes } = noticeServer([notice({ id: 1 })]);
    const { controller, calls } = harness({ routes, sessionStatus: 500, session: { error: { code: 'internal', message: 'x' } } });
    await controller.loadNotices();
    await controller.start();
    expect(controller.getState().phase).toBe('error');
    expect(lists(calls)).toEqual([]);
  });

  it('opening the centre refreshes it and reads what it shows, counting down at once', async () => {
    const { server, routes } = noticeServer([notice({ id: 3 }), notice({ id: 2 }), notice({ id: 1, read_at: '2026-11-21T05:00:00Z' })]);
    const { controller, calls } = harness({ routes });
    await controller.start();
    await waitFor(() => expect(controller.getState().notices.unread).toBe(2));
    controller.open();
    controller.setVisible(true);
    const before = lists(calls).length;
    controller.openNotices();
    // Optimistic: read before the server answers.
    expect(controller.getState().notices).toMatchObject({ open: true, unread: 0, fresh: [3, 2] });
    expect(reads(calls)).toEqual(['/api/v1/widget/notices/3/read', '/api/v1/widget/notices/2/read']);
    expect(lists(calls).length).toBe(before + 1);
    await waitFor(() => expect(controller.getState().notices.loading).toBe(false));
    expect(controller.getState().notices.unread).toBe(0);
    expect(server.items.every((n) => n.read_at)).toBe(true);
    // A new notice while the centre is shown is read when it arrives.
    server.items = [notice({ id: 4 }), ...server.items];
    await controller.loadNotices();
    expect(reads(calls)).toContain('/api/v1/widget/notices/4/read');
    expect(controller.getState().notices).toMatchObject({ unread: 0, fresh: [3, 2, 4] });
    controller.closeNotices();
    expect(controller.getState().notices).toMatchObject({ open: false, fresh: [] });
  });

  it('does not read notices while the panel is not on screen', async () => {
    const { routes } = noticeServer([notice({ id: 1 })]);
    const { controller, calls } = harness({ routes });
    await controller.start();
    await waitFor(() => expect(controller.getState().notices.unread).toBe(1));
    controller.openNotices();
    await waitFor(() => expect(controller.getState().notices.loading).toBe(false));
    expect(reads(calls)).toEqual([]);
    expect(controller.getState().notices.unread).toBe(1);
  });

  it('tolerates a failed read: the count stays down and the next load reads again', async () => {
    const { server, routes } = noticeServer([notice({ id: 1 })]);
    server.failReads = true;
    const { controller, calls } = harness({ routes });
    await controller.start();
    controller.open();
    controller.setVisible(true);
    controller.openNotices();
    expect(controller.getState().notices.unread).toBe(0);
    await waitFor(() => expect(controller.getState().notices.loading).toBe(false));
    await flush();
    server.failReads = false;
    await controller.loadNotices();
    await flush();
    expect(reads(calls)).toEqual(['/api/v1/widget/notices/1/read', '/api/v1/widget/notices/1/read']);
    expect(server.items[0].read_at).not.toBeNull();
    expect(controller.getState().notices.unread).toBe(0);
  });

  it('keeps the list and reports the error when a refresh fails', async () => {
    const { server, routes } = noticeServer([notice({ id: 1 })]);
    const { controller } = harness({ routes });
    await controller.start();
    await waitFor(() => expect(controller.getState().notices.loaded).toBe(true));
    server.failList = true;
    await controller.loadNotices();
    expect(controller.getState().notices).toMatchObject({ error: true, loading: false, unread: 1 });
    expect(controller.getState().notices.items).toHaveLength(1);
    server.failList = false;
    await controller.loadNotices();
    expect(controller.getState().notices.error).toBe(false);
  });

  it('polls every 60 s while the panel is on screen, and stops when it closes or on teardown', async () => {
    const { routes } = noticeServer([]);
    const { controller, calls } = harness({ routes });
    await controller.start();
    await waitFor(() => expect(controller.getState().notices.loaded).toBe(true));
    vi.useFakeTimers();
    const n = lists(calls).length;
    await vi.advanceTimersByTimeAsync(3 * NOTICE_POLL_MS);
    expect(lists(calls).length).toBe(n); // closed: no polling
    controller.open();
    controller.setVisible(true);
    await vi.advanceTimersByTimeAsync(NOTICE_POLL_MS - 1);
    expect(lists(calls).length).toBe(n);
    await vi.advanceTimersByTimeAsync(1);
    expect(lists(calls).length).toBe(n + 1);
    await vi.advanceTimersByTimeAsync(NOTICE_POLL_MS);
    expect(lists(calls).length).toBe(n + 2);
    controller.close();
    await vi.advanceTimersByTimeAsync(3 * NOTICE_POLL_MS);
    expect(lists(calls).length).toBe(n + 2);
    controller.open();
    await vi.advanceTimersByTimeAsync(NOTICE_POLL_MS);
    expect(lists(calls).length).toBe(n + 3);
    controller.destroy();
    await vi.advanceTimersByTimeAsync(3 * NOTICE_POLL_MS);
    expect(lists(calls).length).toBe(n + 3);
  });

  it('does not poll before there is a visitor token', async () => {
    const { routes } = noticeServer([]);
    const { controller, calls } = harness({ routes });
    vi.useFakeTimers();
    controller.open();
    controller.setVisible(true);
    await vi.advanceTimersByTimeAsync(3 * NOTICE_POLL_MS);
    expect(lists(calls)).toEqual([]);
    controller.destroy();
  });

  it('refreshes after the realtime connection comes back', async () => {
    const { server, routes } = noticeServer([]);
    const { controller, calls, ws } = harness({ routes });
    await controller.start();
    ws().handshake();
    await waitFor(() => expect(controller.getState().notices.loaded).toBe(true));
    const n = lists(calls).length;
    server.items = [notice({ id: 8, subject: '工单已解决' })];
    ws().serverClose();
    expect(controller.getState().connection).not.toBe('open');
    controller.realtime!.reconnectNow();
    FakeWebSocket.last.handshake();
    await waitFor(() => expect(controller.getState().notices.unread).toBe(1));
    expect(lists(calls).length).toBe(n + 1);
    expect(controller.getState().notices.items[0].subject).toBe('工单已解决');
  });
});

async function renderChat(o: HarnessOptions = {}) {
  const h = harness({
    session: { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: conversation() },
    ...o,
    controller: { mode: 'h5', ...o.controller },
  });
  const view = render(<Widget controller={h.controller} mode="h5" />);
  await act(async () => {
    await h.controller.start();
  });
  act(() => h.ws().handshake());
  return { ...h, view };
}

describe('message centre UI', () => {
  it('shows the unread count on the header button and lists the notices when opened', async () => {
    const { routes } = noticeServer([
      notice({ id: 2, subject: '工单 #12 已解决', body: '您的工单已解决。\n如有疑问请回复。' }),
      notice({ id: 1, subject: '工单 #12 处理中' }),
    ]);
    const { calls, view } = await renderChat({ routes });
    const button = await screen.findByRole('button', { name: '消息（2 条未读）' });
    expect(within(button).getByText('2')).toBeInTheDocument();

    await act(async () => {
      fireEvent.click(button);
      await flush();
    });
    expect(screen.getByRole('heading', { name: '消息' })).toBeInTheDocument();
    const list = screen.getByRole('list', { name: '消息' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('工单 #12 已解决');
    expect(items[1]).toHaveTextContent('工单 #12 处理中');
    // Line breaks are kept as text (white-space: pre-wrap).
    expect(items[0].querySelector('.yk-nt-body')!.textContent).toBe('您的工单已解决。\n如有疑问请回复。');
    expect(within(items[0]).getByText('新')).toBeInTheDocument();
    expect(items[0].querySelector('time')!.getAttribute('datetime')).toBe('2026-11-21T05:11:23Z');
    // Read on show: the badge goes, the markers stay while the centre is open.
    await waitFor(() => expect(screen.getByRole('button', { name: '消息' })).toBeInTheDocument());
    expect(screen.getByRole('button', { name: '消息' }).querySelector('.yk-badge')).toBeNull();
    expect(reads(calls).sort()).toEqual(['/api/v1/widget/notices/1/read', '/api/v1/widget/notices/2/read']);
    // The chat is replaced while the centre is shown; back returns to it.
    expect(screen.queryByLabelText('消息内容')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: '返回对话' }));
    expect(screen.getByLabelText('消息内容')).toBeInTheDocument();
    expect(view.container.querySelector('.yk-nt')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: '消息' }));
    // Escape goes back to the chat too.
    fireEvent.click(screen.getByRole('button', { name: '消息' }));
    expect(screen.getByRole('heading', { name: '消息' })).toBeInTheDocument();
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(screen.queryByRole('heading', { name: '消息' })).toBeNull();
    expect(screen.getByLabelText('消息内容')).toBeInTheDocument();
  });

  it('marks the way back when chat messages come while the centre is shown', async () => {
    const { routes } = noticeServer([]);
    const { ws } = await renderChat({ routes });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '消息' }));
      await flush();
    });
    act(() => ws().serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 1, text: '您好' }) }));
    expect(ws().framesOf('read')).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: '返回对话（1 条未读）' }));
    expect(screen.getByText('您好')).toBeInTheDocument();
    expect(ws().framesOf('read')).toEqual([{ type: 'read', conversation_id: 5, seq: 1 }]);
  });

  it('shows a hostile body literally and creates no element from it', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const { routes } = noticeServer([notice({ id: 1, subject: '<b>工单</b>', body: evil })]);
    const { view } = await renderChat({ routes });
    await act(async () => {
      fireEvent.click(await screen.findByRole('button', { name: /^消息/ }));
      await flush();
    });
    expect(screen.getByText(evil)).toBeInTheDocument();
    expect(screen.getByText('<b>工单</b>')).toBeInTheDocument();
    expect(view.container.querySelector('img')).toBeNull();
    expect(view.container.querySelector('.yk-nt b')).toBeNull();
  });

  it('links only http(s) ticket pages, safely in a new tab', async () => {
    const { routes } = noticeServer([
      notice({ id: 3, subject: 'A', ticket_url: 'javascript:alert(1)' }),
      notice({ id: 2, subject: 'B', ticket_url: 'https://kf.example.com/t/abc.def' }),
      notice({ id: 1, subject: 'C', ticket_url: null }),
    ]);
    await renderChat({ routes });
    await act(async () => {
      fireEvent.click(await screen.findByRole('button', { name: /^消息/ }));
      await flush();
    });
    const items = screen.getAllByRole('listitem');
    expect(within(items[0]).queryByRole('link')).toBeNull();
    expect(items[0].querySelector('a')).toBeNull();
    expect(within(items[2]).queryByRole('link')).toBeNull();
    const link = within(items[1]).getByRole('link', { name: '查看工单' });
    expect(link.getAttribute('href')).toBe('https://kf.example.com/t/abc.def');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(screen.getAllByRole('link')).toHaveLength(1);
  });

  it('shows an empty state', async () => {
    const { routes } = noticeServer([]);
    await renderChat({ routes });
    const button = await screen.findByRole('button', { name: '消息' });
    await act(async () => {
      fireEvent.click(button);
      await flush();
    });
    expect(await screen.findByText('暂无消息')).toBeInTheDocument();
    expect(screen.queryByRole('list')).toBeNull();
  });

  it('shows loading, then an error with a retry that recovers', async () => {
    const { server, routes } = noticeServer([notice({ id: 1, subject: '工单 #12 处理中' })]);
    server.failList = true;
    const { controller } = await renderChat({ routes });
    await waitFor(() => expect(controller.getState().notices.error).toBe(true));
    // Opening refreshes; the refresh is held back here until released.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const real = controller.api.notices.bind(controller.api);
    vi.spyOn(controller.api, 'notices').mockImplementationOnce(async () => {
      await gate;
      return real();
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '消息' }));
      await flush();
    });
    // The earlier failure is shown (with retry) while the refresh runs.
    expect(screen.getByRole('alert')).toHaveTextContent('消息加载失败。');
    await act(async () => {
      release();
      await flush();
      await flush();
    });
    expect(screen.getByRole('alert')).toHaveTextContent('消息加载失败。');
    server.failList = false;
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '重试' }));
      await flush();
    });
    await waitFor(() => expect(screen.getByRole('listitem')).toHaveTextContent('工单 #12 处理中'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows a spinner before the first answer', async () => {
    const { routes } = noticeServer([]);
    const h = harness({ routes, controller: { mode: 'h5' } });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const real = h.controller.api.notices.bind(h.controller.api);
    vi.spyOn(h.controller.api, 'notices').mockImplementation(async () => {
      await gate;
      return real();
    });
    render(<Widget controller={h.controller} mode="h5" />);
    await act(async () => {
      await h.controller.start();
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '消息' }));
      await flush();
    });
    expect(screen.getByRole('status')).toHaveTextContent('加载中…');
    await act(async () => {
      release();
      await flush();
      await flush();
    });
    await waitFor(() => expect(screen.getByText('暂无消息')).toBeInTheDocument());
  });

  it('speaks English too', async () => {
    const { routes } = noticeServer([notice({ id: 1 })]);
    await renderChat({ routes, controller: { locale: 'en' } });
    const button = await screen.findByRole('button', { name: 'Messages (1 unread)' });
    await act(async () => {
      fireEvent.click(button);
      await flush();
    });
    expect(screen.getByRole('heading', { name: 'Messages' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'View ticket' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Back to chat' })).toBeInTheDocument();
  });
});
