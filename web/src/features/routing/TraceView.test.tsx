import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import { QueryClientProvider } from '@tanstack/react-query';
import { ConfigProvider } from 'antd';
import { TraceView } from './TraceView';
import { createQueryClient } from '../../App';
import { jsonResponse } from '../../test/renderApp';
import { on, serve, user } from '../../test/fakeServer';
import { setLocale } from '../../i18n';

const AT = Date.parse('2026-11-21T06:00:00.000Z');

/** A decision as the server records it: rule 1 failed, rule 2 matched, agent 2 chosen after a tie. */
const trace = {
  rules: [
    { rule_id: 1, name: 'VIP 客户', matched: false, failed: 'all[1]: contact.tags contains "vip" — was []' },
    { rule_id: 2, name: '售后', matched: true, failed: null },
  ],
  route: {
    rule_id: 2,
    teams: [5],
    agent: null,
    skills: [{ name: 'billing', min: 3 }],
    strategy: 'least_load',
    priority: 2,
    tags: ['售后'],
    offline_notice: null,
    sticky: true,
  },
  sticky: 'agent 3 who served the contact is at capacity',
  dedicated: null,
  candidates: [
    { agent_id: 1, score: null, excluded: 'not_in_team' },
    {
      agent_id: 2,
      score: { load: 1, capacity: 5, utilisation: 0.2, last_assigned_ms: AT - 600_000, active_ms: AT - 60_000, performance: null, value: 0.8 },
      excluded: null,
    },
    { agent_id: 3, score: null, excluded: 'at_capacity' },
    { agent_id: 4, score: null, excluded: 'lacks_skill', detail: 'billing ≥ 3' },
    { agent_id: 5, score: null, excluded: 'offline' },
    {
      agent_id: 6,
      score: { load: 2, capacity: 10, utilisation: 0.2, last_assigned_ms: null, active_ms: AT, performance: null, value: 0.8 },
      excluded: null,
    },
  ],
  outcome: { kind: 'assigned', agent_id: 2 },
  tie_break: 'equal score; agent 2 has the lower load',
};

function users() {
  return [
    user(),
    user({ id: 2, name: 'Li Lei', role: 'agent' }),
    user({ id: 3, name: 'Han Meimei', role: 'agent' }),
    user({ id: 4, name: 'Zhao Qiang', role: 'agent' }),
  ];
}

function renderTrace(compact: boolean) {
  serve(
    on('GET', '/api/v1/users', () => jsonResponse(200, { items: users(), next_cursor: null })),
    on('GET', '/api/v1/teams', () =>
      jsonResponse(200, { items: [{ id: 5, name: '售后组', description: '', member_count: 2, created_at: '2026-11-21T05:00:00.000Z' }], next_cursor: null }),
    ),
  );
  const queryClient = createQueryClient();
  return render(
    <QueryClientProvider client={queryClient}>
      <ConfigProvider theme={{ token: { motion: false } }}>
        <TraceView trace={trace} at={AT} compact={compact} />
      </ConfigProvider>
    </QueryClientProvider>,
  );
}

beforeEach(async () => {
  await setLocale('zh-CN');
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('TraceView', () => {
  it('shows the failed condition of a rule, the exclusion reasons and how the choice was made', async () => {
    renderTrace(false);
    const rules = screen.getByRole('region', { name: '规则匹配' });
    expect(within(rules).getByText('all[1]: contact.tags contains "vip" — was []')).toBeInTheDocument();
    expect(within(rules).getByText('未命中')).toBeInTheDocument();
    expect(within(rules).getByText('命中')).toBeInTheDocument();

    const candidates = screen.getByRole('region', { name: '候选客服' });
    // Names arrive with the users list.
    const chosen = (await within(candidates).findByText('Li Lei')).closest('tr') as HTMLElement;
    expect(within(chosen).getByText('已选中')).toBeInTheDocument();
    expect(within(chosen).getByText('1 / 5')).toBeInTheDocument();
    expect(within(chosen).getByText('20%')).toBeInTheDocument();
    expect(within(chosen).getByText('10 分钟前')).toBeInTheDocument();
    expect(within(chosen).getByText('0.800')).toBeInTheDocument();
    const row = (name: string) => within(candidates).getByText(name).closest('tr') as HTMLElement;
    expect(within(row('Wang Fang')).getByText('不在团队中')).toBeInTheDocument();
    expect(within(row('Han Meimei')).getByText('已达接待上限')).toBeInTheDocument();
    expect(within(row('Zhao Qiang')).getByText('技能不足（billing ≥ 3）')).toBeInTheDocument();
    expect(within(row('客服 #5')).getByText('离线')).toBeInTheDocument();
    expect(within(row('客服 #6')).getByText('可分配')).toBeInTheDocument();
    expect(within(row('客服 #6')).getByText('从未分配')).toBeInTheDocument();

    const route = screen.getByRole('region', { name: '路由' });
    expect(await within(route).findByText('售后组')).toBeInTheDocument();
    expect(within(route).getByText('最少负载')).toBeInTheDocument();
    expect(within(route).getByText('billing ≥ 3')).toBeInTheDocument();
    expect(within(route).getByText('高')).toBeInTheDocument();

    const process = screen.getByRole('region', { name: '分配过程' });
    expect(within(process).getByText('上次接待的 Han Meimei 当前不可分配：已达接待上限')).toBeInTheDocument();
    expect(within(process).getByText('得分相同，Li Lei 的负载更低')).toBeInTheDocument();
    expect(screen.getByText('分配给 Li Lei')).toBeInTheDocument();
  });

  it('lists the candidates compactly for the context panel', async () => {
    renderTrace(true);
    const candidates = screen.getByRole('region', { name: '候选客服' });
    const items = within(candidates).getAllByRole('listitem');
    // The chosen agent first, then the eligible, then the excluded.
    expect(await within(items[0]).findByText('Li Lei')).toBeInTheDocument();
    expect(within(items[0]).getByText('已选中')).toBeInTheDocument();
    expect(within(items[0]).getByText('1/5 · 0.800')).toBeInTheDocument();
    expect(within(items[1]).getByText('客服 #6')).toBeInTheDocument();
    expect(within(candidates).getByText('技能不足（billing ≥ 3）')).toBeInTheDocument();
    expect(within(candidates).getByText('不在团队中')).toBeInTheDocument();
    expect(screen.getByText('all[1]: contact.tags contains "vip" — was []')).toBeInTheDocument();
  });
});
