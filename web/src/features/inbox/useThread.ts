import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { fetchMessagePage, fetchMessagesAfter } from './queries';
import { contiguousTop, emptyThread, latestStart, mergeMessages, olderPage, type Thread, type ThreadStore } from './thread';
import type { AgentSocket } from '../../realtime/AgentSocket';

/** Loads the newest page of a conversation, then keeps the socket tracking it. */
export async function openThread(threads: ThreadStore, socket: AgentSocket, conversationId: number, lastSeq: number) {
  threads.update(conversationId, (thread) => ({ ...thread, status: 'loading', error: null }));
  try {
    const items = await fetchMessagesAfter(conversationId, latestStart(lastSeq));
    for (const m of items) socket.ingest(m, false);
    threads.update(conversationId, (thread) => ({
      ...thread,
      status: 'ready',
      messages: mergeMessages(thread.messages, items),
    }));
    const messages = threads.get(conversationId)?.messages ?? [];
    socket.track(conversationId, messages.length > 0 ? contiguousTop(messages) : lastSeq);
  } catch (error) {
    threads.update(conversationId, (thread) => ({ ...thread, status: 'error', error }));
  }
}

/** Fills a hole the socket noticed (live delivery skipped messages). */
export async function refillThread(threads: ThreadStore, socket: AgentSocket, conversationId: number, afterSeq: number) {
  try {
    const items = await fetchMessagesAfter(conversationId, afterSeq);
    for (const m of items) socket.ingest(m, false);
    threads.add(conversationId, items);
  } catch {
    // The next gap, reconnect or resync tries again.
  }
}

export function useThread(threads: ThreadStore, socket: AgentSocket, conversationId: number, lastSeq: number | undefined) {
  const thread: Thread = useSyncExternalStore(threads.subscribe, () => threads.get(conversationId) ?? emptyThread);
  const known = lastSeq !== undefined;

  useEffect(() => {
    if (!known || threads.has(conversationId)) return;
    void openThread(threads, socket, conversationId, lastSeq);
    // Opened once per conversation; later messages arrive over the socket.
  }, [threads, socket, conversationId, known]);

  const retry = useCallback(() => {
    if (lastSeq !== undefined) void openThread(threads, socket, conversationId, lastSeq);
  }, [threads, socket, conversationId, lastSeq]);

  const loadOlder = useCallback(async () => {
    const current = threads.get(conversationId);
    if (!current || current.loadingOlder || current.messages.length === 0 || current.messages[0].seq <= 1) return;
    threads.update(conversationId, (t) => ({ ...t, loadingOlder: true }));
    const { after_seq, limit } = olderPage(current.messages[0].seq);
    try {
      const items = await fetchMessagePage(conversationId, after_seq, limit);
      threads.update(conversationId, (t) => ({ ...t, loadingOlder: false, messages: mergeMessages(t.messages, items) }));
    } catch {
      threads.update(conversationId, (t) => ({ ...t, loadingOlder: false }));
    }
  }, [threads, conversationId]);

  return { thread, retry, loadOlder };
}
