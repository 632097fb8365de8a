import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { errorResponse, jsonResponse } from '../../test/renderApp';
import { on, serve, user } from '../../test/fakeServer';
import { renderSignedIn } from '../../test/renderSignedIn';
import { pageTests, slaDoc, ticket, ticketRoutes } from '../../test/ticketFixtures';
import { ContactTickets, sortContactTickets } from './ContactTickets';
import type { Ticket } from '../../api/types';

pageTests();

const me = user({ role: 'agent' });

/** Serves the contact's tickets and records the query of each list request. */
function serveTickets(answer: () => Response) {
  const queries: URLSearchParams[] = [];
  serve(
    ...ticketRoutes(
      me,
      on('GET', '/api/v1/tickets', (request) => {
        queries.push(new URL(request.url).searchParams);
        return answer();
      }),
    ),
  );
  return queries;
}

describe('ContactTickets', () => {
  it("lists the contact's tickets, unresolved first, each linking to its page", async () => {
    const now = Date.now();
    const queries = serveTickets(() =>
      jsonResponse(200, {
        items: [
          // Newest first, as the server answers.
          ticket({ id: 40, number: 'T-2026040', title: '发票抬头写错了', status: 'resolved', status_kind: 'resolved', priority: 'p4', contact_id: 7 }),
          ticket({ id: 38, number: 'T-2026038', title: '<b>退款</b>还没到账', status: 'open', status_kind: 'open', priority: 'p1', contact_id: 7, sla: slaDoc(now, 90, 60) }),
          ticket({ id: 31, number: 'T-2026031', title: '打印机无法连接', contact_id: 7 }),
        ],
        next_before: null,
      }),
    );
    renderSignedIn(<ContactTickets contactId={7} />, me);

    const list = await screen.findByRole('list', { name: '工单' }, { timeout: 10_000 });
    expect(queries[0].get('contact_id')).toBe('7');
    const links = within(list).getAllByRole('link');
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['/tickets/38', '/tickets/31', '/tickets/40']);

    const refund = links[0];
    expect(within(refund).getByText('T-2026038')).toBeInTheDocument();
    // The title is text, never markup.
    expect(within(refund).getByText('<b>退款</b>还没到账')).toBeInTheDocument();
    expect(await within(refund).findByText('处理中')).toBeInTheDocument();
    expect(within(refund).getByText('P1 紧急')).toBeInTheDocument();
    expect(within(refund).getByText(/解决 · 剩余/)).toBeInTheDocument();

    const resolved = links[2];
    expect(within(resolved).getByText('已解决')).toBeInTheDocument();
    expect(within(resolved).getByText('P4 低')).toBeInTheDocument();
    expect(within(resolved).queryByText(/剩余|超时|已达成/)).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /展开/ })).not.toBeInTheDocument();
  });

  it('shows five and the rest on demand', async () => {
    serveTickets(() =>
      jsonResponse(200, {
        items: Array.from({ length: 7 }, (_, i) => ticket({ id: 50 - i, number: `T-20260${50 - i}`, title: `工单 ${50 - i}`, contact_id: 7 })),
        next_before: null,
      }),
    );
    renderSignedIn(<ContactTickets contactId={7} />, me);
    const list = await screen.findByRole('list', { name: '工单' }, { timeout: 10_000 });
    expect(within(list).getAllByRole('link')).toHaveLength(5);
    const typist = userEvent.setup({ delay: null });
    await typist.click(screen.getByRole('button', { name: '展开其余 2 个工单' }));
    expect(within(list).getAllByRole('link')).toHaveLength(7);
    await typist.click(screen.getByRole('button', { name: '收起' }));
    expect(within(list).getAllByRole('link')).toHaveLength(5);
  });

  it('says so when the contact has no tickets', async () => {
    const queries = serveTickets(() => jsonResponse(200, { items: [], next_before: null }));
    renderSignedIn(<ContactTickets contactId={9} />, me);
    expect(await screen.findByText('暂无工单', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(queries[0].get('contact_id')).toBe('9');
    expect(screen.queryByRole('list', { name: '工单' })).not.toBeInTheDocument();
  });

  it('shows why the tickets could not be loaded', async () => {
    serveTickets(() => errorResponse(403, 'forbidden'));
    renderSignedIn(<ContactTickets contactId={7} />, me);
    expect(await screen.findByText('你没有执行此操作的权限。', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.queryByText('暂无工单')).not.toBeInTheDocument();
  });
});

describe('sortContactTickets', () => {
  it('puts unresolved tickets before resolved and closed ones, keeping the order within each', () => {
    const of = (id: number, status_kind: string) => ticket({ id, status_kind }) as unknown as Ticket;
    const sorted = sortContactTickets([of(5, 'closed'), of(4, 'pending'), of(3, 'resolved'), of(2, 'new'), of(1, 'open')]);
    expect(sorted.map((x) => x.id)).toEqual([4, 2, 1, 5, 3]);
  });
});
