import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, sessionOf, user, type Route } from '../../test/fakeServer';
import { FakeSocket } from '../../test/fakeSocket';
import { WORKFLOW, ticket as ticketOf } from '../../test/ticketFixtures';
import { setLocale } from '../../i18n';
import { setCsrfToken } from '../../api/client';
import { toOpenObject } from '../../api/open';
import type { Conversation, Message } from '../../api/types';

const me = user();

function conversation(id: number, overrides: Partial<Conversation> = {}): Conversation {
  return {
    id,
    number: id,
    channel_id: 1,
    contact_id: 100 + id,
    status: 'open',
    priority: 'normal',
    assignee_id: null,
    team_id: null,
    last_seq: 2,
    agent_read_seq: 0,
    contact_read_seq: 2,
    source: {
      channel: 'web_widget',
      channel_id: 1,
      entry: { id: 3, key: 'spring', name: '春季促销', campaign: 'spring-2026', ad_plan: 'plan-a', business_module: 'mall', landing_page: '' },
      utm: { source: 'baidu' },
      landing_page: 'https://shop.example.com/spring',
      referrer: '',
      device: 'desktop',
      language: 'zh-CN',
      form: { company: 'Acme' },
    },
    created_at: '2026-11-21T05:00:00.000Z',
    updated_at: '2026-11-21T05:00:00.000Z',
    ...overrides,
  } as Conversation;
}

function message(conversation_id: number, seq: number, overrides: Partial<Message> = {}): Message {
  return {
    id: conversation_id * 100 + seq,
    conversation_id,
    seq,
    sender: { kind: 'contact', id: 107, name: '张三' },
    kind: 'text',
    text: `第 ${seq} 条`,
    attachment: null,
    client_id: null,
    created_at: '2026-11-21T05:00:00.000Z',
    ...overrides,
  };
}

/** A route by pattern, for paths with ids. */
const match =
  (method: string, pattern: RegExp, respond: (request: Request, groups: RegExpMatchArray) => Response): Route =>
  (request) => {
    const found = new URL(request.url).pathname.match(pattern);
    return request.method === method && found ? respond(request, found) : undefined;
  };

const channel = {
  id: 1,
  kind: 'web_widget',
  name: '官网',
  public_key: 'ch_x',
  settings: { greeting: '', colour: '#1677ff', locale: 'zh-CN', pre_chat_form: [{ name: 'company', label: '公司', kind: 'text', required: false }] },
  widget_snippet: '',
  h5_url: '',
  created_at: '2026-11-21T05:00:00.000Z',
};

function contact(id: number) {
  return {
    id,
    name: id === 107 ? '张三' : '',
    email: id === 107 ? 'zhang@example.com' : '',
    phone: '',
    external_id: id === 107 ? 'u-42' : null,
    attributes: { company: 'Acme' },
    created_at: '2026-11-21T05:00:00.000Z',
    last_seen_at: '2026-11-21T05:00:00.000Z',
    tags: ['vip'],
    page_views: [{ url: 'https://shop.example.com/spring', title: '春季促销', referrer: '', at: '2026-11-21T05:00:00.000Z' }],
    conversation_count: 2,
    returning: true,
    merged_into_id: null,
  };
}

const decision = {
  id: 1,
  reason: 'new',
  outcome: 'assigned',
  agent_id: 1,
  team_id: null,
  rule_id: 4,
  duration_us: 1250,
  decided_at: '2026-11-21T05:00:01.000Z',
  trace: {
    rules: [{ rule_id: 4, name: '春季活动', matched: true, failed: null }],
    route: { rule_id: 4, teams: [], agent: null, skills: [], strategy: 'least_load', priority: null, tags: [], offline_notice: null, sticky: true },
    sticky: null,
    dedicated: null,
    candidates: [{ agent_id: 1, score: { load: 0, capacity: 5, utilisation: 0, last_assigned_ms: null, active_ms: 0, performance: null, value: 1 }, excluded: null }],
    outcome: { kind: 'assigned', agent_id: 1 },
    tie_break: null,
  },
};

function routes() {
  return [
    on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(me))),
    on('GET', '/api/v1/channels', () => jsonResponse(200, { items: [channel], next_cursor: null })),
    on('GET', '/api/v1/users', () => jsonResponse(200, { items: [me], next_cursor: null })),
    on('GET', '/api/v1/teams', () => jsonResponse(200, { items: [], next_cursor: null })),
    on('GET', '/api/v1/conversations', (request) => {
      const query = new URL(request.url).searchParams;
      if (query.get('contact_id')) return jsonResponse(200, { items: [conversation(7), conversation(3, { status: 'resolved' })], next_cursor: null });
      return jsonResponse(200, { items: [conversation(7)], next_cursor: null });
    }),
    match('GET', /^\/api\/v1\/conversations\/(\d+)$/, (_, [, id]) => jsonResponse(200, { ...conversation(Number(id)), tags: ['售后'] })),
    match('GET', /^\/api\/v1\/conversations\/(\d+)\/messages$/, (_, [, id]) =>
      jsonResponse(200, { items: [message(Number(id), 1), message(Number(id), 2)] }),
    ),
    match('GET', /^\/api\/v1\/contacts\/(\d+)$/, (_, [, id]) => jsonResponse(200, contact(Number(id)))),
    on('GET', '/api/v1/agents', () => jsonResponse(200, { items: [] })),
    match('GET', /^\/api\/v1\/conversations\/(\d+)\/routing$/, () => jsonResponse(200, { items: [decision] })),
    // The contact's tickets in the context panel.
    on('GET', '/api/v1/tickets', (request) => {
      const contactId = Number(new URL(request.url).searchParams.get('contact_id'));
      const items = contactId === 107 ? [ticketOf({ id: 61, number: 'T-2026061', title: '退款还没到账', status: 'open', status_kind: 'open', contact_id: 107 })] : [];
      return jsonResponse(200, { items, next_before: null });
    }),
    on('GET', '/api/v1/ticket-workflow', () => jsonResponse(200, WORKFLOW)),
  ];
}

/** Desktop width: antd's breakpoints answer to min-width queries. */
function desktop() {
  vi.stubGlobal('matchMedia', (query: string) => ({
    matches: query.includes('min-width'),
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  }));
}

beforeEach(async () => {
  localStorage.clear();
  await setLocale('zh-CN');
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  desktop();
});

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

// Two panes of antd plus the socket: slower than other pages in jsdom on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

describe('InboxPage', () => {
  it('shows the conversation, its context, and live updates from the socket', async () => {
    const fetchMock = serve(...routes());
    renderApp('/inbox/7');
    const log = await screen.findByRole('log', {}, { timeout: 8000 });
    expect(await within(log).findByText('第 2 条')).toBeInTheDocument();

    // Context panel: contact, verified id, tags, attributes with form labels, source, trail, history.
    const context = screen.getByRole('complementary', { name: '客户信息' });
    expect(await within(context).findByText('zhang@example.com')).toBeInTheDocument();
    expect(within(context).getByText('已验证')).toBeInTheDocument();
    expect(within(context).getByText('回访客户')).toBeInTheDocument();
    expect(within(context).getByText('vip')).toBeInTheDocument();
    expect(within(context).getAllByText('公司').length).toBeGreaterThan(0);
    expect(within(context).getByText('春季促销', { selector: 'dd' })).toBeInTheDocument();
    expect(within(context).getByText('spring-2026')).toBeInTheDocument();
    expect(within(context).getByText('baidu')).toBeInTheDocument();
    expect(within(context).getByRole('link', { name: '春季促销' })).toHaveAttribute('href', 'https://shop.example.com/spring');
    expect(await within(context).findByText('#3')).toBeInTheDocument();
    // The contact's tickets, each opening its page.
    const tickets = within(context).getByRole('region', { name: '工单' });
    const ticketLink = await within(tickets).findByRole('link', { name: /T-2026061/ });
    expect(ticketLink).toHaveAttribute('href', '/tickets/61');
    expect(within(ticketLink).getByText('退款还没到账')).toBeInTheDocument();
    expect(await within(ticketLink).findByText('处理中')).toBeInTheDocument();
    expect(
      fetchMock.mock.calls.some(([r]) => new URL(r.url).pathname === '/api/v1/tickets' && new URL(r.url).searchParams.get('contact_id') === '107'),
    ).toBe(true);
    // The routing record: why the conversation went where it did.
    const routing = within(context).getByRole('region', { name: '路由记录' });
    expect(await within(routing).findByText('新会话')).toBeInTheDocument();
    expect(within(routing).getByText('已分配')).toBeInTheDocument();
    expect(within(routing).getByText('规则：春季活动 · 耗时 1.25 毫秒')).toBeInTheDocument();

    // The socket says hello with the conversation it shows, then reads it.
    const ws = FakeSocket.live();
    act(() => ws.accept());
    expect(ws.sent[0]).toEqual({ type: 'hello', last_seq: { '7': 2 } });
    await waitFor(() => expect(ws.sentOf('read')).toEqual([{ type: 'read', conversation_id: 7, seq: 2 }]));

    // A new conversation appears in the list; a message arrives in the open one.
    act(() => ws.frame({ type: 'conversation', event: 'created', conversation: conversation(9, { updated_at: '2026-11-21T06:00:00.000Z', last_seq: 1 }) }));
    const list = screen.getByRole('list', { name: '会话' });
    expect(await within(list).findByRole('link', { name: '访客 109，会话 #9，有未读消息' })).toBeInTheDocument();
    act(() => ws.frame({ type: 'message', message: message(7, 3, { text: '还在吗？' }) }));
    act(() => ws.frame({ type: 'message', message: message(7, 3, { text: '还在吗？' }) }));
    expect(await within(log).findAllByText('还在吗？')).toHaveLength(1);
    act(() => ws.frame({ type: 'typing', conversation_id: 7, from: { kind: 'contact', id: 107 }, on: true }));
    expect(await screen.findByText('张三 正在输入…')).toBeInTheDocument();

    // Enter sends over the socket; the message shows as sending until the ack and the message come.
    const typist = userEvent.setup({ delay: null });
    const box = screen.getByRole('textbox', { name: '输入回复…' });
    await typist.type(box, '马上处理{Enter}');
    const [send] = ws.sentOf('send');
    expect(send).toMatchObject({ type: 'send', conversation_id: 7, text: '马上处理' });
    expect(String(send.client_id)).toMatch(/^[0-9a-f-]{36}$/);
    expect(ws.sentOf('typing')).toContainEqual({ type: 'typing', conversation_id: 7, on: true });
    expect(await screen.findByText('发送中…')).toBeInTheDocument();
    act(() => ws.frame({ type: 'ack', client_id: send.client_id, message_id: 999, conversation_id: 7, seq: 4 }));
    act(() =>
      ws.frame({
        type: 'message',
        message: message(7, 4, { text: '马上处理', client_id: String(send.client_id), sender: { kind: 'agent', id: 1, name: 'Wang Fang' } }),
      }),
    );
    await waitFor(() => expect(screen.queryByText('发送中…')).not.toBeInTheDocument());
    expect(within(log).getByText('马上处理')).toBeInTheDocument();

    // An internal note: flagged on the wire, no typing indicator for the visitor, labelled in the list.
    const typingOn = () => ws.sentOf('typing').filter((f) => f.on === true).length;
    const typingBefore = typingOn();
    // antd's radio input itself ignores pointer events; its label takes the click.
    await typist.click(screen.getByRole('radio', { name: /内部备注/ }).closest('label') as HTMLElement);
    await typist.type(screen.getByRole('textbox', { name: '写一条内部备注…' }), '注意退款{Enter}');
    const note = ws.sentOf('send')[1];
    expect(note).toMatchObject({ conversation_id: 7, text: '注意退款', note: true });
    expect(typingOn()).toBe(typingBefore);
    act(() =>
      ws.frame({
        type: 'message',
        message: message(7, 5, { kind: 'note', text: '注意退款', client_id: String(note.client_id), sender: { kind: 'agent', id: 1, name: 'Wang Fang' } }),
      }),
    );
    const noteItem = (await within(log).findByText('注意退款')).closest('[data-kind="note"]') as HTMLElement;
    expect(noteItem).not.toBeNull();
    expect(within(noteItem).getByText('内部备注')).toBeInTheDocument();

    // After a reconnect, hello carries the newest seq; nothing is re-sent (all acked).
    act(() => ws.lose());
    await waitFor(() => expect(FakeSocket.all.length).toBeGreaterThan(1), { timeout: 3000 });
    const next = FakeSocket.live();
    act(() => next.accept());
    expect(next.sent[0]).toEqual({ type: 'hello', last_seq: { '7': 5 } });
    expect(next.sentOf('send')).toEqual([]);
    // The lists were asked for again.
    await waitFor(() =>
      expect(fetchMock.mock.calls.filter(([r]) => new URL(r.url).pathname === '/api/v1/conversations').length).toBeGreaterThan(2),
    );
  });

  it('uploads an attachment and sends it with its id', async () => {
    let uploaded: FormData | null = null;
    serve(
      ...routes(),
      on('POST', '/api/v1/attachments', (request) => {
        void request.formData().then((form) => (uploaded = form));
        return jsonResponse(201, { id: 55, name: 'invoice.pdf', mime: 'application/pdf', size: 2048, url: '/api/v1/files/55?sig=x' });
      }),
    );
    // Another conversation than the first test's, whose composer draft (note mode) is kept.
    renderApp('/inbox/8');
    const log = await screen.findByRole('log', {}, { timeout: 8000 });
    await within(log).findByText('第 2 条');
    const ws = FakeSocket.live();
    act(() => ws.accept());

    const typist = userEvent.setup({ delay: null });
    const file = new File(['%PDF-1.4'], 'invoice.pdf', { type: 'application/pdf' });
    await typist.upload(screen.getByTestId('attachment-input'), file);
    expect(await screen.findByText('invoice.pdf · 2.0 KB')).toBeInTheDocument();
    // Multipart with one `file` part holding the bytes.
    await waitFor(() => expect(((uploaded as FormData | null)?.get('file') as Blob | null)?.type).toBe('application/pdf'));
    await typist.click(screen.getByRole('button', { name: /发送/ }));
    expect(ws.sentOf('send')[0]).toMatchObject({ conversation_id: 8, text: '', attachment_id: 55 });

    act(() =>
      ws.frame({
        type: 'message',
        message: message(8, 3, {
          kind: 'attachment',
          text: '',
          client_id: String(ws.sentOf('send')[0].client_id),
          sender: { kind: 'agent', id: 1, name: 'Wang Fang' },
          // The schema leaves the attachment object open.
          attachment: toOpenObject({ id: 55, name: 'invoice.pdf', mime: 'application/pdf', size: 2048, url: '/api/v1/files/55?sig=x' }),
        }),
      }),
    );
    const link = await within(log).findByRole('link', { name: /invoice\.pdf/ });
    expect(link.getAttribute('href')).toMatch(/\/api\/v1\/files\/55\?sig=x$/);
  });

  it('creates a ticket from the conversation and opens it', async () => {
    let created = 0;
    const ticket = {
      id: 31, number: 'T-2026031', title: '第 1 条', description: '', category_id: null, priority: 'p3', status: 'new',
      status_kind: 'new', status_name: '待分配', category_key: null, collaborators: [], order_number: null, requested_by: null,
      contact_id: 7, conversation_id: 9, team_id: null, assignee_id: null, deadline: null, custom: {}, tags: [], attachments: [],
      channel: 'web_widget', source: {}, sla: {}, first_response_at: null, resolved_at: null, closed_at: null, created_by: 1,
      created_at: '2026-11-21T05:00:00.000Z', updated_at: '2026-11-21T05:00:00.000Z',
    };
    serve(
      ...routes(),
      on('POST', '/api/v1/conversations/9/ticket', () => {
        created++;
        return jsonResponse(201, ticket);
      }),
      on('GET', '/api/v1/tickets/31', () => jsonResponse(200, ticket)),
      on('GET', '/api/v1/tickets/31/timeline', () => jsonResponse(200, { items: [], next_after: null })),
      on('GET', '/api/v1/ticket-workflow', () => jsonResponse(200, { states: [{ key: 'new', name: '待分配', kind: 'new' }], transitions: {} })),
      on('GET', '/api/v1/ticket-categories', () => jsonResponse(200, { items: [] })),
      on('GET', '/api/v1/ticket-markers', () => jsonResponse(200, { items: [] })),
    );
    renderApp('/inbox/9');
    await within(await screen.findByRole('log', {}, { timeout: 8000 })).findByText('第 2 条');
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: /创建工单/ }));
    expect(await screen.findByText('T-2026031')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '查看关联会话' })).toHaveAttribute('href', '/inbox/9');
    expect(created).toBe(1);
  });
});

describe('InboxPage alerts', () => {
  afterEach(() => vi.restoreAllMocks());

  it('counts my unread conversations in the tab title and, once switched on, notifies a new assignment to me', async () => {
    const created: { title: string; options: NotificationOptions }[] = [];
    const requestPermission = vi.fn(async () => {
      FakeNotification.permission = 'granted';
      return 'granted' as NotificationPermission;
    });
    class FakeNotification {
      static permission: NotificationPermission = 'default';
      static requestPermission = requestPermission;
      onclick: (() => void) | null = null;
      close() {}
      constructor(title: string, options: NotificationOptions) {
        created.push({ title, options });
      }
    }
    vi.stubGlobal('Notification', FakeNotification);
    vi.spyOn(document, 'hasFocus').mockReturnValue(false);
    serve(...routes());
    renderApp('/inbox');
    const list = await screen.findByRole('list', { name: '会话' }, { timeout: 8000 });
    const ws = FakeSocket.live();
    act(() => ws.accept());
    // Conversation 7 is unassigned: not counted.
    await waitFor(() => expect(document.title).toBe('迎客'));

    // Alerts on, from a click: the browser asks for permission.
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: '开启新分配提醒' }));
    expect(requestPermission).toHaveBeenCalled();
    expect(await screen.findByRole('button', { name: '新分配提醒已开启（声音和桌面通知）' })).toHaveAttribute('aria-pressed', 'true');

    // Routing assigns conversation 12 to me: a notification, and the title counts it.
    act(() =>
      ws.frame({
        type: 'conversation',
        event: 'assigned',
        conversation: conversation(12, { assignee_id: me.id, updated_at: '2026-11-21T06:00:00.000Z' }),
      }),
    );
    expect(await within(list).findByRole('link', { name: '访客 112，会话 #12，有未读消息' })).toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe('(1) 迎客'));
    expect(created).toEqual([
      { title: '新会话分配给您', options: expect.objectContaining({ body: '会话 #12 已分配给您，请尽快回复', tag: 'conversation-12' }) },
    ]);

    // An update of a conversation I already have is not a new assignment.
    act(() =>
      ws.frame({
        type: 'conversation',
        event: 'assigned',
        conversation: conversation(12, { assignee_id: me.id, updated_at: '2026-11-21T06:01:00.000Z' }),
      }),
    );
    expect(created).toHaveLength(1);
  });
});
