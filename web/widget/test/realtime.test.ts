import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKOFF_MAX_MS, RealtimeClient, backoffDelay, type RealtimeOptions } from '../src/realtime';
import type { Message } from '../src/types';
import { FakeWebSocket, msg } from './fakes';

function client(extra: Partial<RealtimeOptions> = {}) {
  const received: Message[] = [];
  const acks: string[] = [];
  const gaps: Array<[number, number]> = [];
  const rt = new RealtimeClient({
    url: 'ws://example.test/api/v1/widget/ws?token=t1',
    WebSocketImpl: FakeWebSocket,
    random: () => 0.5,
    onMessage: (m) => received.push(m),
    onAck: (a) => acks.push(a.client_id),
    onGap: (c, s) => gaps.push([c, s]),
    ...extra,
  });
  return { rt, received, acks, gaps };
}

beforeEach(() => {
  FakeWebSocket.reset();
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('hello', () => {
  it('is the first frame, with {} for a new visitor', () => {
    const { rt } = client();
    rt.connect();
    FakeWebSocket.last.serverOpen();
    expect(FakeWebSocket.last.sent[0]).toEqual({ type: 'hello', last_seq: {} });
  });

  it('carries the restored last_seq per conversation', () => {
    const { rt } = client({ lastSeq: { '12': 40 } });
    rt.connect();
    FakeWebSocket.last.serverOpen();
    expect(FakeWebSocket.last.sent[0]).toEqual({ type: 'hello', last_seq: { '12': 40 } });
  });

  it('carries the latest contiguous seq after a reconnect', () => {
    const { rt } = client({ lastSeq: { '12': 2 } });
    rt.connect();
    const first = FakeWebSocket.last;
    first.handshake();
    first.serverSend({ type: 'message', message: msg({ conversation_id: 12, seq: 3 }) });
    first.serverSend({ type: 'message', message: msg({ conversation_id: 12, seq: 4 }) });
    first.serverSend({ type: 'message', message: msg({ conversation_id: 30, seq: 1 }) });
    first.serverClose();
    vi.advanceTimersByTime(BACKOFF_MAX_MS);
    const second = FakeWebSocket.last;
    expect(second).not.toBe(first);
    second.serverOpen();
    expect(second.sent[0]).toEqual({ type: 'hello', last_seq: { '12': 4, '30': 1 } });

    // And again on the reconnect after that.
    second.serverSend({ type: 'welcome', who: { kind: 'visitor', id: 1 } });
    second.serverSend({ type: 'message', message: msg({ conversation_id: 12, seq: 5 }) });
    second.serverClose();
    vi.advanceTimersByTime(BACKOFF_MAX_MS);
    FakeWebSocket.last.serverOpen();
    expect(FakeWebSocket.last.sent[0]).toEqual({ type: 'hello', last_seq: { '12': 5, '30': 1 } });
  });

  it('starts tracking a conversation learned from an ack', () => {
    const { rt } = client();
    rt.connect();
    const ws = FakeWebSocket.last;
    ws.handshake();
    rt.send({ client_id: 'c1', text: 'hi' });
    ws.serverSend({ type: 'ack', client_id: 'c1', message_id: 1, conversation_id: 77, seq: 1 });
    expect(rt.helloSeq()).toEqual({ '77': 0 });
  });
});

describe('message dedupe and ordering', () => {
  it('delivers each (conversation_id, seq) once', () => {
    const { rt, received } = client();
    rt.connect();
    const ws = FakeWebSocket.last;
    ws.handshake();
    const m1 = msg({ conversation_id: 5, seq: 1 });
    ws.serverSend({ type: 'message', message: m1 });
    ws.serverSend({ type: 'message', message: m1 });
    ws.serverSend({ type: 'message', message: { ...m1, id: 999 } });
    // Same seq in another conversation is a different message.
    ws.serverSend({ type: 'message', message: msg({ conversation_id: 6, seq: 1 }) });
    expect(received.map((m) => `${m.conversation_id}:${m.seq}`)).toEqual(['5:1', '6:1']);
  });

  it('drops what a resync repeats and what REST refill repeats', () => {
    const { rt, received } = client({ lastSeq: { '5': 3 } });
    rt.connect();
    FakeWebSocket.last.handshake();
    for (const seq of [2, 3, 4, 5]) FakeWebSocket.last.serverSend({ type: 'message', message: msg({ conversation_id: 5, seq }) });
    expect(rt.ingest(msg({ conversation_id: 5, seq: 4 }))).toBe(false);
    expect(received.map((m) => m.seq)).toEqual([4, 5]);
    expect(rt.getLastSeq()).toEqual({ '5': 5 });
  });

  it('keeps last_seq at the contiguous mark and reports a gap', () => {
    const { rt, received, gaps } = client();
    rt.connect();
    const ws = FakeWebSocket.last;
    ws.handshake();
    ws.serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 1 }) });
    ws.serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 3 }) });
    expect(rt.getLastSeq()).toEqual({ '5': 1 });
    expect(gaps).toEqual([[5, 1]]);
    // The refill closes the gap; the duplicate of 3 is dropped.
    rt.ingest(msg({ conversation_id: 5, seq: 2 }));
    rt.ingest(msg({ conversation_id: 5, seq: 3 }));
    expect(rt.getLastSeq()).toEqual({ '5': 3 });
    expect(received.map((m) => m.seq)).toEqual([1, 3, 2]);
  });

  it('never delivers internal notes', () => {
    const { rt, received } = client();
    rt.connect();
    FakeWebSocket.last.handshake();
    FakeWebSocket.last.serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 1, kind: 'note' }) });
    expect(received).toHaveLength(0);
  });

  it('ignores frames that are not JSON', () => {
    const { rt, received } = client();
    rt.connect();
    const ws = FakeWebSocket.last;
    ws.handshake();
    ws.onmessage?.({ data: 'not json' } as MessageEvent);
    expect(received).toHaveLength(0);
    expect(rt.isOpen).toBe(true);
  });
});

describe('sending', () => {
  it('queues while offline and sends after welcome', () => {
    const { rt } = client();
    rt.send({ client_id: 'c1', text: 'hello' });
    rt.connect();
    const ws = FakeWebSocket.last;
    ws.serverOpen();
    expect(ws.framesOf('send')).toHaveLength(0);
    ws.serverSend({ type: 'welcome', who: { kind: 'visitor', id: 1 } });
    expect(ws.framesOf('send')).toEqual([{ type: 'send', client_id: 'c1', text: 'hello' }]);
  });

  it('re-sends the same client_id after a reconnect when no ack came', () => {
    const { rt, acks } = client();
    rt.connect();
    const first = FakeWebSocket.last;
    first.handshake();
    rt.send({ client_id: 'abc', text: 'are you there?' });
    expect(first.framesOf('send')).toHaveLength(1);
    first.serverClose();
    expect(rt.pendingStatus('abc')).toBe('queued');
    vi.advanceTimersByTime(BACKOFF_MAX_MS);
    const second = FakeWebSocket.last;
    second.handshake();
    expect(second.framesOf('send')).toEqual([{ type: 'send', client_id: 'abc', text: 'are you there?' }]);
    second.serverSend({ type: 'ack', client_id: 'abc', message_id: 9, conversation_id: 5, seq: 1 });
    expect(acks).toEqual(['abc']);
    expect(rt.outbox()).toEqual([]);
    // Acked: a further reconnect sends nothing again.
    second.serverClose();
    vi.advanceTimersByTime(BACKOFF_MAX_MS);
    FakeWebSocket.last.handshake();
    expect(FakeWebSocket.last.framesOf('send')).toHaveLength(0);
  });

  it('re-sends the same client_id on the same socket after the ack timeout', () => {
    const { rt } = client({ ackTimeoutMs: 5000 });
    rt.connect();
    const ws = FakeWebSocket.last;
    ws.handshake();
    rt.send({ client_id: 'x1', attachment_id: 44 });
    vi.advanceTimersByTime(4999);
    expect(ws.framesOf('send')).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(ws.framesOf('send')).toEqual([
      { type: 'send', client_id: 'x1', attachment_id: 44 },
      { type: 'send', client_id: 'x1', attachment_id: 44 },
    ]);
    ws.serverSend({ type: 'ack', client_id: 'x1', message_id: 3, conversation_id: 5, seq: 2 });
    vi.advanceTimersByTime(60_000);
    expect(ws.framesOf('send')).toHaveLength(2);
  });

  it('restores an outbox and sends it after the first welcome', () => {
    const { rt } = client({ outbox: [{ client_id: 'old', text: 'from before the reload' }] });
    rt.connect();
    FakeWebSocket.last.handshake();
    expect(FakeWebSocket.last.framesOf('send')).toEqual([{ type: 'send', client_id: 'old', text: 'from before the reload' }]);
  });

  it('a message frame with our client_id settles the pending message', () => {
    const { rt } = client();
    rt.connect();
    const ws = FakeWebSocket.last;
    ws.handshake();
    rt.send({ client_id: 'c9', text: 'x' });
    ws.serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 1, client_id: 'c9', sender: { kind: 'contact', id: 1, name: null } }) });
    expect(rt.outbox()).toEqual([]);
  });

  it('an error for a client_id marks it failed; retry re-sends the same id', () => {
    const errors: string[] = [];
    const { rt } = client({ onError: (f) => errors.push(f.code) });
    rt.connect();
    const ws = FakeWebSocket.last;
    ws.handshake();
    rt.send({ client_id: 'r1', text: 'fast' });
    ws.serverSend({ type: 'error', code: 'rate_limited', message: 'slow down', client_id: 'r1' });
    expect(errors).toEqual(['rate_limited']);
    expect(rt.pendingStatus('r1')).toBe('failed');
    ws.serverClose();
    vi.advanceTimersByTime(BACKOFF_MAX_MS);
    FakeWebSocket.last.handshake();
    expect(FakeWebSocket.last.framesOf('send')).toHaveLength(0);
    rt.retry('r1');
    expect(FakeWebSocket.last.framesOf('send')).toEqual([{ type: 'send', client_id: 'r1', text: 'fast' }]);
  });

  it('typing and read frames go out only while connected', () => {
    const { rt } = client();
    rt.typing(true);
    expect(rt.read(5, 3)).toBe(false);
    rt.connect();
    const ws = FakeWebSocket.last;
    ws.handshake();
    rt.typing(true, 5);
    expect(rt.read(5, 3)).toBe(true);
    expect(ws.sent.slice(1)).toEqual([
      { type: 'typing', on: true, conversation_id: 5 },
      { type: 'read', conversation_id: 5, seq: 3 },
    ]);
  });
});

describe('server-initiated resync', () => {
  it('answers a resync frame with hello carrying the current marks', () => {
    const { rt } = client({ lastSeq: { '5': 1 } });
    rt.connect();
    const ws = FakeWebSocket.last;
    ws.handshake();
    ws.serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 2 }) });
    ws.serverSend({ type: 'resync' });
    expect(ws.framesOf('hello')).toEqual([
      { type: 'hello', last_seq: { '5': 1 } },
      { type: 'hello', last_seq: { '5': 2 } },
    ]);
  });

  it('passes conversation frames on', () => {
    const seen: string[] = [];
    const { rt } = client({ onConversation: (c, e) => seen.push(`${c.id}:${c.status}:${e}`) });
    rt.connect();
    FakeWebSocket.last.handshake();
    FakeWebSocket.last.serverSend({ type: 'conversation', event: 'resolved', conversation: { id: 5, status: 'resolved', last_seq: 3 } });
    expect(seen).toEqual(['5:resolved:resolved']);
  });

  it('passes queue frames on', () => {
    const seen: unknown[] = [];
    const { rt } = client({ onQueue: (f) => seen.push(f) });
    rt.connect();
    FakeWebSocket.last.handshake();
    FakeWebSocket.last.serverSend({ type: 'queue', conversation_id: 12, position: 3, estimated_wait_secs: null });
    expect(seen).toEqual([{ type: 'queue', conversation_id: 12, position: 3, estimated_wait_secs: null }]);
  });
});

describe('reconnect', () => {
  it('asks for a session check after repeated failures before any welcome', () => {
    const onRepeatedFailure = vi.fn();
    const { rt } = client({ onRepeatedFailure });
    rt.connect();
    for (let i = 0; i < 2; i++) {
      FakeWebSocket.last.serverClose();
      vi.advanceTimersByTime(BACKOFF_MAX_MS);
    }
    expect(onRepeatedFailure).not.toHaveBeenCalled();
    FakeWebSocket.last.serverClose();
    expect(onRepeatedFailure).toHaveBeenCalledOnce();
    // It keeps reconnecting meanwhile; a welcome resets the count.
    vi.advanceTimersByTime(BACKOFF_MAX_MS);
    FakeWebSocket.last.handshake();
    FakeWebSocket.last.serverClose();
    vi.advanceTimersByTime(BACKOFF_MAX_MS);
    FakeWebSocket.last.serverClose();
    expect(onRepeatedFailure).toHaveBeenCalledOnce();
  });

  it('backoff delays grow exponentially with jitter and never exceed 30 s', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const cap = Math.min(30_000, 1000 * 2 ** attempt);
      const low = backoffDelay(attempt, () => 0);
      const high = backoffDelay(attempt, () => 1);
      const mid = backoffDelay(attempt, () => 0.5);
      expect(low).toBe(Math.round(cap / 2));
      expect(high).toBe(cap);
      expect(mid).toBeGreaterThanOrEqual(low);
      expect(mid).toBeLessThanOrEqual(high);
      expect(high).toBeLessThanOrEqual(30_000);
      expect(low).toBeGreaterThan(0);
    }
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(1, () => 1)).toBe(2000);
    expect(backoffDelay(100, Math.random)).toBeLessThanOrEqual(30_000);
  });

  it('waits the backoff before reconnecting and resets after a welcome', () => {
    const { rt } = client({ random: () => 1 });
    rt.connect();
    FakeWebSocket.last.serverClose(); // attempt 0 → 1000 ms
    expect(FakeWebSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(999);
    expect(FakeWebSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.serverClose(); // attempt 1 → 2000 ms
    vi.advanceTimersByTime(1999);
    expect(FakeWebSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(3);
    for (let i = 0; i < 10; i++) {
      FakeWebSocket.last.serverClose();
      vi.advanceTimersByTime(30_000);
    }
    const count = FakeWebSocket.instances.length;
    FakeWebSocket.last.serverClose();
    vi.advanceTimersByTime(29_999);
    expect(FakeWebSocket.instances).toHaveLength(count);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(count + 1);
    // A welcome resets the backoff.
    FakeWebSocket.last.handshake();
    FakeWebSocket.last.serverClose();
    vi.advanceTimersByTime(1000);
    expect(FakeWebSocket.instances).toHaveLength(count + 2);
  });

  it('drops a half-open socket when no frame answers the ping', () => {
    const { rt } = client({ pingIntervalMs: 1000, pongTimeoutMs: 500 });
    rt.connect();
    const ws = FakeWebSocket.last;
    ws.handshake();
    vi.advanceTimersByTime(1000);
    expect(ws.framesOf('ping')).toHaveLength(1);
    ws.serverSend({ type: 'pong' });
    vi.advanceTimersByTime(1000);
    expect(ws.framesOf('ping')).toHaveLength(2);
    vi.advanceTimersByTime(500);
    expect(ws.closed).toBe(true);
    expect(rt.status).toBe('closed');
    vi.advanceTimersByTime(BACKOFF_MAX_MS);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('stops on unauthenticated and resumes with a new URL', () => {
    const onUnauthenticated = vi.fn();
    const { rt } = client({ onUnauthenticated });
    rt.connect();
    FakeWebSocket.last.handshake();
    FakeWebSocket.last.serverSend({ type: 'error', code: 'unauthenticated', message: 'bad token' });
    expect(onUnauthenticated).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    rt.restart('ws://example.test/api/v1/widget/ws?token=t2');
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(FakeWebSocket.last.url).toContain('token=t2');
  });

  it('stop() prevents any further reconnect', () => {
    const { rt } = client();
    rt.connect();
    FakeWebSocket.last.handshake();
    rt.stop();
    vi.advanceTimersByTime(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});
