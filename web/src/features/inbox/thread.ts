// The messages of the conversations opened in this inbox, merged from REST pages and live frames.

import type { Message } from '../../api/types';

/** Messages per REST page when opening a conversation or scrolling back. */
export const PAGE_SIZE = 50;
/** The server's largest page for GET /conversations/{id}/messages. */
export const MAX_PAGE = 500;

export interface Thread {
  /** Unique by seq, ascending. */
  messages: Message[];
  status: 'loading' | 'ready' | 'error';
  error: unknown;
  loadingOlder: boolean;
}

export const emptyThread: Thread = { messages: [], status: 'loading', error: null, loadingOlder: false };

/** Adds messages to a sorted list, once per seq (the first copy wins: a message never changes). */
export function mergeMessages(existing: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return existing as Message[];
  const bySeq = new Map<number, Message>();
  for (const m of existing) bySeq.set(m.seq, m);
  let added = false;
  for (const m of incoming) {
    if (bySeq.has(m.seq)) continue;
    bySeq.set(m.seq, m);
    added = true;
  }
  if (!added) return existing as Message[];
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** Whether messages before the first loaded one exist (seqs start at 1 without gaps). */
export function hasOlder(messages: readonly Message[]): boolean {
  return messages.length > 0 && messages[0].seq > 1;
}

/** The query for the page just before `oldestSeq`. */
export function olderPage(oldestSeq: number, size = PAGE_SIZE): { after_seq: number; limit: number } {
  const after = Math.max(0, oldestSeq - 1 - size);
  return { after_seq: after, limit: Math.max(1, oldestSeq - 1 - after) };
}

/** Where the first page of a conversation with `lastSeq` messages starts. */
export function latestStart(lastSeq: number, size = PAGE_SIZE): number {
  return Math.max(0, lastSeq - size);
}

/** The highest seq from which nothing is missing going down to the first loaded message. */
export function contiguousTop(messages: readonly Message[]): number {
  if (messages.length === 0) return 0;
  let top = messages[0].seq;
  for (const m of messages) {
    if (m.seq > top + 1) break;
    top = m.seq;
  }
  return top;
}

type Listener = () => void;

/** Threads by conversation id, for useSyncExternalStore. */
export class ThreadStore {
  private readonly threads = new Map<number, Thread>();
  private readonly listeners = new Set<Listener>();

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  get(conversationId: number): Thread | undefined {
    return this.threads.get(conversationId);
  }

  has(conversationId: number): boolean {
    return this.threads.has(conversationId);
  }

  update(conversationId: number, change: (thread: Thread) => Thread): void {
    const before = this.threads.get(conversationId) ?? emptyThread;
    const after = change(before);
    if (after === before && this.threads.has(conversationId)) return;
    this.threads.set(conversationId, after);
    for (const listener of [...this.listeners]) listener();
  }

  /** Adds messages to a thread that is open; messages of other conversations are not kept. */
  add(conversationId: number, messages: readonly Message[]): void {
    if (!this.threads.has(conversationId)) return;
    this.update(conversationId, (thread) => {
      const merged = mergeMessages(thread.messages, messages);
      return merged === thread.messages ? thread : { ...thread, messages: merged };
    });
  }
}
