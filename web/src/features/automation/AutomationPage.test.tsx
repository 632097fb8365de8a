import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { errorResponse, jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve } from '../../test/fakeServer';
import { FakeSocket } from '../../test/fakeSocket';
import { agent, baseRoutes, owner } from '../../test/todoFixtures';
import { setCsrfToken } from '../../api/client';

const stats = (over: Record<string, unknown> = {}) => ({
  generated: 10,
  open: 2,
  completed: 6,
  completed_late: 3,
  ignored: 2,
  cancelled: 0,
  median_completion_ms: 3_600_000,
  last_fired_at: null,
  suggestions: [],
  ...over,
});
const scanRule = {
  id: 4,
  name: '试用到期提醒',
  goal: '减少试用期流失',
  priority: 0,
  active: true,
  trigger: { kind: 'scan', every: 3600 },
  conditions: { all: [{ field: 'contact.custom.trial_end', op: 'within_next', value: '3d' }] },
  actions: [{ type: 'create_todo', title: '提醒续费', note: '', owner: { strategy: 'contact_owner' }, priority: 'normal' }],
  limit_days: 7,
  last_fired_at: null,
  created_at: 0,
  updated_at: 0,
  stats: stats({ suggestions: [{ code: 'mostly_ignored', message: '7 of 10 to-dos were ignored' }] }),
};

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  setCsrfToken('tok');
});
afterEach(() => vi.unstubAllGlobals());

describe('AutomationPage', () => {
  it("lists rules with their figures and suggestions, and previews a scan's counts", async () => {
    const scans: string[] = [];
    serve(
      ...baseRoutes(
        owner,
        on('GET', '/api/v1/automation/rules', () => jsonResponse(200, { items: [scanRule] })),
        on('GET', '/api/v1/automation/rules/4/runs', () =>
          jsonResponse(200, {
            runs: [{ id: 1, subject: 'contact:7', contact_id: 7, outcome: 'suppressed', reason: 'limit 7 days', created_at: 0 }],
            scans: [],
          }),
        ),
        on('POST', '/api/v1/automation/rules/4/scan', (req) => {
          scans.push(new URL(req.url).search);
          return jsonResponse(200, { rule_id: 4, contacts: 120, matched: 9, created: 6, suppressed: 3, skipped: 0, took_ms: 12, dry_run: true, sample: [7] });
        }),
      ),
    );
    renderApp('/automation');
    expect(await screen.findByText('试用到期提醒', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.getByText('完成 6（75%）')).toBeInTheDocument();
    expect(screen.getByText('逾期完成 3（50%）')).toBeInTheDocument();
    expect(screen.getByText('这条规则生成的待办大多被忽略')).toBeInTheDocument();

    const typist = userEvent.setup({ delay: null });
    // By label: role queries over the whole rules table are slow in jsdom.
    await typist.click(screen.getByLabelText('“试用到期提醒”的运行记录'));
    const drawer = await screen.findByRole('dialog');
    expect(await within(drawer).findByText('limit 7 days')).toBeInTheDocument();
    await typist.click(within(drawer).getByText('试运行扫描'));
    const report = await within(drawer).findByTestId('scan-report');
    expect(scans).toEqual(['?dry_run=true']);
    expect(within(report).getByText('将生成')).toBeInTheDocument();
    expect(within(report).getByText('120')).toBeInTheDocument();
  });

  it("puts the API's validation errors on the field their path names", async () => {
    const bodies: Array<Record<string, unknown>> = [];
    serve(
      ...baseRoutes(
        owner,
        on('GET', '/api/v1/automation/rules', () => jsonResponse(200, { items: [] })),
        on('POST', '/api/v1/automation/rules', (req) => {
          void req.json().then((b) => bodies.push(b as Record<string, unknown>));
          return errorResponse(422, 'validation_failed', {}, [
            { field: 'trigger.key', message: 'names the button ("needs_follow_up")' },
            { field: 'actions[0].title', message: 'must not be empty' },
          ]);
        }),
      ),
    );
    renderApp('/automation');
    const typist = userEvent.setup({ delay: null });
    await typist.click(await screen.findByRole('button', { name: /新建规则/ }, { timeout: 10_000 }));
    const drawer = await screen.findByRole('dialog');
    await typist.type(within(drawer).getByLabelText('名称'), '需要回访');
    await typist.click(within(drawer).getByRole('button', { name: '创建' }));
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({ name: '需要回访', trigger: { kind: 'event', event: 'button' }, conditions: { all: [] } });
    const keyItem = within(drawer).getByLabelText(/^按钮标识/).closest('.ant-form-item');
    expect(await within(keyItem as HTMLElement).findByText('names the button ("needs_follow_up")')).toBeInTheDocument();
    const titleItem = within(drawer).getByLabelText(/^待办标题/).closest('.ant-form-item');
    expect(within(titleItem as HTMLElement).getByText('must not be empty')).toBeInTheDocument();
  });

  it('is for admins only', async () => {
    serve(...baseRoutes(agent));
    renderApp('/automation');
    expect(await screen.findByText('只有管理员可以管理自动化规则', {}, { timeout: 10_000 })).toBeInTheDocument();
  });
});
