import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentSocket, agentSocketUrl, backoffDelay, type SocketEvent } from './AgentSocket';
import { FakeSocket } from '../test/fakeSocket';
import type { Message } from '../api/types';

function message(conversation_id: number, seq: number, extra: Partial<Message> = {}): Message {
  return {
    id: conversation_id * 1000 + seq,
    conversation_id,
    seq,
    sender: { kind: 'contact', id: 9, name: '访客 9' },
    kind: 'text',
    text: `m${seq}`,
    attachment: null,
    client_id: null,
    created_at: '2026-11-21T05:11:23.123Z',
    ...extra,
  };
}

function setup() {
  const socket = new AgentSocket({ url: 'ws://host/api/v1/ws', WebSocketImpl: FakeSocket, random: () => 0, ackTimeoutMs: 15_000 });
  const events: SocketEvent[] = [];
  socket.subscribe((event) => events.push(event));
  const messages = () => events.flatMap((e) => (e.type === 'message' ? [e.message] : []));
  return { socket, events, messages };
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('AgentSocket', () => {
  it('builds the socket URL from the page origin', () => {
    expect(agentSocketUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/api/v1/ws');
    expect(agentSocketUrl({ protocol: 'https:', host: 'support.example.com' })).toBe('wss://support.example.com/api/v1/ws');
  });

  it('sends hello first and reports the welcome', () => {
    const { socket, events } = setup();
    socket.connect();
    FakeSocket.last().accept();
    expect(FakeSocket.last().sent[0]).toEqual({ type: 'hello', last_seq: {} });
    expect(socket.status).toBe('open');
    expect(events).toContainEqual({ type: 'welcome', reconnect: false });
  });

  it('deduplicates messages by conversation and seq', () => {
    const { socket, messages } = setup();
    socket.connect();
    const ws = FakeSocket.last();
    ws.accept();
    ws.frame({ type: 'message', message: message(7, 1) });
    ws.frame({ type: 'message', message: message(7, 1) });
    ws.frame({ type: 'message', message: message(8, 1) });
    ws.frame({ type: 'message', message: message(7, 2) });
    ws.frame({ type: 'message', message: message(7, 2) });
    expect(messages().map((m) => `${m.conversation_id}:${m.seq}`)).toEqual(['7:1', '8:1', '7:2']);
    // A REST page that overlaps what the socket delivered is recognised too.
    expect(socket.ingest(message(7, 2), false)).toBe(false);
    expect(socket.ingest(message(7, 3), false)).toBe(true);
    expect(messages()).toHaveLength(3);
  });

  it('accepts messages out of order once and reports a hole in a tracked conversation', () => {
    const { socket, events, messages } = setup();
    socket.track(7, 4);
    socket.connect();
    const ws = FakeSocket.last();
    ws.accept();
    ws.frame({ type: 'message', message: message(7, 4) });
    ws.frame({ type: 'message', message: message(7, 6) });
    expect(events).toContainEqual({ type: 'gap', conversationId: 7, afterSeq: 4 });
    ws.frame({ type: 'message', message: message(7, 5) });
    ws.frame({ type: 'message', message: message(7, 6) });
    expect(messages().map((m) => m.seq)).toEqual([6, 5]);
    expect(socket.helloSeq()).toEqual({ '7': 6 });
  });

  it('sends hello with the last seq of every opened conversation after a reconnect', () => {
    const { socket, events } = setup();
    socket.track(7, 3);
    socket.track(9, 0);
    socket.connect();
    const first = FakeSocket.last();
    first.accept();
    expect(first.sent[0]).toEqual({ type: 'hello', last_seq: { '7': 3, '9': 0 } });
    first.frame({ type: 'message', message: message(7, 4) });
    // Another conversation's messages bump the list but are not asked for again.
    first.frame({ type: 'message', message: message(12, 5) });
    first.lose();
    expect(socket.status).toBe('closed');

    vi.advanceTimersByTime(backoffDelay(0, () => 0));
    const second = FakeSocket.last();
    expect(second).not.toBe(first);
    second.accept();
    expect(second.sent[0]).toEqual({ type: 'hello', last_seq: { '7': 4, '9': 0 } });
    expect(events).toContainEqual({ type: 'welcome', reconnect: true });
  });

  it('answers resync with hello and tells the listeners', () => {
    const { socket, events } = setup();
    socket.track(7, 2);
    socket.connect();
    const ws = FakeSocket.last();
    ws.accept();
    ws.frame({ type: 'message', message: message(7, 3) });
    ws.sent = [];
    ws.frame({ type: 'resync' });
    expect(ws.sent).toEqual([{ type: 'hello', last_seq: { '7': 3 } }]);
    expect(events.at(-1)).toEqual({ type: 'resync' });
  });

  it('keeps a message pending until acked and re-sends the same client_id after a reconnect', () => {
    const { socket } = setup();
    socket.track(7, 3);
    socket.connect();
    const first = FakeSocket.last();
    first.accept();
    socket.send({ client_id: 'c-1', conversation_id: 7, text: '您好' });
    expect(first.sentOf('send')).toEqual([{ type: 'send', client_id: 'c-1', conversation_id: 7, text: '您好' }]);
    expect(socket.outbox(7)).toMatchObject([{ client_id: 'c-1', state: 'sending' }]);

    first.lose();
    vi.advanceTimersByTime(backoffDelay(0, () => 0));
    const second = FakeSocket.last();
    second.accept();
    expect(second.sentOf('send')).toEqual([{ type: 'send', client_id: 'c-1', conversation_id: 7, text: '您好' }]);

    second.frame({ type: 'ack', client_id: 'c-1', message_id: 99, conversation_id: 7, seq: 4 });
    expect(socket.outbox(7)).toMatchObject([{ client_id: 'c-1', state: 'acked' }]);
    second.frame({ type: 'message', message: message(7, 4, { client_id: 'c-1', sender: { kind: 'agent', id: 1, name: 'Wang' } }) });
    expect(socket.outbox(7)).toEqual([]);

    // Nothing is sent a third time.
    second.lose();
    vi.advanceTimersByTime(backoffDelay(1, () => 0));
    FakeSocket.last().accept();
    expect(FakeSocket.last().sentOf('send')).toEqual([]);
  });

  it('queues messages written while disconnected and sends them after the welcome', () => {
    const { socket } = setup();
    socket.connect();
    socket.send({ client_id: 'c-2', conversation_id: 7, text: 'note', note: true });
    const ws = FakeSocket.last();
    expect(ws.sent).toEqual([]);
    ws.accept();
    expect(ws.sentOf('send')).toEqual([{ type: 'send', client_id: 'c-2', conversation_id: 7, text: 'note', note: true }]);
  });

  it('re-sends the same client_id when no ack arrives in time', () => {
    const { socket } = setup();
    socket.connect();
    const ws = FakeSocket.last();
    ws.accept();
    socket.send({ client_id: 'c-3', conversation_id: 7, text: 'hi', attachment_id: 5 });
    vi.advanceTimersByTime(15_000);
    expect(ws.sentOf('send')).toEqual([
      { type: 'send', client_id: 'c-3', conversation_id: 7, text: 'hi', attachment_id: 5 },
      { type: 'send', client_id: 'c-3', conversation_id: 7, text: 'hi', attachment_id: 5 },
    ]);
    ws.frame({ type: 'ack', client_id: 'c-3', message_id: 1, conversation_id: 7, seq: 1 });
    vi.advanceTimersByTime(60_000);
    expect(ws.sentOf('send')).toHaveLength(2);
  });

  it('marks a refused message failed and retries it with the same client_id', () => {
    const { socket } = setup();
    socket.connect();
    const ws = FakeSocket.last();
    ws.accept();
    socket.send({ client_id: 'c-4', conversation_id: 7, text: 'x' });
    ws.frame({ type: 'error', code: 'validation_failed', message: 'text must not be empty', client_id: 'c-4' });
    expect(socket.outbox(7)).toMatchObject([{ client_id: 'c-4', state: 'failed', error: 'validation_failed' }]);
    // A failed message is not re-sent by a reconnect.
    ws.lose();
    vi.advanceTimersByTime(backoffDelay(0, () => 0));
    const next = FakeSocket.last();
    next.accept();
    expect(next.sentOf('send')).toEqual([]);
    socket.retry('c-4');
    expect(next.sentOf('send')).toEqual([{ type: 'send', client_id: 'c-4', conversation_id: 7, text: 'x' }]);
    socket.discard('c-4');
    expect(socket.outbox()).toEqual([]);
  });

  it('drops a half-open socket when a ping goes unanswered', () => {
    const { socket } = setup();
    const quiet = new AgentSocket({ url: 'ws://host/api/v1/ws', WebSocketImpl: FakeSocket, random: () => 0, pingIntervalMs: 1000, pongTimeoutMs: 500 });
    quiet.connect();
    const ws = FakeSocket.last();
    ws.accept();
    vi.advanceTimersByTime(1000);
    expect(ws.sentOf('ping')).toHaveLength(1);
    vi.advanceTimersByTime(500);
    expect(ws.closed).toBe(true);
    expect(quiet.status).toBe('closed');
    quiet.stop();
    socket.stop();
  });

  it('reports repeated failures before any welcome', () => {
    const { socket, events } = setup();
    socket.connect();
    for (let attempt = 0; attempt < 3; attempt++) {
      FakeSocket.last().lose();
      vi.advanceTimersByTime(backoffDelay(attempt, () => 0));
    }
    expect(events.filter((e) => e.type === 'failing')).toHaveLength(1);
    socket.stop();
  });

  it('sends typing and read only while connected', () => {
    const { socket } = setup();
    expect(socket.read(7, 3)).toBe(false);
    socket.connect();
    const ws = FakeSocket.last();
    ws.accept();
    expect(socket.typing(7, true)).toBe(true);
    expect(socket.read(7, 3)).toBe(true);
    expect(ws.sent.slice(1)).toEqual([
      { type: 'typing', conversation_id: 7, on: true },
      { type: 'read', conversation_id: 7, seq: 3 },
    ]);
  });

  it('caps the backoff at 30 seconds', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(20, () => 1)).toBe(30_000);
  });
});
