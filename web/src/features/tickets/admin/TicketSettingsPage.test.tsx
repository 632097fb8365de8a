import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { errorResponse, jsonResponse, renderApp } from '../../../test/renderApp';
import { on, serve, user } from '../../../test/fakeServer';
import { pageTests, ticketRoutes } from '../../../test/ticketFixtures';

const owner = user();
const agent = user({ id: 2, email: 'agent@example.com', name: 'Li Lei', role: 'agent' });
const deadTimer = {
  id: 41,
  kind: 'sla',
  dedupe_key: 'sla:31:resolution:warning',
  payload: { ticket_id: 31 },
  run_at: '2026-11-21T05:00:00.000Z',
  status: 'dead',
  attempts: 5,
  max_attempts: 5,
  last_error: 'database is locked',
  updated_at: '2026-11-21T05:00:00.000Z',
};
const threshold = {
  category_key: 'refund',
  priority: 'p2',
  window_days: 28,
  sample_count: 42,
  p50_ms: 3_600_000,
  p90_ms: 10_800_000,
  seasonal_factor: 1.1,
  warn_ms: 9_000_000,
  basis: 'history',
  computed_at: '2026-11-21T05:00:00.000Z',
};

pageTests();

describe('TicketSettingsPage', () => {
  it('is for admins only', async () => {
    serve(...ticketRoutes(agent));
    renderApp('/ticket-settings/timers');
    expect(await screen.findByText('只有管理员可以管理工单设置')).toBeInTheDocument();
  });

  it('lists dead timers with their last error and re-runs one', async () => {
    const reruns: string[] = [];
    serve(
      ...ticketRoutes(
        owner,
        on('GET', '/api/v1/timers', (request) => {
          expect(new URL(request.url).searchParams.get('status')).toBe('dead');
          return jsonResponse(200, { items: reruns.length ? [] : [deadTimer], next_before: null });
        }),
        on('POST', '/api/v1/timers/41/rerun', (request) => {
          reruns.push(request.url);
          return jsonResponse(200, { ...deadTimer, status: 'pending', attempts: 0 });
        }),
      ),
    );
    renderApp('/ticket-settings/timers');
    const row = (await screen.findByText('database is locked')).closest('tr') as HTMLElement;
    expect(within(row).getByText('5/5')).toBeInTheDocument();
    // A background refetch blurs the table under a spinner (pointer-events: none) for a moment.
    await waitFor(() => expect(row.closest('.ant-spin-blur')).toBeNull());
    await userEvent.setup({ delay: null }).click(within(row).getByRole('button', { name: '重新执行任务 41' }));
    expect(await screen.findByText('没有失败的定时任务')).toBeInTheDocument();
    expect(reruns).toHaveLength(1);
  });

  it('shows the learned thresholds with the data behind them and refreshes them', async () => {
    let refreshed = false;
    serve(
      ...ticketRoutes(
        owner,
        on('GET', '/api/v1/sla/threshold-settings', () =>
          jsonResponse(200, { window_days: 28, min_samples: 20, p90_fraction: 0.8333, seasonal_last_year: true, peaks: [] }),
        ),
        on('GET', '/api/v1/sla/thresholds', () => jsonResponse(200, { items: [] })),
        on('POST', '/api/v1/sla/thresholds/refresh', () => {
          refreshed = true;
          return jsonResponse(200, { items: [threshold] });
        }),
      ),
    );
    renderApp('/ticket-settings/thresholds');
    expect(await screen.findByText('还没有学习到的阈值')).toBeInTheDocument();
    expect(await screen.findByLabelText('统计窗口')).toHaveValue('28');
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: /立即重新计算/ }));
    const row = (await screen.findByText('refund')).closest('tr') as HTMLElement;
    expect(refreshed).toBe(true);
    expect(row).toHaveTextContent('P2 高');
    expect(row).toHaveTextContent('42');
    expect(row).toHaveTextContent('3 小时');
    expect(row).toHaveTextContent('2 小时 30 分钟');
    expect(row).toHaveTextContent('历史数据');
  });

  it('puts the workflow errors the API names on the state they concern', async () => {
    serve(
      ...ticketRoutes(
        owner,
        on('PUT', '/api/v1/ticket-workflow', () =>
          errorResponse(422, 'validation_failed', {}, [
            { field: 'states[1].key', message: 'appears twice' },
            { field: 'transitions.resolved[0]', message: 'a state cannot move to itself' },
          ]),
        ),
      ),
    );
    renderApp('/ticket-settings/workflow');
    const second = await screen.findByRole('group', { name: '状态 2' });
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: '保存' }));
    expect(await within(second).findByText('appears twice')).toBeInTheDocument();
    await waitFor(() => expect(within(screen.getByRole('group', { name: '状态 4' })).getByText('a state cannot move to itself')).toBeInTheDocument());
  });
});
