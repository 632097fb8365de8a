import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation, useNavigate, type NavigateFunction } from 'react-router';
import { ConfigProvider } from 'antd';
import { QueryClientProvider } from '@tanstack/react-query';
import { AppRoutes, SessionExpiryWatcher, createQueryClient } from '../../App';
import { LocaleProvider } from '../../i18n/LocaleProvider';
import { jsonResponse } from '../../test/renderApp';
import { on, serve, sessionOf, user, type Route } from '../../test/fakeServer';
import { FakeSocket } from '../../test/fakeSocket';
import { setLocale } from '../../i18n';
import { setCsrfToken } from '../../api/client';
import { orderResults, searchLength, validSearch } from './search';
import type { Conversation } from '../../api/types';

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
    agent_read_seq: 2,
    contact_read_seq: 2,
    source: {},
    created_at: '2026-11-21T05:00:00.000Z',
    updated_at: '2026-11-21T05:00:00.000Z',
    ...overrides,
  } as Conversation;
}

const NAMES: Record<number, string> = { 112: '张三', 140: '张三丰' };

function contact(id: number) {
  return {
    id,
    name: NAMES[id] ?? '',
    email: '',
    phone: '',
    external_id: null,
    attributes: {},
    created_at: '2026-11-21T05:00:00.000Z',
    last_seen_at: '2026-11-21T05:00:00.000Z',
    tags: [],
    page_views: [],
    conversation_count: 1,
    returning: false,
    merged_into_id: null,
  };
}

const match =
  (method: string, pattern: RegExp, respond: (groups: RegExpMatchArray) => Response): Route =>
  (request) => {
    const found = new URL(request.url).pathname.match(pattern);
    return request.method === method && found ? respond(found) : undefined;
  };

const channel = {
  id: 1,
  kind: 'web_widget',
  name: '官网',
  public_key: 'ch_x',
  settings: { greeting: '', colour: '#1677ff', locale: 'zh-CN', pre_chat_form: [] },
  widget_snippet: '',
  h5_url: '',
  created_at: '2026-11-21T05:00:00.000Z',
};

/** The answer to a search, by its `q`. */
function searchAnswer(q: string, query: URLSearchParams): Response {
  switch (q) {
    case '张三':
      // Ordered by id, as the server pages them; the newer activity comes first on screen.
      return jsonResponse(200, {
        items: [conversation(12, { updated_at: '2026-11-21T04:00:00.000Z' }), conversation(40, { updated_at: '2026-11-21T06:00:00.000Z' })],
        next_cursor: null,
      });
    case '12':
      return jsonResponse(200, {
        items: [conversation(12), conversation(40, { updated_at: '2026-11-21T06:00:00.000Z' })],
        next_cursor: null,
      });
    case 'many':
      // Every page is full: past five pages the list says "N+".
      return jsonResponse(200, {
        items: [conversation(Number(query.get('cursor') ?? '0') + 50)],
        next_cursor: String(Number(query.get('cursor') ?? '0') + 1),
      });
    case 'boom':
      return jsonResponse(503, { error: { code: 'search_unavailable', message: '搜索服务暂不可用' } });
    case 'bad':
      return jsonResponse(422, {
        error: { code: 'validation_failed', message: 'invalid', details: [{ field: 'q', message: 'must be 1 to 100 characters' }] },
      });
    default:
      return jsonResponse(200, { items: [], next_cursor: null });
  }
}

/** The app's routes with a fake server; records the conversation lists asked for. */
function routes(searches: URLSearchParams[], lists: URLSearchParams[]) {
  return [
    on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(me))),
    on('GET', '/api/v1/channels', () => jsonResponse(200, { items: [channel], next_cursor: null })),
    on('GET', '/api/v1/users', () => jsonResponse(200, { items: [me], next_cursor: null })),
    on('GET', '/api/v1/teams', () => jsonResponse(200, { items: [], next_cursor: null })),
    on('GET', '/api/v1/agents', () => jsonResponse(200, { items: [] })),
    on('GET', '/api/v1/conversations', (request) => {
      const query = new URL(request.url).searchParams;
      if (query.get('contact_id')) return jsonResponse(200, { items: [], next_cursor: null });
      const q = query.get('q');
      if (q !== null) {
        searches.push(query);
        return searchAnswer(q, query);
      }
      lists.push(query);
      return jsonResponse(200, { items: [conversation(7, { status: query.get('status') ?? 'open' })], next_cursor: null });
    }),
    match('GET', /^\/api\/v1\/conversations\/(\d+)$/, ([, id]) => jsonResponse(200, { ...conversation(Number(id)), tags: [] })),
    match('GET', /^\/api\/v1\/conversations\/(\d+)\/messages$/, () => jsonResponse(200, { items: [] })),
    match('GET', /^\/api\/v1\/conversations\/(\d+)\/routing$/, () => jsonResponse(200, { items: [] })),
    match('GET', /^\/api\/v1\/contacts\/(\d+)$/, ([, id]) => jsonResponse(200, contact(Number(id)))),
  ];
}

let go: NavigateFunction = () => {};

/** Where the app is: the path and the query string. */
function LocationProbe() {
  const location = useLocation();
  go = useNavigate();
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>;
}

function renderInbox(path: string) {
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { ...queryClient.getDefaultOptions().queries, retry: false } });
  return render(
    <QueryClientProvider client={queryClient}>
      <LocaleProvider>
        <ConfigProvider theme={{ token: { motion: false } }}>
          <SessionExpiryWatcher />
          <MemoryRouter initialEntries={[path]}>
            <AppRoutes />
            <LocationProbe />
          </MemoryRouter>
        </ConfigProvider>
      </LocaleProvider>
    </QueryClientProvider>,
  );
}

const where = () => screen.getByTestId('location').textContent;
const rowNames = (list: HTMLElement) => within(list).getAllByTestId('conversation-row').map((row) => row.getAttribute('aria-label'));

beforeEach(async () => {
  localStorage.clear();
  await setLocale('zh-CN');
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  // Desktop width: antd's breakpoints answer to min-width queries.
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
});

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

vi.setConfig({ testTimeout: 60_000 });

describe('inbox search', () => {
  it('sends one debounced search with the tab and status, lists the results and opens one, then clears back to the live list', async () => {
    const searches: URLSearchParams[] = [];
    const lists: URLSearchParams[] = [];
    serve(...routes(searches, lists));
    localStorage.setItem('yingke.inbox.filter', JSON.stringify({ tab: 'unassigned', status: 'pending' }));
    renderInbox('/inbox');
    const list = await screen.findByRole('list', { name: '会话' }, { timeout: 8000 });
    expect(await within(list).findByRole('link', { name: '访客 107，会话 #7' })).toBeInTheDocument();

    const box = screen.getByRole('textbox', { name: '搜索会话' });
    expect(box).toHaveAttribute('placeholder', '搜索编号、客户或消息');
    const typist = userEvent.setup({ delay: null });
    await typist.type(box, '  张三 ');
    expect(await screen.findByText('找到 2 个会话', {}, { timeout: 3000 })).toBeInTheDocument();
    // One request for the settled, trimmed text, in the tab's and status's slice.
    expect(searches).toHaveLength(1);
    expect(searches[0].get('q')).toBe('张三');
    expect(searches[0].get('status')).toBe('pending');
    expect(searches[0].get('assignee')).toBe('none');
    expect(where()).toBe('/inbox?q=%E5%BC%A0%E4%B8%89');

    // The same rows as the list, newest activity first; a result opens with the search kept.
    const results = screen.getByRole('list', { name: '会话' });
    await waitFor(() => expect(rowNames(results)).toEqual(['张三丰，会话 #40', '张三，会话 #12']));
    await typist.click(within(results).getByRole('link', { name: '张三，会话 #12' }));
    await waitFor(() => expect(where()).toBe('/inbox/12?q=%E5%BC%A0%E4%B8%89'));
    expect(await screen.findByRole('region', { name: '会话 #12' })).toBeInTheDocument();
    expect(within(results).getByRole('link', { name: '张三，会话 #12' })).toHaveAttribute('aria-current', 'page');
    expect(box).toHaveValue('  张三 ');

    // Live frames update the results' rows (here: a new message makes one unread).
    const ws = FakeSocket.live();
    act(() => ws.accept());
    act(() => ws.frame({ type: 'conversation', event: 'updated', conversation: conversation(40, { last_seq: 3, updated_at: '2026-11-21T07:00:00.000Z' }) }));
    expect(await within(results).findByRole('link', { name: '张三丰，会话 #40，有未读消息' })).toBeInTheDocument();

    // Escape clears the box: back to the normal list at once, which kept up meanwhile.
    act(() => ws.frame({ type: 'conversation', event: 'created', conversation: conversation(9, { status: 'pending', updated_at: '2026-11-21T08:00:00.000Z' }) }));
    await typist.type(box, '{Escape}');
    expect(box).toHaveValue('');
    expect(where()).toBe('/inbox/12');
    const normal = screen.getByRole('list', { name: '会话' });
    expect(rowNames(normal)).toContain('访客 109，会话 #9');
    expect(screen.queryByText('找到 2 个会话')).not.toBeInTheDocument();
    // Nothing more was searched.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(searches).toHaveLength(1);
  });

  it('keeps the search in the URL: a reload searches again, back and forward restore the box', async () => {
    const searches: URLSearchParams[] = [];
    serve(...routes(searches, []));
    renderInbox('/inbox?q=12');
    const box = await screen.findByRole('textbox', { name: '搜索会话' }, { timeout: 8000 });
    expect(box).toHaveValue('12');
    expect(await screen.findByText('找到 2 个会话')).toBeInTheDocument();
    expect(searches.map((q) => q.get('q'))).toEqual(['12']);
    // Default filter: open, all tabs (no assignee).
    expect(searches[0].get('status')).toBe('open');
    expect(searches[0].has('assignee')).toBe(false);
    // The conversation with that number first, though another has newer activity.
    const list = screen.getByRole('list', { name: '会话' });
    await waitFor(() => expect(rowNames(list)).toEqual(['张三，会话 #12', '张三丰，会话 #40']));
    expect(within(list).getByRole('link', { name: '张三，会话 #12' })).toHaveAttribute('href', '/inbox/12?q=12');

    // A new search is a new history entry; refining replaces it.
    const typist = userEvent.setup({ delay: null });
    await typist.clear(box);
    expect(where()).toBe('/inbox');
    await typist.type(box, '张');
    await waitFor(() => expect(where()).toBe('/inbox?q=%E5%BC%A0'));
    await typist.type(box, '三');
    await waitFor(() => expect(where()).toBe('/inbox?q=%E5%BC%A0%E4%B8%89'));
    expect(await screen.findByText('找到 2 个会话')).toBeInTheDocument();

    act(() => void go(-1));
    await waitFor(() => expect(where()).toBe('/inbox'));
    expect(box).toHaveValue('');
    act(() => void go(-1));
    await waitFor(() => expect(where()).toBe('/inbox?q=12'));
    expect(box).toHaveValue('12');
    await waitFor(() => expect(rowNames(screen.getByRole('list', { name: '会话' }))).toEqual(['张三，会话 #12', '张三丰，会话 #40']));
    act(() => void go(1));
    await waitFor(() => expect(box).toHaveValue(''));
    // Restoring the box does not echo into the history.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(where()).toBe('/inbox');
  });

  it('says when nothing matches, and shows the error of a failed search', async () => {
    const searches: URLSearchParams[] = [];
    serve(...routes(searches, []));
    renderInbox('/inbox');
    const box = await screen.findByRole('textbox', { name: '搜索会话' }, { timeout: 8000 });
    await screen.findByRole('link', { name: '访客 107，会话 #7' });
    const typist = userEvent.setup({ delay: null });

    await typist.type(box, '没有的');
    expect(await screen.findByText('没有找到匹配的会话', {}, { timeout: 3000 })).toBeInTheDocument();
    expect(screen.getByText(/可按会话编号、客户姓名/)).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: '访客 107，会话 #7' })).not.toBeInTheDocument();

    await typist.clear(box);
    await typist.type(box, 'boom');
    expect(await screen.findByText('搜索服务暂不可用', {}, { timeout: 3000 })).toBeInTheDocument();

    await typist.clear(box);
    await typist.type(box, 'bad');
    expect(await screen.findByText('提交的内容有误。 q: must be 1 to 100 characters', {}, { timeout: 3000 })).toBeInTheDocument();
    const retry = screen.getByRole('button', { name: /重\s*试/ });
    const before = searches.length;
    await typist.click(retry);
    await waitFor(() => expect(searches.length).toBe(before + 1));
  });

  it('does not send a search over 100 characters, and says why', async () => {
    const searches: URLSearchParams[] = [];
    serve(...routes(searches, []));
    renderInbox('/inbox');
    const box = await screen.findByRole('textbox', { name: '搜索会话' }, { timeout: 8000 });
    await screen.findByRole('link', { name: '访客 107，会话 #7' });
    const typist = userEvent.setup({ delay: null });
    await typist.click(box);
    await typist.paste('长'.repeat(101));
    expect(await screen.findByRole('alert')).toHaveTextContent('搜索内容不能超过 100 个字符');
    expect(box).toHaveAttribute('aria-invalid', 'true');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(searches).toHaveLength(0);
    expect(where()).toBe('/inbox');

    // One fewer is fine.
    await typist.type(box, '{Backspace}');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    await waitFor(() => expect(searches).toHaveLength(1), { timeout: 3000 });
    expect(searches[0].get('q')).toBe('长'.repeat(100));
  });

  it('says "N+" past the pages it loads', async () => {
    const searches: URLSearchParams[] = [];
    serve(...routes(searches, []));
    renderInbox('/inbox?q=many');
    expect(await screen.findByText('找到 5+ 个会话', {}, { timeout: 8000 })).toBeInTheDocument();
    expect(screen.getByText('结果较多，请输入更具体的内容')).toBeInTheDocument();
    expect(searches.map((q) => q.get('cursor'))).toEqual([null, '1', '2', '3', '4']);
    expect(searches.every((q) => q.get('limit') === '200')).toBe(true);
  });

  it('"/" focuses the box from the page, not from a text field', async () => {
    serve(...routes([], []));
    renderInbox('/inbox');
    const box = await screen.findByRole('textbox', { name: '搜索会话' }, { timeout: 8000 });
    const typist = userEvent.setup({ delay: null });
    await typist.click(document.body);
    await typist.keyboard('/');
    expect(box).toHaveFocus();
    expect(box).toHaveValue('');
    await typist.keyboard('/');
    expect(box).toHaveValue('/');
  });
});

describe('search helpers', () => {
  it('counts and validates as the server does', () => {
    expect(validSearch('   ')).toBeNull();
    expect(validSearch(' #12 ')).toBe('#12');
    expect(searchLength('😀'.repeat(100))).toBe(100);
    expect(validSearch('😀'.repeat(100))).not.toBeNull();
    expect(validSearch('a'.repeat(101))).toBeNull();
  });

  it('puts the asked-for number first, then the newest activity', () => {
    const rows = [
      conversation(1, { number: 5, updated_at: '2026-11-21T01:00:00.000Z' }),
      conversation(2, { number: 12, updated_at: '2026-11-21T02:00:00.000Z' }),
      conversation(3, { number: 120, updated_at: '2026-11-21T03:00:00.000Z' }),
    ];
    expect(orderResults(rows, '#5').map((c) => c.number)).toEqual([5, 120, 12]);
    expect(orderResults(rows, 'abc').map((c) => c.number)).toEqual([120, 12, 5]);
  });
});
