import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { errorResponse, jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, sessionOf, user, type Route } from '../../test/fakeServer';
import { FIELDS } from '../../test/routingFields';
import { setLocale } from '../../i18n';
import { setCsrfToken } from '../../api/client';
import { pickOption } from '../../test/select';

const owner = user();
const agent = user({ id: 2, email: 'agent@example.com', name: 'Li Lei', role: 'agent' });
const team = { id: 5, name: '售后组', description: '', member_count: 1, created_at: '2026-11-21T05:00:00.000Z' };
const conditions = {
  all: [
    { field: 'entry.campaign', op: 'eq', value: '双11' },
    { field: 'contact.tags', op: 'contains_any', value: ['vip'] },
  ],
};
const route = {
  teams: [5],
  agent_id: null,
  skills: [{ name: 'billing', min: 2 }],
  strategy: 'round_robin',
  priority: 'high',
  tags: ['vip'],
  offline_notice: null,
  sticky: true,
};
const rule = {
  id: 11,
  position: 1,
  name: 'VIP 客户',
  enabled: true,
  conditions,
  route,
  created_at: '2026-11-21T05:00:00.000Z',
  updated_at: '2026-11-21T05:00:00.000Z',
};
const agentState = (userId: number, status: string) => ({
  user_id: userId,
  status,
  capacity: null,
  effective_capacity: 5,
  load: 1,
  teams: [5],
  skills: { billing: 3 },
  status_changed_at: null,
  last_assigned_at: null,
});

function routes(me: ReturnType<typeof user>, ...more: Route[]): Route[] {
  return [
    ...more,
    on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(me))),
    on('GET', '/api/v1/users', () => jsonResponse(200, { items: [owner, agent], next_cursor: null })),
    on('GET', '/api/v1/teams', () => jsonResponse(200, { items: [team], next_cursor: null })),
    on('GET', '/api/v1/agents', () => jsonResponse(200, { items: [agentState(1, 'offline'), agentState(2, 'online')] })),
    on('GET', '/api/v1/routing/fields', () => jsonResponse(200, { items: FIELDS })),
    on('GET', '/api/v1/routing/rules', () => jsonResponse(200, { items: [rule] })),
  ];
}

beforeEach(async () => {
  localStorage.clear();
  await setLocale('zh-CN');
});

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

vi.setConfig({ testTimeout: 60_000 });

describe('RoutingPage', () => {
  it('lists the rules with a summary and puts the 422 details of a save on the fields they name', async () => {
    const fetchMock = serve(
      ...routes(
        owner,
        on('PUT', '/api/v1/routing/rules/11', () =>
          errorResponse(422, 'validation_failed', {}, [
            { field: 'conditions.all[1].value', message: 'must be a list of 1–200 texts' },
            { field: 'route.teams[0]', message: 'no such team' },
            { field: 'name', message: 'must be 1–100 characters' },
            { field: 'position', message: 'must be 0–1000000' },
          ]),
        ),
      ),
    );
    renderApp('/routing/rules');
    const row = (await screen.findByText('VIP 客户', {}, { timeout: 8000 })).closest('tr') as HTMLElement;
    expect(within(row).getByText('入口活动 等于 “双11” 且 客户标签 包含任一 [“vip”]')).toBeInTheDocument();
    expect(within(row).getByText('轮流分配')).toBeInTheDocument();
    expect(await within(row).findByText('售后组')).toBeInTheDocument();

    const typist = userEvent.setup({ delay: null });
    await typist.click(within(row).getByRole('button', { name: '编辑 VIP 客户' }));
    const drawer = await screen.findByRole('dialog', { name: '编辑路由规则' });
    const second = await within(drawer).findByRole('group', { name: '条件 2' });
    await typist.click(within(drawer).getByRole('button', { name: '保存' }));

    // Each message beside its input: the second condition's value, the teams, the name.
    expect(await within(second).findByText('must be a list of 1–200 texts')).toBeInTheDocument();
    expect(within(within(drawer).getByRole('group', { name: '条件 1' })).queryByText('must be a list of 1–200 texts')).not.toBeInTheDocument();
    const teamsItem = (await within(drawer).findByText('no such team')).closest('.ant-form-item') as HTMLElement;
    expect(within(teamsItem).getByText('团队')).toBeInTheDocument();
    const nameItem = (await within(drawer).findByText('must be 1–100 characters')).closest('.ant-form-item') as HTMLElement;
    expect(within(nameItem).getByText('名称')).toBeInTheDocument();
    // The one without an input of its own is listed.
    const alert = within(drawer).getByText(/以下问题无法对应到具体输入框/).closest('.ant-alert') as HTMLElement;
    expect(alert).toHaveTextContent('position');
    expect(alert).toHaveTextContent('must be 0–1000000');

    const put = fetchMock.mock.calls.map(([request]) => request).find((request) => request.method === 'PUT');
    expect(put?.headers.get('X-CSRF-Token')).toBe('tok');
    expect(await put?.json()).toEqual({ name: 'VIP 客户', enabled: true, conditions, route });
  });

  it('moves a rule by saving new positions', async () => {
    const second = { ...rule, id: 12, position: 2, name: '售后' };
    const saved: Array<{ id: string; body: unknown }> = [];
    const put: Route = (request) => {
      const match = /^\/api\/v1\/routing\/rules\/(\d+)$/.exec(new URL(request.url).pathname);
      if (request.method !== 'PUT' || !match) return undefined;
      void request.json().then((body: unknown) => saved.push({ id: match[1], body }));
      return jsonResponse(200, rule);
    };
    serve(put, on('GET', '/api/v1/routing/rules', () => jsonResponse(200, { items: [rule, second] })), ...routes(owner));
    renderApp('/routing/rules');
    await userEvent.setup({ delay: null }).click(await screen.findByRole('button', { name: '上移 售后' }, { timeout: 8000 }));
    await waitFor(() => expect(saved).toHaveLength(2));
    expect(saved).toContainEqual({ id: '12', body: expect.objectContaining({ position: 1, name: '售后' }) });
    expect(saved).toContainEqual({ id: '11', body: expect.objectContaining({ position: 2, name: 'VIP 客户' }) });
  });

  it('shows my status in the top bar and changes it', async () => {
    const fetchMock = serve(...routes(owner, on('PUT', '/api/v1/me/status', () => jsonResponse(200, agentState(1, 'online')))));
    renderApp('/routing/agents');
    const typist = userEvent.setup({ delay: null });
    await typist.click(await screen.findByRole('button', { name: '我的状态：离线' }, { timeout: 8000 }));
    await typist.click(await screen.findByRole('menuitem', { name: '在线' }));
    expect(await screen.findByRole('button', { name: '我的状态：在线' })).toBeInTheDocument();
    const request = fetchMock.mock.calls.map(([r]) => r).find((r) => r.method === 'PUT');
    expect(await request?.json()).toEqual({ status: 'online' });
    // The agents table shows everyone's state.
    expect(screen.getByRole('combobox', { name: 'Li Lei 的状态' })).toBeInTheDocument();
  });

  it('simulates a conversation and shows who would get it and why', async () => {
    const fetchMock = serve(
      ...routes(
        owner,
        on('POST', '/api/v1/routing/simulate', () =>
          jsonResponse(200, {
            outcome: 'assigned',
            agent_id: 2,
            team_id: null,
            facts: { 'entry.campaign': '双11', 'time.local': '10:30' },
            trace: {
              rules: [{ rule_id: 11, name: 'VIP 客户', matched: true, failed: null }],
              route: { ...route, rule_id: 11, agent: null, priority: 2 },
              sticky: null,
              dedicated: null,
              candidates: [
                { agent_id: 1, score: null, excluded: 'offline' },
                { agent_id: 2, score: { load: 1, capacity: 5, utilisation: 0.2, last_assigned_ms: null, active_ms: 0, performance: null, value: 1e308 }, excluded: null },
              ],
              outcome: { kind: 'assigned', agent_id: 2 },
              tie_break: null,
            },
          }),
        ),
      ),
    );
    renderApp('/routing/simulate');
    const typist = userEvent.setup({ delay: null });
    const fact = await screen.findByRole('group', { name: '第 1 项信息' }, { timeout: 8000 });
    const field = within(fact).getByRole('combobox', { name: '第 1 项信息的字段' });
    await pickOption(typist, field, '入口活动');
    await typist.type(await within(fact).findByRole('textbox', { name: '第 1 项信息的值' }), '双11');
    await typist.click(screen.getByRole('button', { name: /开始模拟/ }));

    const outcome = await screen.findByTestId('simulate-outcome');
    expect(await within(outcome).findByText('将分配给 Li Lei')).toBeInTheDocument();
    expect(within(outcome).getByText('命中规则：VIP 客户')).toBeInTheDocument();
    expect(within(screen.getByRole('region', { name: '候选客服' })).getByText('离线')).toBeInTheDocument();
    const post = fetchMock.mock.calls.map(([r]) => r).find((r) => r.method === 'POST');
    expect(await post?.json()).toEqual({ facts: { 'entry.campaign': '双11' }, contact_id: null, priority: null, tags: [] });
  });

  it('saves the settings with business hours as minutes', async () => {
    const settings = {
      default_route: { ...route, teams: [], priority: null, tags: [], skills: [] },
      sticky_window_secs: 604_800,
      reassign_after_secs: null,
      default_capacity: 5,
      away_after_secs: 900,
      timezone: 'Asia/Shanghai',
      business_hours: {
        timezone: 'Asia/Shanghai',
        weekly: [[{ start_min: 540, end_min: 720 }, { start_min: 810, end_min: 1080 }], [], [], [], [], [], []],
        holidays: ['2026-10-01'],
        extra_workdays: [],
        workday_hours: [],
      },
    };
    const fetchMock = serve(
      ...routes(
        owner,
        on('GET', '/api/v1/routing/settings', () => jsonResponse(200, settings)),
        on('PATCH', '/api/v1/routing/settings', () => jsonResponse(200, settings)),
        on('GET', '/api/v1/teams/5/routing', () => jsonResponse(200, { default_capacity: 3, overflow_after_secs: 300, overflow_team_id: null })),
      ),
    );
    renderApp('/routing/settings');
    expect(await screen.findByLabelText('周一第 2 个时段的开始时间', {}, { timeout: 8000 })).toHaveValue('13:30');
    const teamRow = (await screen.findByText('售后组', { selector: 'td' })).closest('tr') as HTMLElement;
    expect(await within(teamRow).findByText('5 分钟')).toBeInTheDocument();
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: '保存' }));
    await waitFor(() => expect(fetchMock.mock.calls.some(([r]) => r.method === 'PATCH')).toBe(true));
    const patch = fetchMock.mock.calls.map(([r]) => r).find((r) => r.method === 'PATCH');
    expect(await patch?.json()).toEqual({
      default_route: settings.default_route,
      sticky_window_secs: 604_800,
      reassign_after_secs: null,
      default_capacity: 5,
      away_after_secs: 900,
      timezone: 'Asia/Shanghai',
      business_hours: settings.business_hours,
    });
  });

  it('is not offered to agents', async () => {
    // Desktop width, where the navigation is a side bar (antd's breakpoints answer min-width queries).
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
    serve(...routes(agent));
    renderApp('/routing/rules');
    expect(await screen.findByText('只有主管及以上角色可以查看路由设置。', {}, { timeout: 8000 })).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: '主导航' });
    expect(within(nav).queryByText('路由')).not.toBeInTheDocument();
    expect(within(nav).getByText('团队')).toBeInTheDocument();
  });
});
