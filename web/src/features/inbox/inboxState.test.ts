import { describe, expect, it } from 'vitest';
import {
  inboxReducer,
  initialInboxState,
  isUnread,
  listQuery,
  mergeConversation,
  selectRows,
  type InboxState,
  type ListFilter,
} from './inboxState';
import type { Conversation, Message } from '../../api/types';

const ME = 1;

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
    last_seq: 1,
    agent_read_seq: 0,
    contact_read_seq: 1,
    source: {},
    created_at: '2026-11-21T05:00:00.000Z',
    updated_at: `2026-11-21T05:00:0${id % 10}.000Z`,
    ...overrides,
  };
}

function message(conversation_id: number, seq: number, created_at: string): Message {
  return {
    id: seq,
    conversation_id,
    seq,
    sender: { kind: 'contact', id: 5, name: '访客 5' },
    kind: 'text',
    text: 'hi',
    attachment: null,
    client_id: null,
    created_at,
  };
}

const openAll: ListFilter = { tab: 'all', status: 'open' };
const openMine: ListFilter = { tab: 'mine', status: 'open' };
const openUnassigned: ListFilter = { tab: 'unassigned', status: 'open' };

function loaded(state: InboxState, filter: ListFilter, items: Conversation[], requestedAt = 100): InboxState {
  return inboxReducer(state, { type: 'loaded', filter, meId: ME, items, requestedAt });
}

const ids = (rows: Conversation[]) => rows.map((c) => c.id);

describe('inbox list reducer', () => {
  it('maps tabs to list queries', () => {
    expect(listQuery(openMine)).toEqual({ status: 'open', assignee: 'me' });
    expect(listQuery(openUnassigned)).toEqual({ status: 'open', assignee: 'none' });
    expect(listQuery({ tab: 'all', status: 'resolved' })).toEqual({ status: 'resolved' });
  });

  it('shows a loaded list newest activity first and filters by tab and status', () => {
    const state = loaded(initialInboxState, openAll, [
      conversation(1),
      conversation(2, { assignee_id: ME }),
      conversation(3, { assignee_id: 7 }),
      conversation(4, { status: 'pending' }),
    ]);
    expect(ids(selectRows(state, openAll, ME))).toEqual([3, 2, 1]);
    expect(ids(selectRows(state, openMine, ME))).toEqual([2]);
    expect(ids(selectRows(state, openUnassigned, ME))).toEqual([1]);
    expect(ids(selectRows(state, { tab: 'all', status: 'pending' }, ME))).toEqual([4]);
  });

  it('adds a conversation created live and moves one that changes', () => {
    let state = loaded(initialInboxState, openAll, [conversation(1), conversation(2)]);
    state = inboxReducer(state, { type: 'upsert', conversation: conversation(9, { updated_at: '2026-11-21T06:00:00.000Z' }), at: 200 });
    expect(ids(selectRows(state, openAll, ME))).toEqual([9, 2, 1]);

    // Assigned to me: leaves "unassigned", shows under "mine".
    state = inboxReducer(state, {
      type: 'upsert',
      conversation: conversation(1, { assignee_id: ME, updated_at: '2026-11-21T06:01:00.000Z' }),
      at: 300,
    });
    expect(ids(selectRows(state, openUnassigned, ME))).toEqual([9, 2]);
    expect(ids(selectRows(state, openMine, ME))).toEqual([1]);

    // Resolved: leaves the open list.
    state = inboxReducer(state, {
      type: 'upsert',
      conversation: conversation(1, { assignee_id: ME, status: 'resolved', updated_at: '2026-11-21T06:02:00.000Z' }),
      at: 400,
    });
    expect(ids(selectRows(state, openAll, ME))).toEqual([9, 2]);
    expect(ids(selectRows(state, { tab: 'mine', status: 'resolved' }, ME))).toEqual([1]);
  });

  it('drops a conversation that left the agent\'s view, and nothing else', () => {
    let state = loaded(initialInboxState, openAll, [conversation(1), conversation(2)]);
    state = inboxReducer(state, { type: 'remove', conversationId: 1 });
    expect(ids(selectRows(state, openAll, ME))).toEqual([2]);
    expect(inboxReducer(state, { type: 'remove', conversationId: 7 })).toBe(state);
  });

  it('bumps the row of a new message and marks it unread until read', () => {
    let state = loaded(initialInboxState, openAll, [
      conversation(1, { last_seq: 3, agent_read_seq: 3 }),
      conversation(2, { last_seq: 1, agent_read_seq: 1 }),
    ]);
    expect(ids(selectRows(state, openAll, ME))).toEqual([2, 1]);
    expect(isUnread(state.byId[1])).toBe(false);

    state = inboxReducer(state, { type: 'message', message: message(1, 4, '2026-11-21T07:00:00.000Z'), at: 500 });
    expect(ids(selectRows(state, openAll, ME))).toEqual([1, 2]);
    expect(state.byId[1].last_seq).toBe(4);
    expect(isUnread(state.byId[1])).toBe(true);

    // A visitor's read mark does not clear the agents' unread state; an agent's does.
    state = inboxReducer(state, { type: 'read', conversationId: 1, seq: 4, by: { kind: 'contact', id: 5 } });
    expect(isUnread(state.byId[1])).toBe(true);
    expect(state.byId[1].contact_read_seq).toBe(4);
    state = inboxReducer(state, { type: 'read', conversationId: 1, seq: 4, by: { kind: 'agent', id: 2 } });
    expect(isUnread(state.byId[1])).toBe(false);
  });

  it('ignores messages and read marks of conversations it does not list', () => {
    const state = loaded(initialInboxState, openAll, [conversation(1)]);
    expect(inboxReducer(state, { type: 'message', message: message(5, 1, '2026-11-21T07:00:00.000Z'), at: 1 })).toBe(state);
    expect(inboxReducer(state, { type: 'read', conversationId: 5, seq: 1, by: { kind: 'agent', id: 1 } })).toBe(state);
  });

  it('never moves sequence marks backwards when an older report arrives', () => {
    const known = conversation(1, { last_seq: 6, agent_read_seq: 6, updated_at: '2026-11-21T07:00:00.000Z' });
    const older = conversation(1, { last_seq: 4, agent_read_seq: 2, status: 'pending', updated_at: '2026-11-21T06:00:00.000Z' });
    const merged = mergeConversation(known, older);
    expect(merged.last_seq).toBe(6);
    expect(merged.agent_read_seq).toBe(6);
    expect(merged.status).toBe('open');
  });

  it('drops entries a fresh list no longer holds, but keeps those confirmed live after the request', () => {
    let state = loaded(initialInboxState, openAll, [conversation(1), conversation(2)], 100);
    // Conversation 3 arrives live while the next request (sent at 300) is in flight.
    state = inboxReducer(state, { type: 'upsert', conversation: conversation(3), at: 350 });
    state = loaded(state, openAll, [conversation(2)], 300);
    expect(ids(selectRows(state, openAll, ME))).toEqual([3, 2]);
    expect(state.byId[1]).toBeUndefined();
  });

  it('replaces only the slice a list covers', () => {
    let state = loaded(initialInboxState, openAll, [conversation(1), conversation(2, { status: 'resolved' })], 100);
    state = loaded(state, openMine, [], 200);
    // Nothing of "all open" that is not mine was touched, nor the resolved one.
    expect(ids(selectRows(state, openAll, ME))).toEqual([1]);
    expect(ids(selectRows(state, { tab: 'all', status: 'resolved' }, ME))).toEqual([2]);
  });
});
