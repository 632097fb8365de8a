// The inbox's conversation list: what REST pages and live frames say about each conversation,
// and which of them a tab and status filter show, newest activity first.

import type { Conversation, Message } from '../../api/types';
import type { Party } from '../../realtime/frames';

export type InboxTab = 'mine' | 'unassigned' | 'all';
export type ConversationStatus = 'open' | 'pending' | 'resolved' | 'closed';
export const STATUSES: readonly ConversationStatus[] = ['open', 'pending', 'resolved', 'closed'];
export const TABS: readonly InboxTab[] = ['mine', 'unassigned', 'all'];

export type ListFilter = { tab: InboxTab; status: ConversationStatus };

export interface InboxState {
  byId: Record<number, Conversation>;
  /** When (client clock) each conversation was last confirmed, to tell stale entries from fresh ones. */
  seenAt: Record<number, number>;
}

export type InboxAction =
  /** A REST list for `filter`, requested at `requestedAt`: it replaces that slice. */
  | { type: 'loaded'; filter: ListFilter; meId: number; items: Conversation[]; requestedAt: number }
  /** A conversation from a live frame or a REST answer. */
  | { type: 'upsert'; conversation: Conversation; at: number }
  /** A new message moves its conversation up. */
  | { type: 'message'; message: Message; at: number }
  /** A read mark from a live frame. */
  | { type: 'read'; conversationId: number; seq: number; by: Party }
  /** The conversation left this agent's view. */
  | { type: 'remove'; conversationId: number };

export const initialInboxState: InboxState = { byId: {}, seenAt: {} };

/** The arguments of a list request for a filter. */
export function listQuery(filter: ListFilter): { status: ConversationStatus; assignee?: string } {
  if (filter.tab === 'mine') return { status: filter.status, assignee: 'me' };
  if (filter.tab === 'unassigned') return { status: filter.status, assignee: 'none' };
  return { status: filter.status };
}

export function matches(conversation: Conversation, filter: ListFilter, meId: number): boolean {
  if (conversation.status !== filter.status) return false;
  if (filter.tab === 'mine') return conversation.assignee_id === meId;
  if (filter.tab === 'unassigned') return conversation.assignee_id == null;
  return true;
}

function time(value: string): number {
  const t = Date.parse(value);
  return Number.isNaN(t) ? 0 : t;
}

/**
 * Combines what we knew with a newer report. Sequence marks only move forward; the other fields
 * come from whichever report is newer by `updated_at` (equal: the incoming one).
 */
export function mergeConversation(known: Conversation | undefined, incoming: Conversation): Conversation {
  if (!known) return incoming;
  const newer = time(incoming.updated_at) >= time(known.updated_at) ? incoming : known;
  return {
    ...newer,
    last_seq: Math.max(known.last_seq, incoming.last_seq),
    agent_read_seq: Math.max(known.agent_read_seq, incoming.agent_read_seq),
    contact_read_seq: Math.max(known.contact_read_seq, incoming.contact_read_seq),
  };
}

export function inboxReducer(state: InboxState, action: InboxAction): InboxState {
  switch (action.type) {
    case 'loaded': {
      const byId = { ...state.byId };
      const seenAt = { ...state.seenAt };
      const listed = new Set(action.items.map((c) => c.id));
      // Entries this slice should hold but the server no longer lists have changed since;
      // keep those a live frame confirmed after the request went out.
      for (const [key, conversation] of Object.entries(byId)) {
        const id = Number(key);
        if (!listed.has(id) && matches(conversation, action.filter, action.meId) && (seenAt[id] ?? 0) < action.requestedAt) {
          delete byId[id];
          delete seenAt[id];
        }
      }
      for (const conversation of action.items) {
        byId[conversation.id] = mergeConversation(byId[conversation.id], conversation);
        seenAt[conversation.id] = Math.max(seenAt[conversation.id] ?? 0, action.requestedAt);
      }
      return { byId, seenAt };
    }
    case 'upsert': {
      const { conversation } = action;
      return {
        byId: { ...state.byId, [conversation.id]: mergeConversation(state.byId[conversation.id], conversation) },
        seenAt: { ...state.seenAt, [conversation.id]: Math.max(state.seenAt[conversation.id] ?? 0, action.at) },
      };
    }
    case 'message': {
      const { message } = action;
      const known = state.byId[message.conversation_id];
      if (!known) return state;
      const bumped: Conversation = {
        ...known,
        last_seq: Math.max(known.last_seq, message.seq),
        updated_at: time(message.created_at) > time(known.updated_at) ? message.created_at : known.updated_at,
      };
      return { ...state, byId: { ...state.byId, [known.id]: bumped } };
    }
    case 'remove': {
      if (!(action.conversationId in state.byId)) return state;
      const byId = { ...state.byId };
      const seenAt = { ...state.seenAt };
      delete byId[action.conversationId];
      delete seenAt[action.conversationId];
      return { byId, seenAt };
    }
    case 'read': {
      const known = state.byId[action.conversationId];
      if (!known) return state;
      const field = action.by.kind === 'agent' ? 'agent_read_seq' : 'contact_read_seq';
      const seq = Math.min(action.seq, known.last_seq);
      if (seq <= known[field]) return state;
      return { ...state, byId: { ...state.byId, [known.id]: { ...known, [field]: seq } } };
    }
  }
}

/** The rows a filter shows: newest activity first. */
export function selectRows(state: InboxState, filter: ListFilter, meId: number): Conversation[] {
  return Object.values(state.byId)
    .filter((c) => matches(c, filter, meId))
    .sort((a, b) => time(b.updated_at) - time(a.updated_at) || b.id - a.id);
}

/** A conversation has messages no agent has read yet. */
export function isUnread(conversation: Conversation): boolean {
  return conversation.last_seq > conversation.agent_read_seq;
}
