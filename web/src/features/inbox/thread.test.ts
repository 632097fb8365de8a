import { describe, expect, it, vi } from 'vitest';
import { ThreadStore, contiguousTop, hasOlder, latestStart, mergeMessages, olderPage } from './thread';
import type { Message } from '../../api/types';

function message(seq: number, text = `m${seq}`): Message {
  return {
    id: seq,
    conversation_id: 7,
    seq,
    sender: { kind: 'contact', id: 5, name: '访客 5' },
    kind: 'text',
    text,
    attachment: null,
    client_id: null,
    created_at: '2026-11-21T05:11:23.123Z',
  };
}

const seqs = (messages: Message[]) => messages.map((m) => m.seq);

describe('threads', () => {
  it('merges pages and live messages once per seq, in order', () => {
    const page = [message(3), message(4), message(5)];
    const merged = mergeMessages(page, [message(6), message(4, 'again'), message(2)]);
    expect(seqs(merged)).toEqual([2, 3, 4, 5, 6]);
    expect(merged.find((m) => m.seq === 4)?.text).toBe('m4');
    // Nothing new: the same array comes back (no re-render).
    expect(mergeMessages(merged, [message(5)])).toBe(merged);
  });

  it('pages backwards by seq', () => {
    expect(latestStart(120)).toBe(70);
    expect(latestStart(10)).toBe(0);
    expect(olderPage(71)).toEqual({ after_seq: 20, limit: 50 });
    expect(olderPage(12)).toEqual({ after_seq: 0, limit: 11 });
    expect(hasOlder([message(71)])).toBe(true);
    expect(hasOlder([message(1)])).toBe(false);
    expect(hasOlder([])).toBe(false);
  });

  it('finds the top of the contiguous run', () => {
    expect(contiguousTop([])).toBe(0);
    expect(contiguousTop([message(3), message(4), message(6)])).toBe(4);
    expect(contiguousTop([message(3), message(4), message(5)])).toBe(5);
  });

  it('keeps messages only for opened threads and notifies on change', () => {
    const store = new ThreadStore();
    const listener = vi.fn();
    store.subscribe(listener);
    store.add(7, [message(1)]);
    expect(store.get(7)).toBeUndefined();
    store.update(7, (thread) => ({ ...thread, status: 'ready' }));
    store.add(7, [message(2), message(1)]);
    store.add(7, [message(2)]);
    expect(seqs(store.get(7)?.messages ?? [])).toEqual([1, 2]);
    expect(listener).toHaveBeenCalledTimes(2);
  });
});
