import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { errorResponse, jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, user } from '../../test/fakeServer';
import { detail, pageTests, ticketRoutes } from '../../test/ticketFixtures';
import { pickOption } from '../../test/select';

const owner = user();
const at = '2026-11-21T05:00:00.000Z';
const entry = (id: number, kind: string, data: object, body: string | null = null, actor_id: number | null = 1) => ({
  id,
  kind,
  actor_id,
  body,
  data,
  created_at: at,
});

const TIMELINE = [
  entry(1, 'created', { status: 'new', priority: 'p3', channel: 'agent', conversation_id: null }),
  entry(2, 'status', { from: 'new', to: 'open', from_kind: 'new', to_kind: 'open' }, '开始排查'),
  entry(3, 'note', { author: 'note', attachments: [] }, '怀疑是路由器问题'),
  entry(4, 'sla_warning', { metric: 'resolution', due_at: Date.parse(at), warn_at: Date.parse(at), warn_source: 'static', target_ms: 1 }, null, null),
  entry(5, 'notification_sent', { channel: 'sms', template: 'ticket_resolved' }, null, null),
];

pageTests();

describe('TicketPage', () => {
  it('offers only the allowed moves, sends the reason, and renders every timeline kind', async () => {
    let current = detail({ status: 'open', status_kind: 'open', status_name: '处理中' });
    const moves: unknown[] = [];
    serve(
      ...ticketRoutes(
        owner,
        on('GET', '/api/v1/tickets/31', () => jsonResponse(200, current)),
        on('GET', '/api/v1/tickets/31/timeline', () => jsonResponse(200, { items: TIMELINE, next_after: null })),
        on('POST', '/api/v1/tickets/31/status', (request) => {
          void request.clone().json().then((body) => moves.push(body));
          current = detail({ status: 'resolved', status_kind: 'resolved', status_name: '已解决' });
          return jsonResponse(200, current);
        }),
      ),
    );
    renderApp('/tickets/31');
    const group = await screen.findByRole('group', { name: '流转到' });
    expect(within(group).getAllByRole('button').map((b) => b.textContent)).toEqual(['等待客户', '已解决', '已关闭']);

    // Every entry reads as a sentence; the note stands out; an unknown kind shows its data.
    const entries = await screen.findAllByTestId('timeline-entry');
    expect(entries.map((e) => e.dataset.kind)).toEqual(['created', 'status', 'note', 'sla_warning', 'notification_sent']);
    expect(entries[1]).toHaveTextContent('Wang Fang 将状态从「待分配」改为「处理中」');
    expect(entries[1]).toHaveTextContent('开始排查');
    expect(entries[2]).toHaveTextContent('仅内部可见');
    expect(entries[3]).toHaveTextContent('SLA 预警：解决即将超时');
    expect(entries[4]).toHaveTextContent('系统 · notification_sent');
    expect(entries[4]).toHaveTextContent('channel: sms · template: ticket_resolved');

    const typist = userEvent.setup({ delay: null });
    await typist.click(within(group).getByRole('button', { name: '已解决' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('处理中 → 已解决');
    await typist.type(within(dialog).getByLabelText('原因'), '客户确认');
    await typist.click(within(dialog).getByRole('button', { name: '确认流转' }));
    await waitFor(() => expect(moves).toEqual([{ status: 'resolved', reason: '客户确认' }]));
    await waitFor(() =>
      expect(within(screen.getByRole('group', { name: '流转到' })).getAllByRole('button').map((b) => b.textContent)).toEqual(['处理中', '已关闭']),
    );
  });

  it('adds a marker from the account list and shows a refused move on the reason field', async () => {
    const markers: unknown[] = [];
    serve(
      ...ticketRoutes(
        owner,
        on('GET', '/api/v1/tickets/31', () => jsonResponse(200, detail())),
        on('GET', '/api/v1/tickets/31/timeline', () => jsonResponse(200, { items: [], next_after: null })),
        on('POST', '/api/v1/tickets/31/markers', (request) => {
          void request.clone().json().then((body) => markers.push(body));
          return jsonResponse(201, detail());
        }),
        on('POST', '/api/v1/tickets/31/status', () =>
          errorResponse(422, 'validation_failed', {}, [{ field: 'reason', message: 'must be at most 1000 characters' }]),
        ),
      ),
    );
    renderApp('/tickets/31');
    const typist = userEvent.setup({ delay: null });
    await pickOption(typist, await screen.findByRole('combobox', { name: '选择进度标记' }), '已联系客户');
    await typist.type(screen.getByRole('textbox', { name: '备注（可选）' }), '电话已通');
    await typist.click(screen.getByRole('button', { name: '添加标记' }));
    await waitFor(() => expect(markers).toEqual([{ marker_id: 9, note: '电话已通' }]));

    await typist.click(within(screen.getByRole('group', { name: '流转到' })).getByRole('button', { name: '处理中' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('待分配 → 处理中');
    await typist.click(within(dialog).getByRole('button', { name: '确认流转' }));
    expect(await within(dialog).findByText('must be at most 1000 characters')).toBeInTheDocument();
  });
});
