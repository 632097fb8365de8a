import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { QueryClientProvider } from '@tanstack/react-query';
import { createQueryClient } from '../../App';
import { ConversationList, ROW_HEIGHT } from './ConversationList';
import type { Conversation } from '../../api/types';

function conversation(id: number): Conversation {
  return {
    id,
    number: id,
    channel_id: 1,
    contact_id: 10_000 + id,
    status: 'open',
    priority: 'normal',
    assignee_id: null,
    team_id: null,
    last_seq: 1,
    agent_read_seq: 0,
    contact_read_seq: 1,
    source: {},
    created_at: '2026-11-21T05:00:00.000Z',
    updated_at: '2026-11-21T05:00:00.000Z',
  } as Conversation;
}

function renderList(rows: Conversation[]) {
  // Contact names load per row; leave them loading (the rows show "访客 N" meanwhile).
  vi.stubGlobal('fetch', () => new Promise<Response>(() => {}));
  // jsdom has no layout: give the list pane a phone-to-desktop height of 600 px.
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(320);
  return render(
    <QueryClientProvider client={createQueryClient()}>
      <MemoryRouter>
        <ConversationList
          filter={{ tab: 'all', status: 'open' }}
          onFilter={() => {}}
          rows={rows}
          loading={false}
          error={null}
          onRetry={() => {}}
          selectedId={null}
          channelNames={new Map([[1, '官网']])}
          connection="open"
        />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe('ConversationList with 5,000 conversations', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  const rows = Array.from({ length: 5000 }, (_, i) => conversation(i + 1));

  it('puts only a window of rows in the DOM, sized for all of them', () => {
    renderList(rows);
    const list = screen.getByRole('list', { name: '会话' });
    const rendered = within(list).getAllByTestId('conversation-row');
    expect(rendered.length).toBeGreaterThan(0);
    // 600 px / 58 px per row, plus the overscan either side.
    expect(rendered.length).toBeLessThanOrEqual(Math.ceil(600 / ROW_HEIGHT) + 12);
    expect(rendered[0]).toHaveAccessibleName('访客 10001，会话 #1，有未读消息');
    expect(list).toHaveAttribute('aria-rowcount', '5000');
    expect(list.style.height).toBe(`${5000 * ROW_HEIGHT}px`);
  });

  it('shows the rows at the scroll position, not the first ones', () => {
    renderList(rows);
    const list = screen.getByRole('list', { name: '会话' });
    const scroller = list.parentElement as HTMLElement;
    scroller.scrollTop = 3000 * ROW_HEIGHT;
    fireEvent.scroll(scroller);
    const items = within(list).getAllByRole('listitem');
    expect(items.length).toBeLessThan(50);
    const positions = items.map((item) => Number(item.getAttribute('aria-posinset')));
    expect(Math.min(...positions)).toBeGreaterThan(2900);
    expect(positions).toContain(3001);
  });
});
