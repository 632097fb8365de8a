import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { errorResponse, jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, user } from '../../test/fakeServer';
import { detail, pageTests, slaDoc, ticket, ticketRoutes } from '../../test/ticketFixtures';
import { pickOption } from '../../test/select';

const owner = user();

pageTests();

describe('TicketsPage', () => {
  it('colours each SLA countdown by urgency and sends the filters to the API', async () => {
    const now = Date.now();
    const queries: string[] = [];
    serve(
      ...ticketRoutes(
        owner,
        on('GET', '/api/v1/tickets', (request) => {
          queries.push(new URL(request.url).search);
          return jsonResponse(200, {
            items: [
              ticket({ id: 1, number: 'T-2026001', title: '还早', sla: slaDoc(now, 120, 60) }),
              ticket({ id: 2, number: 'T-2026002', title: '快到了', priority: 'p1', sla: slaDoc(now, 30, -5) }),
              ticket({ id: 3, number: 'T-2026003', title: '超时了', status: 'open', status_kind: 'open', assignee_id: 2, sla: slaDoc(now, -15, -60) }),
              ticket({ id: 4, number: 'T-2026004', title: '无 SLA' }),
            ],
            next_before: null,
          });
        }),
      ),
    );
    renderApp('/tickets');
    const row = async (title: string) => (await screen.findByText(title)).closest('tr') as HTMLElement;

    const early = await row('还早');
    expect(within(early).getByText('T-2026001')).toBeInTheDocument();
    expect(early.querySelector('[data-urgency="ok"]')).toHaveTextContent(/解决 · 剩余 (1 小时 59 分钟|2 小时)/);
    expect((await row('快到了')).querySelector('[data-urgency="warning"]')).toHaveTextContent(/剩余 (29|30) 分钟/);
    const late = await row('超时了');
    expect(late.querySelector('[data-urgency="breached"]')).toHaveTextContent(/超时 1[45] 分钟/);
    expect(within(late).getByText('处理中')).toBeInTheDocument();
    expect(within(late).getByText('Li Lei')).toBeInTheDocument();
    expect(within(await row('无 SLA')).getByText('—')).toBeInTheDocument();

    const typist = userEvent.setup({ delay: null });
    await pickOption(typist, screen.getByRole('combobox', { name: '状态' }), '处理中');
    await waitFor(() => expect(queries.at(-1)).toContain('status=open'));
    await pickOption(typist, screen.getByRole('combobox', { name: '优先级' }), 'P1 紧急');
    await waitFor(() => expect(queries.at(-1)).toMatch(/status=open.*priority=p1|priority=p1.*status=open/));
    await typist.type(screen.getByRole('searchbox', { name: '搜索编号、标题或订单号' }), '打印机{Enter}');
    await waitFor(() => expect(decodeURIComponent(queries.at(-1) ?? '')).toContain('q=打印机'));
  });

  it('turns a countdown amber when its warning time passes, without a refetch', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const now = Date.now();
    serve(
      ...ticketRoutes(
        owner,
        on('GET', '/api/v1/tickets', () => jsonResponse(200, { items: [ticket({ title: '即将预警', sla: slaDoc(now, 60, 0.05) })], next_before: null })),
      ),
    );
    renderApp('/tickets');
    const row = (await screen.findByText('即将预警')).closest('tr') as HTMLElement;
    expect(row.querySelector('[data-urgency="ok"]')).not.toBeNull();
    await vi.advanceTimersByTimeAsync(5000);
    await waitFor(() => expect(row.querySelector('[data-urgency="warning"]')).not.toBeNull());
  });

  it('creates a ticket with its category fields and puts 422 paths on the right inputs', async () => {
    const bodies: Record<string, unknown>[] = [];
    serve(
      ...ticketRoutes(
        owner,
        on('GET', '/api/v1/tickets', () => jsonResponse(200, { items: [], next_before: null })),
        on('POST', '/api/v1/tickets', (request) => {
          void request
            .clone()
            .json()
            .then((body: Record<string, unknown>) => bodies.push(body));
          return bodies.length === 0
            ? errorResponse(422, 'validation_failed', {}, [
                { field: 'custom.amount', message: 'must be a number' },
                { field: 'title', message: 'must be at most 200 characters' },
              ])
            : jsonResponse(201, detail({ id: 77, number: 'T-2026077', title: '退款' }));
        }),
        on('GET', '/api/v1/tickets/77', () => jsonResponse(200, detail({ id: 77, number: 'T-2026077', title: '退款' }))),
        on('GET', '/api/v1/tickets/77/timeline', () => jsonResponse(200, { items: [], next_after: null })),
      ),
    );
    renderApp('/tickets');
    const typist = userEvent.setup({ delay: null });
    await typist.click(await screen.findByRole('button', { name: /新建工单/ }));
    const dialog = await screen.findByRole('dialog');
    await typist.type(within(dialog).getByLabelText('标题'), '退款');
    await pickOption(typist, within(dialog).getByRole('combobox', { name: '分类' }), '退款');
    const amount = await within(dialog).findByLabelText('退款金额');
    await typist.type(amount, '88');
    await typist.click(within(dialog).getByRole('button', { name: '创建' }));

    expect(await within(dialog).findByText('must be a number')).toBeInTheDocument();
    expect(within(dialog).getByText('must be at most 200 characters')).toBeInTheDocument();
    expect(bodies[0]).toMatchObject({ title: '退款', category_id: 4, priority: 'p3', custom: { amount: 88 } });

    await typist.click(within(dialog).getByRole('button', { name: '创建' }));
    expect(await screen.findByRole('heading', { name: /退款/ })).toBeInTheDocument();
    expect(screen.getByText('T-2026077')).toBeInTheDocument();
  });
});
