import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { errorResponse, jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, sessionOf, user, type Route } from '../../test/fakeServer';
import { pageTests } from '../../test/ticketFixtures';
import { pickOption } from '../../test/select';
import type { AuditEntry } from './describe';

const owner = user({ name: '王芳' });
const admin = user({ id: 5, email: 'admin@example.com', name: '赵敏', role: 'admin' });
const agent = user({ id: 2, email: 'agent@example.com', name: '李雷', role: 'agent' });
const retired = user({ id: 7, email: 'old@example.com', name: '韩梅梅', role: 'agent', active: false });

const entry = (seq: number, overrides: Partial<AuditEntry>): AuditEntry => ({
  seq,
  at: '2026-11-22T06:43:29Z',
  actor_id: 1,
  actor_name: '王芳',
  kind: 'user_created',
  subject: 'user:2',
  subject_name: '李雷',
  member_name: null,
  details: {},
  ...overrides,
});

const NEWEST = [
  entry(50, {
    kind: 'team_member_added',
    subject: 'team:3',
    subject_name: '售后组',
    member_name: '李雷',
    details: { team_id: 3, user_id: 2 },
  }),
  entry(49, {
    kind: 'setting_changed',
    subject: 'canned_response:4',
    subject_name: '<b>退款</b>',
    details: { area: 'canned_response', action: 'deleted', id: 4, name: '<b>退款</b>' },
  }),
  entry(48, { kind: 'user_updated', details: { user_id: 2, fields: ['role', 'locale'] } }),
  entry(47, { kind: 'team_deleted', subject: 'team:9', subject_name: null, details: { team_id: 9 } }),
];
const OLDER = [entry(3, { actor_id: null, actor_name: null, kind: 'user_created', subject: 'user:1', subject_name: '王芳' })];

const auditCalls = (fetchMock: ReturnType<typeof serve>) =>
  fetchMock.mock.calls
    .map(([r]) => new URL(r.url))
    .filter((url) => url.pathname === '/api/v1/audit-log')
    .map((url) => url.searchParams);

/** The layout's lookups, the account's users, and an audit log that `log` answers. */
function routes(me: ReturnType<typeof user>, log: (query: URLSearchParams) => Response, ...more: Route[]): Route[] {
  return [
    ...more,
    on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(me))),
    on('GET', '/api/v1/me/notifications/unread', () => jsonResponse(200, { count: 0 })),
    on('GET', '/api/v1/agents', () => jsonResponse(200, { items: [] })),
    on('GET', '/api/v1/users', () => jsonResponse(200, { items: [owner, agent, admin, retired], next_cursor: null })),
    on('GET', '/api/v1/audit-log', (request) => log(new URL(request.url).searchParams)),
  ];
}

/** First page NEWEST (with older ones), then OLDER. */
const pagedLog = (query: URLSearchParams) =>
  query.get('before') === '47'
    ? jsonResponse(200, { items: OLDER, next_before: null })
    : jsonResponse(200, { items: NEWEST, next_before: 47 });

async function openNav() {
  await userEvent.setup({ delay: null }).click(await screen.findByRole('button', { name: '打开导航' }, { timeout: 10_000 }));
  return screen.findByRole('navigation', { name: '主导航' });
}

pageTests();

describe('AuditPage', () => {
  it('lists who did what to what, newest first, with names as text', async () => {
    const fetchMock = serve(...routes(owner, pagedLog));
    renderApp('/audit');
    expect(await screen.findByRole('heading', { name: '审计日志' }, { timeout: 10_000 })).toBeInTheDocument();
    const row = async (action: string) => (await screen.findByText(action)).closest('tr') as HTMLElement;

    const added = await row('把 李雷 加入了团队');
    expect(within(added).getByText('王芳')).toBeInTheDocument();
    expect(within(added).getByText('售后组')).toBeInTheDocument();
    // The time is shown short, with the whole timestamp (seconds too) on hover.
    const time = added.querySelector('time') as HTMLElement;
    expect(time).toHaveAttribute('datetime', '2026-11-22T06:43:29Z');
    expect(time.textContent).not.toBe('');
    expect(time.getAttribute('title')).toMatch(/14:43:29|2:43:29/);

    // A name that looks like markup is shown as typed.
    const deleted = await row('删除了快捷回复');
    expect(within(deleted).getByText('<b>退款</b>')).toBeInTheDocument();
    expect(document.querySelector('td b')).toBeNull();

    expect(await row('修改了成员（角色、语言）')).toHaveTextContent('李雷');
    // A deleted team is named by its number.
    expect(within(await row('删除了团队')).getByText('团队 #9')).toBeInTheDocument();

    // In the order the server gave, newest first.
    const actions = [...document.querySelectorAll('tbody tr[data-row-key]')].map((tr) => tr.querySelectorAll('td')[2]?.textContent);
    expect(actions).toEqual(['把 李雷 加入了团队', '删除了快捷回复', '修改了成员（角色、语言）', '删除了团队']);
    expect(auditCalls(fetchMock)[0]?.get('limit')).toBe('50');
    expect(auditCalls(fetchMock)[0]?.has('before')).toBe(false);

    // Admins and owners find the page in the navigation.
    const nav = await openNav();
    expect(within(nav).getByRole('menuitem', { name: /审计日志/ })).toBeInTheDocument();
  });

  it('loads older entries with the last page’s next_before, until there are none', async () => {
    const fetchMock = serve(...routes(admin, pagedLog));
    renderApp('/audit');
    await screen.findByText('把 李雷 加入了团队', {}, { timeout: 10_000 });
    expect(screen.queryByText('系统')).not.toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: '加载更早的记录' }));
    // The server itself (no one signed in) made the oldest change.
    const system = await screen.findByText('系统');
    expect(system.closest('tr')).toHaveTextContent('添加了成员');
    expect(auditCalls(fetchMock).at(-1)?.get('before')).toBe('47');
    // The newer page stays, and the last page offers nothing older.
    expect(screen.getByText('把 李雷 加入了团队')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('button', { name: '加载更早的记录' })).not.toBeInTheDocument());
    expect(document.querySelectorAll('tbody tr[data-row-key]')).toHaveLength(5);
  });

  it('filters by person and by what was changed, and sends those filters', async () => {
    const fetchMock = serve(
      ...routes(owner, (query) => {
        if (query.get('area')) return jsonResponse(200, { items: [], next_before: null });
        if (query.get('actor_id') === '5') return jsonResponse(200, { items: [NEWEST[2]], next_before: null });
        return jsonResponse(200, { items: NEWEST, next_before: null });
      }),
    );
    renderApp('/audit');
    const typist = userEvent.setup({ delay: null });
    await screen.findByText('把 李雷 加入了团队', {}, { timeout: 10_000 });
    expect(screen.queryByRole('button', { name: '加载更早的记录' })).not.toBeInTheDocument();

    await pickOption(typist, screen.getByRole('combobox', { name: '操作人' }), '赵敏');
    await waitFor(() => expect(auditCalls(fetchMock).at(-1)?.get('actor_id')).toBe('5'));
    await waitFor(() => expect(screen.queryByText('把 李雷 加入了团队')).not.toBeInTheDocument());
    expect(screen.getByText('修改了成员（角色、语言）')).toBeInTheDocument();
    // Deactivated people are still there to pick, marked.
    await typist.click(screen.getByRole('combobox', { name: '操作人' }));
    expect(await screen.findByTitle('韩梅梅（已停用）')).toBeInTheDocument();
    await typist.keyboard('{Escape}');

    await pickOption(typist, screen.getByRole('combobox', { name: '操作类别' }), '团队');
    await waitFor(() =>
      expect(auditCalls(fetchMock).at(-1)?.get('kind')).toBe(
        'team_created,team_updated,team_deleted,team_member_added,team_member_removed',
      ),
    );
    expect(auditCalls(fetchMock).at(-1)?.get('actor_id')).toBe('5');
    expect(auditCalls(fetchMock).at(-1)?.has('area')).toBe(false);

    await typist.type(screen.getByRole('combobox', { name: '操作类别' }), 'SLA');
    await pickOption(typist, screen.getByRole('combobox', { name: '操作类别' }), 'SLA 策略');
    await waitFor(() => expect(auditCalls(fetchMock).at(-1)?.get('area')).toBe('sla_policy'));
    expect(auditCalls(fetchMock).at(-1)?.has('kind')).toBe(false);
    // Nothing matches: say so, and offer to clear the filters.
    // (Looked for in the table only: the whole page, with a select's options, is slow to search.)
    const table = document.querySelector('.ant-table') as HTMLElement;
    expect(await within(table).findByText('没有符合筛选条件的记录')).toBeInTheDocument();
    fireEvent.click(within(table).getByText('清除筛选'));
    // Back to everything (the first answer, still fresh, is shown again).
    expect(await within(table).findByText('把 李雷 加入了团队')).toBeInTheDocument();
    const search = screen.getByRole('search', { name: '筛选审计日志' });
    expect(within(search).getByTitle('所有人')).toBeInTheDocument();
    expect(within(search).getByTitle('全部操作')).toBeInTheDocument();
  });

  it('takes its filters from the URL, so a reload keeps them', async () => {
    const fetchMock = serve(...routes(owner, () => jsonResponse(200, { items: [NEWEST[0]], next_before: null })));
    renderApp('/audit?actor=5&what=sla_policy');
    await screen.findByText('把 李雷 加入了团队', {}, { timeout: 10_000 });
    const query = auditCalls(fetchMock)[0];
    expect(query?.get('actor_id')).toBe('5');
    expect(query?.get('area')).toBe('sla_policy');
    const search = screen.getByRole('search', { name: '筛选审计日志' });
    await waitFor(() => expect(within(search).getByTitle('赵敏')).toBeInTheDocument());
    expect(within(search).getByTitle('SLA 策略')).toBeInTheDocument();
  });

  it('says so when nothing was recorded, and shows a failed load with a retry', async () => {
    let fail = true;
    serve(
      ...routes(owner, () =>
        fail ? errorResponse(500, 'internal') : jsonResponse(200, { items: [], next_before: null }),
      ),
    );
    renderApp('/audit');
    expect(await screen.findByText('服务器出错了，请稍后重试。', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: '重试' }));
    expect(await screen.findByText('还没有审计记录')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: '清除筛选' })).not.toBeInTheDocument();
  });

  it('is not offered to agents, and does not ask the server for them', async () => {
    const fetchMock = serve(...routes(agent, pagedLog));
    renderApp('/audit');
    expect(await screen.findByText('只有管理员和所有者可以查看审计日志', {}, { timeout: 10_000 })).toBeInTheDocument();
    const nav = await openNav();
    expect(within(nav).getByRole('menuitem', { name: /收件箱/ })).toBeInTheDocument();
    expect(within(nav).queryByRole('menuitem', { name: /审计日志/ })).not.toBeInTheDocument();
    expect(auditCalls(fetchMock)).toHaveLength(0);
  });
});
